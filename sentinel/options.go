package sentinel

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/natmap"
)

// Options configures a sentinel Client. MasterName and Sentinels have no
// defaults.
type Options struct {
	// MasterName is the name the sentinels monitor the master under.
	MasterName string
	// Sentinels are sentinel addresses, "host:port". They are tried in
	// turn; the one that answers moves to the front, and sentinels they
	// know of (SENTINEL SENTINELS) are added.
	Sentinels []string

	// NodeOptions are the data nodes' connection options (Password,
	// TLSConfig, PoolSize, DialTimeout, RetryStrategy, ...): everything a
	// fastredis.Client takes, except Addr, which the sentinels give.
	NodeOptions fastredis.Options

	// SentinelUsername, SentinelPassword and SentinelTLSConfig are the
	// sentinels' own, apart from the data nodes'.
	SentinelUsername  string
	SentinelPassword  string
	SentinelTLSConfig *tls.Config
	// SentinelCredentialsProvider, when set, is asked for the sentinels'
	// user name and password at every handshake with one of them, and
	// wins over SentinelUsername and SentinelPassword (see
	// fastredis.Options.CredentialsProvider). The data nodes' own provider
	// is NodeOptions.CredentialsProvider. The sentinels are dialled through
	// NodeOptions.Dialer, as the data nodes are; NodeOptions.OnConnect runs
	// on data-node connections only.
	SentinelCredentialsProvider func(ctx context.Context) (username, password string, err error)

	// Role is what the client connects to: RoleMaster (the default) or
	// RoleReplica.
	Role Role
	// PreferredReplicas orders replicas for RoleReplica: the first of them
	// that is usable wins; others come after, in random order. ReplicaFunc,
	// when set, chooses instead (given the usable replicas, it returns the
	// index of one, or -1 for none).
	PreferredReplicas []string
	ReplicaFunc       func(replicas []string) int
	// ReplicaFallback lets RoleReplica connect to the master when no
	// replica is usable (off by default: then the dial fails and is
	// retried).
	ReplicaFallback bool

	// NATMap maps the addresses the sentinels return to addresses the
	// client can dial; NATMapper, when set, is used instead (it returns the
	// address to dial).
	NATMap    map[string]string
	NATMapper func(addr string) string

	// SentinelTimeout bounds each question to a sentinel: a sentinel that
	// does not answer in time is skipped. 0 means 500ms.
	SentinelTimeout time.Duration

	// FailoverTimeout bounds how long new writes are held once a failover
	// has begun (see the package documentation) if it never completes;
	// 0 means 15s. DrainTimeout bounds the WAIT that makes sure what the
	// old master acknowledged has reached a replica; 0 means 1s.
	FailoverTimeout time.Duration
	DrainTimeout    time.Duration

	// OnEvent is called with every sentinel event, and Logger logs them.
	// The data connections' own events go to NodeOptions.OnEvent/Logger.
	OnEvent func(Event)
	Logger  *slog.Logger
}

// Role is what a sentinel Client connects to.
type Role int

const (
	RoleMaster  Role = iota // the master (the default)
	RoleReplica             // a replica
)

func (r Role) serverRole() string {
	if r == RoleReplica {
		return "slave"
	}
	return "master"
}

const (
	defaultSentinelTimeout = 500 * time.Millisecond
	defaultFailoverTimeout = 15 * time.Second
	defaultDrainTimeout    = time.Second
)

func (o Options) validate() (Options, error) {
	if o.MasterName == "" {
		return o, errors.New("fastredis/sentinel: no master name (Options.MasterName)")
	}
	if len(o.Sentinels) == 0 {
		return o, errors.New("fastredis/sentinel: no sentinel addresses (Options.Sentinels is empty)")
	}
	for _, a := range o.Sentinels {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return o, fmt.Errorf("fastredis/sentinel: sentinel address %q: %w", a, err)
		}
	}
	if o.Role != RoleMaster && o.Role != RoleReplica {
		return o, fmt.Errorf("fastredis/sentinel: unknown Role %d", o.Role)
	}
	if o.NodeOptions.Network != "" && o.NodeOptions.Network != "tcp" {
		return o, fmt.Errorf("fastredis/sentinel: network %q: data nodes are reached over tcp", o.NodeOptions.Network)
	}
	if o.SentinelTimeout <= 0 {
		o.SentinelTimeout = defaultSentinelTimeout
	}
	if o.FailoverTimeout <= 0 {
		o.FailoverTimeout = defaultFailoverTimeout
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = defaultDrainTimeout
	}
	return o, nil
}

// mapAddr applies the NAT map to an address a sentinel returned.
func (o *Options) mapAddr(addr string) string {
	return natmap.Apply(o.NATMap, o.NATMapper, addr)
}

// sentinelOptions are the options of the client for one sentinel.
func (o *Options) sentinelOptions(addr string) fastredis.Options {
	return fastredis.Options{
		Addr:            addr,
		Username:        o.SentinelUsername,
		Password:        o.SentinelPassword,
		TLSConfig:       o.SentinelTLSConfig,
		Dialer:          o.NodeOptions.Dialer,
		DialTimeout:     o.SentinelTimeout,
		LazyConnect:     true,
		DisableIdentity: o.NodeOptions.DisableIdentity,
		// A sentinel that is down fails its questions at once; the next
		// sentinel is asked.
		MaxRetriesPerRequest: fastredis.NoRetries,
		CredentialsProvider:  o.SentinelCredentialsProvider,
	}
}
