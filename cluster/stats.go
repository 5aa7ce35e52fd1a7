package cluster

import "github.com/fastredis/fastredis/fastredis"

// Stats is a cluster client's snapshot: the totals over its node clients,
// and each node's own, by address.
type Stats struct {
	fastredis.Stats                            // totals over Nodes, and the subscribers' clients
	Nodes           map[string]fastredis.Stats // by node address
}

// Stats returns the counters and connection states of every node client
// the cluster client has (those of nodes that left the topology included
// until they close), summed in the embedded Stats, with the subscriber
// clients' counts in the totals.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	nodes := make(map[string]*fastredis.Client, len(c.nodes))
	for addr, n := range c.nodes {
		nodes[addr] = n.client
	}
	c.mu.Unlock()
	st := Stats{Nodes: make(map[string]fastredis.Stats, len(nodes))}
	for addr, cl := range nodes {
		ns := cl.Stats()
		st.Nodes[addr] = ns
		st.Stats.Add(ns)
	}
	c.subMu.Lock()
	subs := append([]*fastredis.Client(nil), c.shardSubs...)
	if c.sub != nil {
		subs = append(subs, c.sub)
	}
	c.subMu.Unlock()
	for _, s := range subs {
		st.Stats.Add(s.Stats())
	}
	return st
}
