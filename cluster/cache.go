package cluster

import "github.com/fastredis/fastredis/fastredis"

// Client-side caching on a cluster is per node: set
// Options.NodeOptions.Cache, and each node client keeps its own cache,
// filled and invalidated through its own connections. The cached reads
// (CachedGet, DoCached, ...) go to the node that serves their key and are
// served from its cache.

// CacheStats returns the cache counters of every node client the cluster
// client has, summed. All zero without NodeOptions.Cache.
func (c *Client) CacheStats() fastredis.CacheStats {
	c.mu.Lock()
	nodes := make([]*fastredis.Client, 0, len(c.nodes))
	for _, n := range c.nodes {
		nodes = append(nodes, n.client)
	}
	c.mu.Unlock()
	var st fastredis.CacheStats
	for _, n := range nodes {
		s := n.CacheStats()
		st.Hits += s.Hits
		st.Misses += s.Misses
		st.Evictions += s.Evictions
		st.Invalidations += s.Invalidations
		st.Discarded += s.Discarded
		st.Entries += s.Entries
		st.Bytes += s.Bytes
	}
	return st
}
