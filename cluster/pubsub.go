package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

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
// channel's slot. Sharded subscriptions (SSubscribe) come with the next
// cluster issue.

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
	if c.opts.Credentials != nil {
		// One set for every node: the subscriber may land on any of them.
		if seeds := c.seeds; len(seeds) > 0 {
			opts.Username, opts.Password = c.opts.Credentials(seeds[0])
		}
	}
	opts = route.ShareHooks(c.view, opts).(fastredis.Options)
	cl, err := director.NewClient(opts, (*pubsubDirector)(c))
	if err != nil {
		return nil, err
	}
	c.sub = cl.(*fastredis.Client)
	return c.sub, nil
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

// SSubscribe subscribes to shard channels, which must all be in one slot
// (hash tags put them there: "{room:42}:chat", "{room:42}:typing"), on a
// connection to the slot's master. The subscription follows the slot:
// when the server ends it because the slot migrated (its sunsubscribe), or
// the master fails over, or the connection is lost, the subscriber reads
// the map again, reconnects to the slot's owner and subscribes again
// (messages published in the gap are missed, as with any subscriber).
// Channels of several slots need one SSubscribe per slot.
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*fastredis.PubSub, error) {
	if len(shardChannels) == 0 {
		return nil, errors.New("fastredis/cluster: SSubscribe needs a shard channel: it picks the node")
	}
	slot := Slot(shardChannels[0])
	for _, ch := range shardChannels[1:] {
		if Slot(ch) != slot {
			return nil, fmt.Errorf("%w: shard channels %q and %q (one SSubscribe per slot)", ErrCrossSlot, shardChannels[0], ch)
		}
	}
	opts := c.opts.NodeOptions
	opts.Addr, opts.Network, opts.LazyConnect = "cluster-shard-subscriber", "tcp", true
	opts = route.ShareHooks(c.view, opts).(fastredis.Options)
	cl, err := director.NewClient(opts, &shardDirector{c: c, slot: slot})
	if err != nil {
		return nil, err
	}
	sub := cl.(*fastredis.Client)
	ps, err := sub.SSubscribe(ctx, shardChannels...)
	if err != nil {
		sub.Close()
		return nil, err
	}
	c.trackShardClient(sub)
	return ps, nil
}

// shardDirector sends a shard subscriber's dials to its slot's master,
// reading the map first: a dial follows a migration or a failover.
type shardDirector struct {
	c    *Client
	slot int
}

func (d *shardDirector) Addr(ctx context.Context) (string, error) {
	if err := d.c.refreshNow(ctx, "shard subscriber"); err != nil {
		return "", err
	}
	n, err := d.c.pick(d.slot, true, false)
	if err != nil {
		return "", err
	}
	return n.addr, nil
}

func (d *shardDirector) Check(ctx context.Context, addr, role string) error {
	if role != "master" {
		return fmt.Errorf("fastredis/cluster: shard subscriber: %s is a %s, not the slot's master", addr, role)
	}
	return nil
}

// trackShardClient keeps a shard subscriber's client, to close it with the
// cluster client.
func (c *Client) trackShardClient(sub *fastredis.Client) {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	if c.closed.Load() {
		sub.Close()
		return
	}
	c.shardSubs = append(c.shardSubs, sub)
}
