// Package sentinel is a client for a Redis master (or replica) found
// through Redis Sentinel, following failovers without losing writes.
//
//	c, err := sentinel.NewClient(sentinel.Options{
//		MasterName: "mymaster",
//		Sentinels:  []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
//	})
//	if err != nil { ... }
//	defer c.Close()
//	err = c.Set(ctx, "k", "v") // a fastredis.Client in every respect
//
// The sentinels only decide where each connection goes (a fastredis.Client
// asks them at every dial, and checks the server's ROLE after the
// handshake), so reconnects, the offline queue, resends, pipelines,
// transactions and pub/sub are the single-server client's. The sentinels
// are tried in turn (the one that answers moves to the front; the
// sentinels it knows of are added), each within SentinelTimeout, and every
// known sentinel is watched for failovers: from the first announcement that
// one began until +switch-master, new commands are held rather than sent to
// a master about to be replaced; what was already sent is drained with WAIT;
// then every connection moves to the new master at once.
package sentinel
