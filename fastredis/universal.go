package fastredis

import (
	"context"
	"errors"
	"fmt"
	"github.com/fastredis/fastredis/internal/director"
	"github.com/fastredis/fastredis/internal/route"
	"iter"
	"time"
)

// UniversalClient is what every kind of client offers: the typed commands
// (Cmdable) and the rest of the client API that means the same on one
// server, a cluster or a master found through sentinels. Write code against
// it to run on any of them and to switch kinds by changing the constructor
// (NewUniversalClient picks one from options); fake it in tests by embedding
// it in a struct.
//
// *Client satisfies it; the cluster and sentinel clients will. Left out are
// the methods that belong to one server's connections: Options (the
// single-server Options), DB and Select (a cluster has database 0 only),
// Monitor (one server's commands) and NewPubSub (a subscriber not yet
// subscribed to anything has no node to go to in a cluster; Subscribe and
// its siblings are here). A *Tx is a Cmdable but not a UniversalClient: it
// is one connection lent by Watch, and its own Watch watches more keys.
//
// UniversalClient grows as the clients do: implement it by embedding, not
// by listing its methods.
type UniversalClient interface {
	Cmdable

	// Any command, and commands written by hand.
	Do(ctx context.Context, args ...any) (Reply, error)
	Exec(ctx context.Context, cmd *Cmd) error
	SetBytes(ctx context.Context, key string, value []byte) error
	HSetMap(ctx context.Context, key string, m map[string]string) (int64, error)
	SetArgTransformer(command string, fn ArgTransformer)
	SetReplyTransformer(command string, fn ReplyTransformer)

	// Structs.
	HGetAllScan(ctx context.Context, key string, dst any) error
	HMGetScan(ctx context.Context, key string, dst any) error
	MGetScan(ctx context.Context, keyPrefix string, dst any) error
	HSetStruct(ctx context.Context, key string, src any) (int64, error)

	// Scripts.
	RunScript(ctx context.Context, s *Script, keys []string, args ...any) (Reply, error)
	RunScriptInt(ctx context.Context, s *Script, keys []string, args ...any) (int64, error)
	RunScriptString(ctx context.Context, s *Script, keys []string, args ...any) (string, error)
	RunScriptAppend(ctx context.Context, dst []byte, s *Script, keys []string, args ...any) ([]byte, error)

	// Iterators.
	ScanIter(ctx context.Context, opts ...ScanOptions) iter.Seq2[string, error]
	SScanIter(ctx context.Context, key string, opts ...SScanOptions) iter.Seq2[string, error]
	HScanIter(ctx context.Context, key string, opts ...HScanOptions) iter.Seq2[FieldValue, error]
	ZScanIter(ctx context.Context, key string, opts ...ZScanOptions) iter.Seq2[ZMember, error]

	// Pipelines and transactions.
	Pipeline() *Pipeline
	Pipelined(ctx context.Context, fn func(p *Pipeline)) error
	TxPipeline() *Pipeline
	TxPipelined(ctx context.Context, fn func(p *Pipeline)) error
	Watch(ctx context.Context, fn func(tx *Tx) error, keys ...string) error
	WatchRetry(ctx context.Context, attempts int, fn func(tx *Tx) error, keys ...string) error

	// Pub/sub.
	Subscribe(ctx context.Context, channels ...string) (*PubSub, error)
	PSubscribe(ctx context.Context, patterns ...string) (*PubSub, error)
	SSubscribe(ctx context.Context, shardChannels ...string) (*PubSub, error)
	NewShardPubSub(ctx context.Context, opts PubSubOptions) (*PubSub, error)

	// Client-side caching (Options.Cache; a cluster's NodeOptions.Cache).
	CachedGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	CachedGetAppend(ctx context.Context, dst []byte, key string, ttl time.Duration) ([]byte, error)
	CachedMGet(ctx context.Context, ttl time.Duration, keys ...string) ([]NullString, error)
	CachedHGet(ctx context.Context, key, field string, ttl time.Duration) (string, error)
	CachedHGetAll(ctx context.Context, key string, ttl time.Duration) (map[string]string, error)
	CachedSMembers(ctx context.Context, key string, ttl time.Duration) ([]string, error)
	DoCached(ctx context.Context, ttl time.Duration, args ...any) (Reply, error)
	CacheStats() CacheStats

	// Hooks.
	AddHook(h Hook)

	// Life cycle.
	Status() Status
	Close() error
}

var (
	_ UniversalClient = (*Client)(nil)
	_ Cmdable         = (*Tx)(nil)
)

// UniversalOptions configures NewUniversalClient: the servers, and the
// options of every connection. The kind of client follows from them, as in
// go-redis:
//
//   - MasterName set: a sentinel client, Addrs being the sentinels;
//   - two or more Addrs: a cluster client, Addrs being seed nodes;
//   - otherwise: a Client for the one address, Addrs[0] or Options.Addr
//     (DefaultAddr when both are empty).
//
// The cluster and sentinel clients are not available yet: asking for one is
// an error matching errors.ErrUnsupported.
type UniversalOptions struct {
	// Addrs lists host:port addresses (or unix socket paths): one server,
	// a cluster's seed nodes, or the sentinels.
	Addrs []string
	// MasterName is the name of the master the sentinels monitor.
	MasterName string

	// Options are the options of every connection to a server. Its Addr
	// is an alternative to Addrs for a single server: set one of them,
	// not both.
	Options
}

// NewUniversalClient returns the kind of client opts describe (see
// UniversalOptions), connected as its constructor connects: for a single
// server, what NewClient(opts.Options) returns, with Addr from Addrs. Invalid
// options are an error, never a panic; so are several addresses or a
// MasterName until the cluster and sentinel clients land, rather than
// a client for the first address alone.
func NewUniversalClient(opts UniversalOptions) (UniversalClient, error) {
	for i, a := range opts.Addrs {
		if a == "" {
			return nil, fmt.Errorf("fastredis: UniversalOptions.Addrs[%d] is empty", i)
		}
	}
	switch {
	case opts.MasterName != "":
		if director.NewSentinel == nil {
			return nil, fmt.Errorf("fastredis: UniversalOptions.MasterName %q asks for a sentinel client: import github.com/fastredis/fastredis/sentinel (a blank import will do) to make one (%w)", opts.MasterName, errors.ErrUnsupported)
		}
		c, err := director.NewSentinel(opts.MasterName, opts.Addrs, opts.Options)
		if err != nil {
			return nil, err
		}
		u, ok := c.(UniversalClient)
		if !ok {
			return nil, errors.New("fastredis: the sentinel client is not a UniversalClient")
		}
		return u, nil
	case len(opts.Addrs) > 1:
		if route.NewCluster == nil {
			return nil, fmt.Errorf("fastredis: %d addresses in UniversalOptions.Addrs ask for a cluster client: import github.com/fastredis/fastredis/cluster (a blank import will do) to make one (%w)", len(opts.Addrs), errors.ErrUnsupported)
		}
		c, err := route.NewCluster(opts.Addrs, opts.Options)
		if err != nil {
			return nil, err
		}
		u, ok := c.(UniversalClient)
		if !ok {
			return nil, errors.New("fastredis: the cluster client is not a UniversalClient")
		}
		return u, nil
	case len(opts.Addrs) == 1 && opts.Addr != "":
		return nil, errors.New("fastredis: UniversalOptions has both Addrs and Options.Addr: set one of them")
	case len(opts.Addrs) == 1:
		opts.Addr = opts.Addrs[0]
	}
	c, err := NewClient(opts.Options)
	if err != nil {
		return nil, err // a nil UniversalClient, not a nil *Client in one
	}
	return c, nil
}
