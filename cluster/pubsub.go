package cluster

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/director"
	"github.com/fastredis/fastredis/internal/route"
)

// Pub/sub on a cluster. A message published on any node reaches the
// subscribers of every node, so Subscribe and PSubscribe run on one node's
// connection: a fastredis.Client directed at a master chosen at random from
// the current topology. When that node fails or leaves, the subscriber's
// connection is re-established, through the director, on another master,
// and its channels and patterns are subscribed again (fastredis's own
// resubscription). PUBLISH goes to any master; SPUBLISH routes by the
// channel's slot.

// pubsubDirector sends the subscriber client's dials to a live master.
type pubsubDirector Client

func (d *pubsubDirector) Addr(ctx context.Context) (string, error) {
	c := (*Client)(d)
	st := c.state.Load()
	if st == nil || len(st.masters) == 0 {
		c.requestRefresh("subscriber: no master")
		return "", errNoTopology
	}
	return st.masters[rand.IntN(len(st.masters))].addr, nil
}

func (d *pubsubDirector) Check(ctx context.Context, addr, role string) error { return nil }

// subscriber returns the client the cluster's subscribers use, making it
// the first time.
func (c *Client) subscriber() (*fastredis.Client, error) {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	if c.closed.Load() {
		return nil, fastredis.ErrClosed
	}
	if c.sub != nil {
		return c.sub, nil
	}
	opts := c.opts.NodeOptions
	opts.Addr, opts.Network, opts.LazyConnect = "cluster-subscriber", "tcp", true
	c.anyNodeCredentials(&opts)
	opts = route.ShareHooks(c.view, opts).(fastredis.Options)
	cl, err := director.NewClient(opts, (*pubsubDirector)(c))
	if err != nil {
		return nil, err
	}
	c.sub = cl.(*fastredis.Client)
	return c.sub, nil
}

// anyNodeCredentials sets the credentials of a client whose node is picked
// at each dial: one set for every node, the first seed's.
func (c *Client) anyNodeCredentials(opts *fastredis.Options) {
	if seeds := c.seeds; len(seeds) > 0 {
		c.opts.applyCredentials(opts, seeds[0])
	}
}

// NewPubSub returns a subscriber on one node of the cluster (see the
// package's pub/sub notes): it moves to another node, resubscribed, when
// its node fails.
func (c *Client) NewPubSub(ctx context.Context, opts fastredis.PubSubOptions) (*fastredis.PubSub, error) {
	s, err := c.subscriber()
	if err != nil {
		return nil, err
	}
	return s.NewPubSub(ctx, opts)
}

// Subscribe subscribes to channels on one node of the cluster.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*fastredis.PubSub, error) {
	s, err := c.subscriber()
	if err != nil {
		return nil, err
	}
	return s.Subscribe(ctx, channels...)
}

// PSubscribe subscribes to patterns on one node of the cluster.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*fastredis.PubSub, error) {
	s, err := c.subscriber()
	if err != nil {
		return nil, err
	}
	return s.PSubscribe(ctx, patterns...)
}

// Sharded pub/sub: Client.SSubscribe is the embedded fastredis.Client's.
// On a routed client it returns a PubSub that takes shard channels of any
// slots: fastredis keeps the registry (one connection per master serving
// some of them, one SSUBSCRIBE per slot, resubscription when a slot moves
// or a master fails) and asks this router, through route.ShardRouter,
// which master serves a slot.

// doShardNode returns the client of the master that serves slot
// (route.ShardRouter). With refresh, the topology is read again first,
// unless it was read less than MinRefreshInterval ago.
func (c *Client) doShardNode(ctx context.Context, slot int, refresh bool) (string, any, error) {
	if c.closed.Load() {
		return "", nil, fastredis.ErrClosed
	}
	if refresh && time.Since(time.Unix(0, c.lastRefresh.Load())) >= c.opts.MinRefreshInterval {
		if err := c.refreshNow(ctx, "shard subscriber"); err != nil {
			return "", nil, err
		}
	}
	n, err := c.pick(slot, true, false)
	if err != nil {
		return "", nil, err
	}
	return n.addr, n.client, nil
}

// doResubscribed emits EventResubscribed (route.ShardRouter).
func (c *Client) doResubscribed(addr string, channels []string, reason string) {
	c.emit(Event{Type: EventResubscribed, Addr: addr, Channels: channels, Reason: reason})
}
