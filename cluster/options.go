package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/natmap"
)

// Options configures a cluster Client. Addrs is the only field without a
// usable default.
type Options struct {
	// Addrs are seed nodes, "host:port": any nodes of the cluster. The
	// client asks them for the topology and discovers the rest; they are
	// asked again, as the last resort, when no known node answers.
	Addrs []string

	// NodeOptions is the template for every node's connection options:
	// Username, Password, DialTimeout, ReadTimeout, TLSConfig, PoolSize,
	// Protocol, Transport, KeyPrefix, ... Addr is set per node; DB must be
	// 0 (a cluster has one database); LazyConnect is set, so a node is
	// dialled when it is first used.
	NodeOptions fastredis.Options

	// Credentials, when set, gives a node's user name and password, for
	// clusters whose nodes do not share one (the rest of NodeOptions still
	// applies). addr is the node's address as the client dials it.
	Credentials func(addr string) (username, password string)

	// NodeCredentialsProvider, when set, is asked for a node's user name
	// and password at every handshake with it (each connection, each
	// reconnect), for rotating per-node passwords or tokens; its error
	// fails that connection attempt as NodeOptions.CredentialsProvider's
	// does. The most specific form wins: NodeCredentialsProvider, then
	// Credentials, then NodeOptions.CredentialsProvider, then
	// NodeOptions.Username and Password. The subscriber of Subscribe and
	// PSubscribe, which may land on any node, is given the first seed's
	// address; SSubscribe's connections are the masters' own.
	NodeCredentialsProvider func(ctx context.Context, addr string) (username, password string, err error)

	// NATMap maps the addresses the cluster announces (in CLUSTER SHARDS,
	// CLUSTER SLOTS, MOVED and ASK) to addresses the client can dial:
	// "10.0.0.5:6379" -> "redis-a.example.com:6379". NATMapper, when set, is
	// used instead; it returns the address to dial (the same one to keep
	// it). Seed addresses are not mapped.
	NATMap    map[string]string
	NATMapper func(addr string) string

	// Resolver, when set, resolves a seed's host name to the addresses to
	// try for it (net.DefaultResolver.LookupHost otherwise, at dial time).
	// Use it to try every address of a DNS name that stands for the whole
	// cluster.
	Resolver func(ctx context.Context, host string) ([]string, error)

	// ScaleReads says where read-only commands (the specs' READONLY flag)
	// go: ReadMasters (the default), ReadReplicas (a replica of the slot's
	// shard, the master if it has none), ReadAll (any node of the shard),
	// or ReadFunc. Writes always go to masters. Connections to replicas
	// send READONLY.
	ScaleReads ScaleReads

	// ReadFunc chooses the node of a read when ScaleReads is ReadCustom:
	// given the slot and its shard's nodes (the master first), it returns
	// the index of the node to use.
	ReadFunc func(slot int, nodes []NodeInfo) int

	// MaxRedirects bounds how many times a command is sent again: after
	// MOVED, ASK, TRYAGAIN, CLUSTERDOWN, or a node that cannot be reached.
	// Together with the command's context it is the command's budget; the
	// default, 16, with the backoff between retries of the last three,
	// rides through a failover of a few seconds. Negative: no retries.
	MaxRedirects int

	// RefreshInterval is how often the topology is read in the background
	// (jittered by up to a fifth); 0 means 15s, a negative value never.
	// Independently, the topology is read after MOVED, CLUSTERDOWN, READONLY
	// and the loss of a connection to any node, at most one refresh at a
	// time and no more often than MinRefreshInterval (0 means 100ms).
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration

	// CloseGrace is how long a node that left the topology keeps its
	// connections, for commands still on them, before they are closed; 0
	// means 5s.
	CloseGrace time.Duration

	// OnEvent is called with every topology event, and Logger logs them
	// (nodes' own connection events go to NodeOptions.OnEvent and
	// NodeOptions.Logger). Both may be nil; OnEvent must not block.
	OnEvent func(Event)
	Logger  *slog.Logger
}

// ScaleReads says which nodes serve read-only commands.
type ScaleReads int

const (
	ReadMasters  ScaleReads = iota // masters only (the default)
	ReadReplicas                   // replicas, or the master when a shard has none
	ReadAll                        // any node of the shard
	ReadCustom                     // Options.ReadFunc decides
)

const (
	defaultMaxRedirects    = 16
	defaultRefreshInterval = 15 * time.Second
	defaultMinRefresh      = 100 * time.Millisecond
	defaultCloseGrace      = 5 * time.Second
)

// validate checks opts and fills in defaults, returning the copy to use.
func (o Options) validate() (Options, error) {
	if len(o.Addrs) == 0 {
		return o, errors.New("fastredis/cluster: no seed addresses (Options.Addrs is empty)")
	}
	for _, a := range o.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return o, fmt.Errorf("fastredis/cluster: seed address %q: %w", a, err)
		}
	}
	if o.NodeOptions.DB != 0 {
		return o, errors.New("fastredis/cluster: a cluster has database 0 only (NodeOptions.DB is set)")
	}
	if o.NodeOptions.Network != "" && o.NodeOptions.Network != "tcp" {
		return o, fmt.Errorf("fastredis/cluster: network %q: cluster nodes are reached over tcp", o.NodeOptions.Network)
	}
	if o.ScaleReads < ReadMasters || o.ScaleReads > ReadCustom {
		return o, fmt.Errorf("fastredis/cluster: unknown ScaleReads %d", o.ScaleReads)
	}
	if o.ScaleReads == ReadCustom && o.ReadFunc == nil {
		return o, errors.New("fastredis/cluster: ScaleReads is ReadCustom but ReadFunc is nil")
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = defaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = defaultRefreshInterval
	}
	if o.MinRefreshInterval <= 0 {
		o.MinRefreshInterval = defaultMinRefresh
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = defaultCloseGrace
	}
	return o, nil
}

// mapAddr applies the NAT map to an announced address.
func (o *Options) mapAddr(addr string) string {
	return natmap.Apply(o.NATMap, o.NATMapper, addr)
}

// applyCredentials sets the credentials of the node at addr in n, by the
// precedence NodeCredentialsProvider documents.
func (o *Options) applyCredentials(n *fastredis.Options, addr string) {
	switch {
	case o.NodeCredentialsProvider != nil:
		p := o.NodeCredentialsProvider
		n.CredentialsProvider = func(ctx context.Context) (string, string, error) { return p(ctx, addr) }
	case o.Credentials != nil:
		n.Username, n.Password = o.Credentials(addr)
		n.CredentialsProvider = nil
	}
}

// nodeOptions returns the options of the node at addr.
func (o *Options) nodeOptions(addr string) fastredis.Options {
	n := o.NodeOptions
	n.Addr = addr
	n.Network = "tcp"
	n.LazyConnect = true
	o.applyCredentials(&n, addr)
	if n.TLSConfig != nil {
		host, _, _ := net.SplitHostPort(addr)
		cfg := n.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host // each node's own name (or IP), not a seed's
		}
		n.TLSConfig = cfg
	}
	return n
}
