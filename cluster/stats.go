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
// client's counts in the totals (shard subscribers run on the node
// clients).
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
	sub := c.sub
	c.subMu.Unlock()
	if sub != nil {
		st.Stats.Add(sub.Stats()) // shard subscribers run on the node clients
	}
	return st
}
