package redistest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// shardView is one shard as a node reports it in CLUSTER SHARDS.
type shardView struct {
	slots    [][2]int // ranges, first to last
	master   string   // node id
	replicas []string // ids of the replicas reported healthy ("online"), sorted
}

// clusterView is the slot map as one node sees it: its shards, sorted by
// first slot (shards without slots last, by master id).
type clusterView []shardView

// String is a canonical form: two nodes agree when their Strings are equal.
func (v clusterView) String() string {
	var b strings.Builder
	for _, s := range v {
		fmt.Fprintf(&b, "%v master=%s replicas=%v; ", s.slots, s.master, s.replicas)
	}
	return b.String()
}

// owner returns the id of the master of slot, or "".
func (v clusterView) owner(slot int) string {
	for _, s := range v {
		for _, r := range s.slots {
			if r[0] <= slot && slot <= r[1] {
				return s.master
			}
		}
	}
	return ""
}

// shard returns the shard whose master is id, or nil.
func (v clusterView) shard(id string) *shardView {
	for i := range v {
		if v[i].master == id {
			return &v[i]
		}
	}
	return nil
}

// view asks the node for CLUSTER SHARDS (Redis 7.0 and later). Nodes whose
// health is not "online" are left out: failed ones, and replicas that the
// node has not seen replicate anything yet, which 7.0 also leaves out of
// CLUSTER SLOTS.
func (n *ClusterNode) view(ctx context.Context) (clusterView, error) {
	v, err := n.do(ctx, "CLUSTER", "SHARDS")
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SHARDS on %s: %w", n.Addr, err)
	}
	cv, err := parseShards(v)
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SHARDS on %s: %w", n.Addr, err)
	}
	return cv, nil
}

// parseShards reads a RESP2 CLUSTER SHARDS reply, whose maps are flat
// key-value arrays.
func parseShards(v any) (clusterView, error) {
	shards, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected reply %v", v)
	}
	var out clusterView
	for _, sh := range shards {
		m := flatMap(sh)
		var s shardView
		slots, _ := m["slots"].([]any)
		for i := 0; i+1 < len(slots); i += 2 {
			lo, ok1 := toInt(slots[i])
			hi, ok2 := toInt(slots[i+1])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("unexpected slots %v", slots)
			}
			s.slots = append(s.slots, [2]int{lo, hi})
		}
		nodes, _ := m["nodes"].([]any)
		masterOnline := false
		for _, nv := range nodes {
			node := flatMap(nv)
			id, _ := node["id"].(string)
			online := node["health"] == "online"
			switch node["role"] {
			case "master":
				s.master, masterOnline = id, online
			default:
				if online {
					s.replicas = append(s.replicas, id)
				}
			}
		}
		if s.master == "" || (!masterOnline && len(s.slots) == 0) {
			continue // e.g. a failed master whose slots went to its replica
		}
		slices.SortFunc(s.slots, func(a, b [2]int) int { return a[0] - b[0] })
		slices.Sort(s.replicas)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b shardView) int {
		switch {
		case len(a.slots) == 0 && len(b.slots) == 0:
			return strings.Compare(a.master, b.master)
		case len(a.slots) == 0:
			return 1
		case len(b.slots) == 0:
			return -1
		}
		return a.slots[0][0] - b.slots[0][0]
	})
	return out, nil
}

func flatMap(v any) map[string]any {
	a, _ := v.([]any)
	m := make(map[string]any, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		if k, ok := a[i].(string); ok {
			m[k] = a[i+1]
		}
	}
	return m
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// roleInfo is a node's ROLE reply: for a replica, its master's address and
// its link state ("connected" once it replicates).
type roleInfo struct {
	role       string // "master" or "replica"
	masterAddr string
	linkState  string
}

func (n *ClusterNode) roleInfo(ctx context.Context) (roleInfo, error) {
	v, err := n.do(ctx, "ROLE")
	if err != nil {
		return roleInfo{}, fmt.Errorf("ROLE on %s: %w", n.Addr, err)
	}
	a, _ := v.([]any)
	switch {
	case len(a) >= 1 && a[0] == "master":
		return roleInfo{role: "master"}, nil
	case len(a) >= 4 && a[0] == "slave":
		ip, _ := a[1].(string)
		port, _ := a[2].(int64)
		state, _ := a[3].(string)
		return roleInfo{role: "replica", masterAddr: ip + ":" + strconv.FormatInt(port, 10), linkState: state}, nil
	}
	return roleInfo{}, fmt.Errorf("ROLE on %s: unexpected reply %v", n.Addr, v)
}

// health returns nil when the running nodes form a healthy cluster, else
// what is not yet so. Healthy means, for every node that is running (not
// killed or stopped):
//   - CLUSTER INFO says cluster_state:ok, cluster_slots_ok:16384 and knows
//     all nodes;
//   - CLUSTER NODES flags none of the other running nodes as failing or in
//     handshake;
//   - CLUSTER SHARDS is the same on every node (same masters, slots and
//     healthy replicas), names only running nodes, and names every running
//     node, each replica as healthy;
//   - a replica's link to its master is up (ROLE says "connected").
//
// A linked replica that the nodes do not list yet has replicated nothing;
// health then writes (and deletes) a key on its master to make its
// replication offset move (see nudge).
func (c *Cluster) health(ctx context.Context) error {
	running := make(map[string]*ClusterNode)
	for _, n := range c.nodes {
		if n.running() {
			running[n.id] = n
		}
	}
	if len(running) == 0 {
		return fmt.Errorf("no node is running")
	}
	var ref clusterView
	var refNode *ClusterNode
	for _, n := range c.nodes {
		if running[n.id] == nil {
			continue
		}
		info, err := n.str(ctx, "CLUSTER", "INFO")
		if err != nil {
			return err
		}
		for _, f := range []struct{ field, want string }{
			{"cluster_state", "ok"},
			{"cluster_slots_ok", strconv.Itoa(ClusterSlots)},
			{"cluster_known_nodes", strconv.Itoa(len(c.nodes))},
		} {
			if got := infoField(info, f.field); got != f.want {
				return fmt.Errorf("%s says %s:%s", n.Addr, f.field, got)
			}
		}
		lines, err := n.clusterNodes(ctx)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if running[l.id] != nil && l.hasFlag("fail", "fail?", "handshake", "noaddr") {
				return fmt.Errorf("%s flags %s (%s) %s", n.Addr, l.id, running[l.id].Addr, l.flags)
			}
		}
		v, err := n.view(ctx)
		if err != nil {
			return err
		}
		if refNode == nil {
			ref, refNode = v, n
		} else if v.String() != ref.String() {
			return fmt.Errorf("%s and %s disagree: %s and %s", refNode.Addr, n.Addr, ref, v)
		}
	}
	listed := make(map[string]bool)
	for _, s := range ref {
		for _, id := range append([]string{s.master}, s.replicas...) {
			if running[id] == nil {
				return fmt.Errorf("the nodes list %s, which is down or not ours", c.describe(id))
			}
			listed[id] = true
		}
	}
	var notYet error
	var nudge []*ClusterNode
	for _, n := range c.nodes {
		if running[n.id] == nil {
			continue
		}
		ri, err := n.roleInfo(ctx)
		if err != nil {
			return err
		}
		if ri.role == "replica" && ri.linkState != "connected" {
			return fmt.Errorf("replica %s: link to its master %s is %q", n.Addr, ri.masterAddr, ri.linkState)
		}
		if !listed[n.id] {
			if ri.role == "replica" {
				nudge = append(nudge, c.Node(ri.masterAddr))
			}
			if notYet == nil {
				notYet = fmt.Errorf("%s (%s) is not listed as healthy in CLUSTER SHARDS", n.Addr, ri.role)
			}
		}
	}
	if len(nudge) > 0 {
		c.nudge(ctx, ref, nudge)
	}
	return notYet
}

// describe names a node id with its address when it is one of ours.
func (c *Cluster) describe(id string) string {
	if n := c.nodeByID(id); n != nil {
		return id + " (" + n.Addr + ")"
	}
	return id
}

// nudgeEvery limits how often nudge writes.
const nudgeEvery = 200 * time.Millisecond

// nudge writes and deletes a key on each of masters, in one of its slots,
// so that their replicas' replication offsets move. Redis 7.0 shows a
// replica whose offset is 0 as "loading" in CLUSTER SHARDS and leaves it out
// of CLUSTER SLOTS until then, which without writes takes until the next
// replication ping. Errors are ignored: nudging is only a hint.
func (c *Cluster) nudge(ctx context.Context, v clusterView, masters []*ClusterNode) {
	c.nudgeMu.Lock()
	if time.Since(c.lastNudge) < nudgeEvery {
		c.nudgeMu.Unlock()
		return
	}
	c.lastNudge = time.Now()
	c.nudgeMu.Unlock()
	for _, master := range masters {
		if master == nil {
			continue
		}
		s := v.shard(master.id)
		if s == nil || len(s.slots) == 0 {
			continue
		}
		key := SlotTag(s.slots[0][0]) + "redistest:nudge"
		if master.ok(ctx, "SET", key, "1") == nil {
			_ = master.ok(ctx, "DEL", key)
		}
	}
}
