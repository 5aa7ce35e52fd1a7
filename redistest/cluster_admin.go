package redistest

import (
	"context"
	"fmt"
	"testing"
)

// Shard is a master, the slots it serves and its replicas, as the cluster
// reports them.
type Shard struct {
	// Slots are the master's slot ranges, first and last slot included, in
	// order.
	Slots [][2]int
	// Master is the shard's master.
	Master *ClusterNode
	// Replicas are the master's healthy replicas, in node id order.
	Replicas []*ClusterNode
}

// Shards returns the shards as the first running node that answers reports
// them (CLUSTER SHARDS), ordered by first slot: so right after StartCluster,
// shard i is master Nodes()[i] with its replicas. Failed nodes, and replicas
// that have not replicated anything yet, are left out. It returns nil when
// no node answers. After a failover or migration, call WaitHealthy first so
// that every node agrees.
func (c *Cluster) Shards() []Shard {
	v, _ := c.anyView(context.Background())
	var out []Shard
	for _, s := range v {
		sh := Shard{Slots: s.slots, Master: c.nodeByID(s.master)}
		for _, id := range s.replicas {
			if n := c.nodeByID(id); n != nil {
				sh.Replicas = append(sh.Replicas, n)
			}
		}
		out = append(out, sh)
	}
	return out
}

// SlotOwner returns the master that serves slot now, as the first running
// node that answers says, or nil when there is none (or no node answers).
func (c *Cluster) SlotOwner(slot int) *ClusterNode {
	v, err := c.anyView(context.Background())
	if err != nil {
		return nil
	}
	return c.nodeByID(v.owner(slot))
}

// KeySlot returns the hash slot of key, as CLUSTER KEYSLOT would (see the
// package function KeySlot, which it calls: no server is asked).
func (c *Cluster) KeySlot(key string) int { return KeySlot(key) }

// anyView returns the slot map of the first running node that answers.
func (c *Cluster) anyView(ctx context.Context) (clusterView, error) {
	var firstErr error
	for _, n := range c.nodes {
		if !n.running() {
			continue
		}
		v, err := n.view(ctx)
		if err == nil {
			return v, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("redistest: no node of the cluster is running")
	}
	return nil, firstErr
}

// WaitHealthy waits until the running nodes form a healthy cluster and fails
// the test, with every node's log, if they do not within 20 seconds.
// Healthy means: every running node says cluster_state:ok with all slots
// covered; all of them report the same shards (masters, slots, replicas) in
// CLUSTER SHARDS, naming only running nodes and every one of them; none
// flags another running node as failing; and every replica's link to its
// master is up. Killed and stopped nodes are ignored, except that no slot
// may be left on one. Use it after a failover, a Restart or a migration
// done by hand.
func (c *Cluster) WaitHealthy(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	if err := c.WaitHealthyContext(ctx); err != nil {
		t.Fatal(err)
	}
}

// WaitHealthyContext is WaitHealthy without a testing.TB: it waits until
// the cluster is healthy or ctx is done, and then returns an error that
// says what was not healthy yet, with every node's log.
func (c *Cluster) WaitHealthyContext(ctx context.Context) error {
	if err := c.poll(ctx, "a healthy cluster", c.health); err != nil {
		return fmt.Errorf("redistest: %w%s", err, c.logs())
	}
	return nil
}

// FailoverOption modifies ClusterNode.Failover: see CLUSTER FAILOVER.
type FailoverOption string

const (
	// FailoverForce fails over without the master's agreement, for a master
	// that is down or unreachable; the other masters still vote.
	FailoverForce FailoverOption = "FORCE"
	// FailoverTakeover fails over without any vote: the replica just takes
	// the slots with a new epoch.
	FailoverTakeover FailoverOption = "TAKEOVER"
)

// Failover makes the node, a replica, take over from its master with
// CLUSTER FAILOVER (optionally FORCE or TAKEOVER), then waits until it is
// a master that serves its old master's slots and the cluster is healthy
// again (see WaitHealthy): every node agrees on the new roles, and the old
// master, if it runs, is linked as the new master's replica. A plain
// failover needs the master to be up; use FailoverForce when it is not. It
// fails the test if the node is not a replica or the failover does not
// happen within 20 seconds.
func (n *ClusterNode) Failover(t testing.TB, opts ...FailoverOption) {
	t.Helper()
	if len(opts) > 1 {
		t.Fatalf("redistest: Failover takes one option at most, got %v", opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	if err := n.failover(ctx, opts); err != nil {
		t.Fatal(err)
	}
}

func (n *ClusterNode) failover(ctx context.Context, opts []FailoverOption) error {
	ri, err := n.roleInfo(ctx)
	if err != nil {
		return fmt.Errorf("redistest: failover: %w", err)
	}
	if ri.role != "replica" {
		return fmt.Errorf("redistest: failover: %s is a %s, not a replica", n.Addr, ri.role)
	}
	args := []string{"CLUSTER", "FAILOVER"}
	for _, o := range opts {
		args = append(args, string(o))
	}
	if err := n.ok(ctx, args...); err != nil {
		return fmt.Errorf("redistest: failover: %w", err)
	}
	c := n.cluster
	err = c.poll(ctx, n.Addr+" to take over", func(ctx context.Context) error {
		if r := n.Role(); r != "master" {
			return fmt.Errorf("%s is still a %s", n.Addr, r)
		}
		if err := c.health(ctx); err != nil {
			return err
		}
		v, err := n.view(ctx)
		if err != nil {
			return err
		}
		if s := v.shard(n.id); s == nil || len(s.slots) == 0 {
			return fmt.Errorf("%s is a master without slots", n.Addr)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redistest: failover: %w%s", err, c.logs())
	}
	return nil
}
