package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/keyspec"
)

// A topology is the cluster as one node described it: its shards, each a
// master and its replicas, and which shard serves each of the 16384 slots.
// It is immutable once built; the client swaps in a new one when it
// refreshes, and patches a copy of the slot table on MOVED.

// NodeInfo describes a node as the cluster announced it (after NATMap).
type NodeInfo struct {
	ID   string
	Addr string // host:port a client dials
	// Master reports whether the node is its shard's master.
	Master bool
	// Health is what CLUSTER SHARDS says ("online", "failed", "loading");
	// "online" for nodes learnt from CLUSTER SLOTS.
	Health string
}

// shardInfo is a master and its replicas, as parsed.
type shardInfo struct {
	ranges   [][2]int
	master   NodeInfo
	replicas []NodeInfo
}

// topology is a parsed slot map.
type topology struct {
	shards []shardInfo
	slots  [keyspec.SlotCount]int16 // shard index per slot, -1 when no shard serves it
	source string                   // the node that described it
	via    string                   // "CLUSTER SHARDS" or "CLUSTER SLOTS"
}

var errNoSlots = errors.New("the node reports no slots: is the cluster created?")

// newTopology fills the slot table from shards.
func newTopology(shards []shardInfo, source, via string) (*topology, error) {
	t := &topology{shards: shards, source: source, via: via}
	for i := range t.slots {
		t.slots[i] = -1
	}
	covered := 0
	for si, s := range shards {
		for _, r := range s.ranges {
			if r[0] < 0 || r[1] >= keyspec.SlotCount || r[0] > r[1] {
				return nil, fmt.Errorf("slot range %d-%d out of bounds", r[0], r[1])
			}
			for slot := r[0]; slot <= r[1]; slot++ {
				if t.slots[slot] < 0 {
					covered++
				}
				t.slots[slot] = int16(si)
			}
		}
	}
	if covered == 0 {
		return nil, errNoSlots
	}
	return t, nil
}

// covered counts the slots a shard serves.
func (t *topology) covered() int {
	n := 0
	for _, s := range t.slots {
		if s >= 0 {
			n++
		}
	}
	return n
}

// nodeAddrs lists every node's address, masters first.
func (t *topology) nodeAddrs() []string {
	var out []string
	for _, s := range t.shards {
		out = append(out, s.master.Addr)
	}
	for _, s := range t.shards {
		for _, r := range s.replicas {
			out = append(out, r.Addr)
		}
	}
	return out
}

// sameAs reports whether two topologies route every slot to the same nodes.
func (t *topology) sameAs(u *topology) bool {
	if u == nil || len(t.shards) != len(u.shards) || t.slots != u.slots {
		return false
	}
	for i := range t.shards {
		a, b := t.shards[i], u.shards[i]
		if a.master.Addr != b.master.Addr || len(a.replicas) != len(b.replicas) {
			return false
		}
		for j := range a.replicas {
			if a.replicas[j].Addr != b.replicas[j].Addr {
				return false
			}
		}
	}
	return true
}

// parseShards reads a CLUSTER SHARDS reply. Only nodes whose health is
// "online" are kept (a failed master is no use, and on Redis 7.0 a replica
// that has received nothing yet reports "loading"); tls picks the nodes'
// tls-port; mapAddr applies the NAT map.
func parseShards(r fastredis.Reply, tls bool, mapAddr func(string) string) ([]shardInfo, error) {
	var out []shardInfo
	for _, sh := range r.Elems {
		var s shardInfo
		fields := sh.Elems
		if len(fields)%2 != 0 {
			return nil, errors.New("CLUSTER SHARDS: a shard is not a map")
		}
		haveMaster := false
		for i := 0; i < len(fields); i += 2 {
			switch fields[i].Str {
			case "slots":
				e := fields[i+1].Elems
				if len(e)%2 != 0 {
					return nil, errors.New("CLUSTER SHARDS: odd slot list")
				}
				for j := 0; j < len(e); j += 2 {
					lo, hi, err := intPair(e[j], e[j+1])
					if err != nil {
						return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
					}
					s.ranges = append(s.ranges, [2]int{lo, hi})
				}
			case "nodes":
				for _, n := range fields[i+1].Elems {
					info, err := parseShardNode(n, tls, mapAddr)
					if err != nil {
						return nil, err
					}
					if info.Health != "online" {
						continue
					}
					if info.Master && !haveMaster {
						s.master, haveMaster = info, true
					} else if !info.Master {
						s.replicas = append(s.replicas, info)
					}
				}
			}
		}
		if len(s.ranges) == 0 {
			continue // a shard without slots (a master being added, or empty)
		}
		if !haveMaster {
			continue // its master failed and no replica took over yet: its slots are down
		}
		out = append(out, s)
	}
	return out, nil
}

func parseShardNode(n fastredis.Reply, tls bool, mapAddr func(string) string) (NodeInfo, error) {
	f := n.Elems
	if len(f)%2 != 0 {
		return NodeInfo{}, errors.New("CLUSTER SHARDS: a node is not a map")
	}
	var info NodeInfo
	var ip, endpoint, hostname string
	var port, tlsPort int64
	for i := 0; i < len(f); i += 2 {
		v := f[i+1]
		switch f[i].Str {
		case "id":
			info.ID = v.Str
		case "ip":
			ip = v.Str
		case "endpoint":
			endpoint = v.Str
		case "hostname":
			hostname = v.Str
		case "port":
			port = v.Int
		case "tls-port":
			tlsPort = v.Int
		case "role":
			info.Master = v.Str == "master"
		case "health":
			info.Health = v.Str
		}
	}
	host := endpoint
	if host == "" || host == "?" {
		host = hostname
	}
	if host == "" || host == "?" {
		host = ip
	}
	p := port
	if tls && tlsPort != 0 {
		p = tlsPort
	}
	if host == "" || p <= 0 {
		return NodeInfo{}, fmt.Errorf("CLUSTER SHARDS: node %q has no address", info.ID)
	}
	info.Addr = mapAddr(net.JoinHostPort(host, strconv.FormatInt(p, 10)))
	return info, nil
}

// parseSlots reads a CLUSTER SLOTS reply: one entry per slot range, the
// first node its master, the rest replicas.
func parseSlots(r fastredis.Reply, mapAddr func(string) string) ([]shardInfo, error) {
	byMaster := map[string]int{}
	var out []shardInfo
	for _, e := range r.Elems {
		if len(e.Elems) < 3 {
			return nil, errors.New("CLUSTER SLOTS: short entry")
		}
		lo, hi, err := intPair(e.Elems[0], e.Elems[1])
		if err != nil {
			return nil, fmt.Errorf("CLUSTER SLOTS: %w", err)
		}
		var nodes []NodeInfo
		for _, n := range e.Elems[2:] {
			if len(n.Elems) < 2 {
				return nil, errors.New("CLUSTER SLOTS: short node")
			}
			host := n.Elems[0].Str
			if host == "" || host == "?" {
				continue // an unknown endpoint: the node cannot be reached
			}
			info := NodeInfo{Addr: mapAddr(net.JoinHostPort(host, strconv.FormatInt(n.Elems[1].Int, 10))), Health: "online"}
			if len(n.Elems) > 2 {
				info.ID = n.Elems[2].Str
			}
			nodes = append(nodes, info)
		}
		if len(nodes) == 0 {
			continue
		}
		nodes[0].Master = true
		i, ok := byMaster[nodes[0].Addr]
		if !ok {
			i = len(out)
			byMaster[nodes[0].Addr] = i
			out = append(out, shardInfo{master: nodes[0], replicas: nodes[1:]})
		}
		out[i].ranges = append(out[i].ranges, [2]int{lo, hi})
	}
	return out, nil
}

func intPair(a, b fastredis.Reply) (int, int, error) {
	lo, hi := a.Int, b.Int
	if a.Str != "" { // a RESP2 server never sends these as strings; be lenient
		n, err := strconv.ParseInt(a.Str, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		lo = n
	}
	if b.Str != "" {
		n, err := strconv.ParseInt(b.Str, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		hi = n
	}
	if lo < 0 || hi >= keyspec.SlotCount || lo > hi {
		return 0, 0, fmt.Errorf("bad slot range %d-%d", lo, hi)
	}
	return int(lo), int(hi), nil
}
