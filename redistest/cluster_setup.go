package redistest

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// build turns the started, empty nodes into a cluster, with the same
// commands redis-cli --cluster create sends, but without its fixed waits
// and with every replica assigned to a known master:
//
//  1. CLUSTER SET-CONFIG-EPOCH gives each node a distinct epoch, so the
//     nodes need not resolve epoch collisions before they agree.
//  2. CLUSTER ADDSLOTSRANGE splits the slots evenly among the masters,
//     nodes 0 to Masters-1 (the same ranges as redis-cli).
//  3. CLUSTER MEET between every pair of nodes, so nobody waits for gossip
//     to learn of a node.
//  4. Once every node knows all the others, CLUSTER REPLICATE makes replica
//     j of master i (node Masters + i*ReplicasPerMaster + j) follow it.
//  5. Once the replicas are linked, FLUSHALL on the masters makes their
//     replication offsets move (see below).
//  6. Wait until the cluster is healthy (see health).
func (c *Cluster) build(ctx context.Context) error {
	for i, n := range c.nodes {
		id, err := n.str(ctx, "CLUSTER", "MYID")
		if err != nil {
			return err
		}
		n.id = id
		if err := n.ok(ctx, "CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	m := c.opts.Masters
	for i, r := range slotRanges(m) {
		if err := c.nodes[i].ok(ctx, "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(r[0]), strconv.Itoa(r[1])); err != nil {
			return err
		}
	}
	for i, n := range c.nodes {
		for _, peer := range c.nodes[i+1:] {
			if err := n.ok(ctx, "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(peer.clientPort()), strconv.Itoa(peer.busPort)); err != nil {
				return err
			}
		}
	}
	if err := c.poll(ctx, "every node to know every other", c.allKnown); err != nil {
		return err
	}
	for i, n := range c.nodes[m:] {
		master := c.nodes[i/max(c.opts.ReplicasPerMaster, 1)]
		if err := n.ok(ctx, "CLUSTER", "REPLICATE", master.id); err != nil {
			return err
		}
	}
	if len(c.nodes) > m {
		// A replica shows as "loading" in CLUSTER SHARDS (and is left out
		// of CLUSTER SLOTS) while its replication offset is 0. A write once
		// the replicas are linked moves the offsets; the masters refuse
		// keyed writes until the cluster is up (about 2 s after they start,
		// a delay Redis imposes), but FLUSHALL has no keys, and the nodes
		// are empty. Then the offsets spread by gossip during that delay.
		if err := c.poll(ctx, "the replicas to link to their masters", c.replicasLinked); err != nil {
			return err
		}
		for _, n := range c.nodes[:m] {
			if err := n.ok(ctx, "FLUSHALL"); err != nil {
				return err
			}
		}
	}
	return c.poll(ctx, "the cluster to be ready", c.health)
}

// replicasLinked checks that every replica's link to its master is up.
func (c *Cluster) replicasLinked(ctx context.Context) error {
	for _, n := range c.nodes[c.opts.Masters:] {
		ri, err := n.roleInfo(ctx)
		if err != nil {
			return err
		}
		if ri.role != "replica" || ri.linkState != "connected" {
			return fmt.Errorf("%s is a %s, link state %q", n.Addr, ri.role, ri.linkState)
		}
	}
	return nil
}

// slotRanges splits the slots among m masters as redis-cli --cluster create
// does, so the ranges are the familiar ones: for three masters 0-5460,
// 5461-10922 and 10923-16383.
func slotRanges(m int) [][2]int {
	per := float32(ClusterSlots) / float32(m)
	var cursor float32
	first := 0
	out := make([][2]int, m)
	for i := range out {
		last := int(math.Round(float64(cursor + per - 1)))
		if last > ClusterSlots-1 || i == m-1 {
			last = ClusterSlots - 1
		}
		last = max(last, first)
		out[i] = [2]int{first, last}
		first = last + 1
		cursor += per
	}
	return out
}

// clientPort is the port the node announces to the cluster: its TLS port
// when the nodes talk TLS to each other, else its plain port.
func (n *ClusterNode) clientPort() int {
	if n.cluster.opts.TLS {
		return n.TLSPort
	}
	return n.Port
}

// allKnown checks that every node lists every other in CLUSTER NODES, past
// the handshake.
func (c *Cluster) allKnown(ctx context.Context) error {
	for _, n := range c.nodes {
		lines, err := n.clusterNodes(ctx)
		if err != nil {
			return err
		}
		seen := 0
		for _, l := range lines {
			if c.nodeByID(l.id) == nil {
				continue
			}
			if l.hasFlag("handshake", "noaddr") {
				return fmt.Errorf("%s lists %s with flags %s", n.Addr, l.id, l.flags)
			}
			seen++
		}
		if seen != len(c.nodes) {
			return fmt.Errorf("%s knows %d of the %d nodes", n.Addr, seen, len(c.nodes))
		}
	}
	return nil
}

// poll calls check every pollInterval until it returns nil or ctx is done;
// then it returns check's last error, saying what it waited for.
func (c *Cluster) poll(ctx context.Context, what string, check func(context.Context) error) error {
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		t := time.NewTimer(pollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("gave up waiting for %s (%w); last seen: %w", what, context.Cause(ctx), err)
		case <-t.C:
		}
	}
}

// nodeLine is one line of CLUSTER NODES.
type nodeLine struct {
	id, addr, flags, master string
}

func (l nodeLine) hasFlag(flags ...string) bool {
	for _, f := range strings.Split(l.flags, ",") {
		for _, want := range flags {
			if f == want {
				return true
			}
		}
	}
	return false
}

// clusterNodes asks the node for CLUSTER NODES.
func (n *ClusterNode) clusterNodes(ctx context.Context) ([]nodeLine, error) {
	s, err := n.str(ctx, "CLUSTER", "NODES")
	if err != nil {
		return nil, err
	}
	var out []nodeLine
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("CLUSTER NODES on %s: unexpected line %q", n.Addr, line)
		}
		out = append(out, nodeLine{id: f[0], addr: f[1], flags: f[2], master: f[3]})
	}
	return out, nil
}

func (c *Cluster) nodeByID(id string) *ClusterNode {
	for _, n := range c.nodes {
		if n.id == id {
			return n
		}
	}
	return nil
}
