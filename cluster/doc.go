// Package cluster is a Redis Cluster client built from fastredis node
// clients.
//
//	c, err := cluster.NewClient(cluster.Options{Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"}})
//	if err != nil { ... }
//	defer c.Close()
//	err = c.Set(ctx, "user:1", "Ada")      // to the master of user:1's slot
//	v, err := c.Get(ctx, "user:1")
//	n, err := c.Del(ctx, "a", "b", "c")    // split per slot, counts summed
//
// The Client has every typed method of fastredis.Client: they are the
// methods of a fastredis.Client view whose commands go to this package's
// router instead of a connection (internal/route), so they exist once. The
// router reads each command's slot from the key-spec table key prefixing
// uses (CRC16 of the key or its hash tag), picks the node's client, and
// follows MOVED (patching that slot at once and refreshing the map in the
// background), ASK (ASKING and the command written together), TRYAGAIN and
// CLUSTERDOWN (retried with jittered backoff), within Options.MaxRedirects
// and the command's context. Commands the specs mark as fanning out go to
// every master or node, their replies merged as the specs' response policy
// says; MULTI_SHARD commands whose keys span slots are split per slot; any
// other command whose keys span slots fails with ErrCrossSlot before
// anything is sent.
//
// The topology comes from CLUSTER SHARDS (CLUSTER SLOTS on servers without
// it), read from up to three known nodes at once over their connections,
// the seeds being the last resort; it is read again after MOVED,
// CLUSTERDOWN, READONLY, the loss of a node, and every RefreshInterval, one
// refresh at a time and at most one per MinRefreshInterval.
package cluster
