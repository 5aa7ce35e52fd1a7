package cluster

import (
	"context"
	"errors"
	"iter"

	"github.com/fastredis/fastredis/fastredis"
)

// ScanIter iterates over the keys of the whole cluster: every master in
// turn, each with its own cursor (SCAN, filtered by opts). If the master
// being scanned fails over, the scan of its slots starts again on the new
// master: keys may be returned twice, but none present throughout is
// missed. Breaking out of the loop stops at once. An error (the budget of
// retries spent, or ctx ended) comes out once and ends the iteration.
//
// HScanIter, SScanIter and ZScanIter need no counterpart: their key routes
// them to the one node that has it.
func (c *Client) ScanIter(ctx context.Context, opts ...fastredis.ScanOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		st := c.state.Load()
		if st == nil {
			yield("", errNoTopology)
			return
		}
		// One representative slot per shard: the scan follows whoever
		// serves it.
		var slots []int
		for _, si := range st.topo.shards {
			if len(si.ranges) > 0 {
				slots = append(slots, si.ranges[0][0])
			}
		}
		for _, slot := range slots {
			if !c.scanShard(ctx, slot, opts, yield) {
				return
			}
		}
	}
}

// scanShard scans the master serving slot, starting again on its new
// master after a failover. It returns false when the iteration must stop.
func (c *Client) scanShard(ctx context.Context, slot int, opts []fastredis.ScanOptions, yield func(string, error) bool) bool {
	tries := 0
	argv := [][]byte{[]byte("SCAN")}
	for {
		n, err := c.pick(slot, true, false)
		if err == nil {
			failed := false
			for key, serr := range n.client.ScanIter(ctx, opts...) {
				if serr != nil {
					if ctx.Err() != nil || c.closed.Load() || !c.retryable(serr, n) {
						yield("", serr)
						return false
					}
					failed, err = true, serr
					break
				}
				if !yield(key, nil) {
					return false
				}
			}
			if !failed {
				return true
			}
		}
		c.requestRefresh("scan: node failing")
		if werr := c.retryWait(ctx, &tries, argv, err); werr != nil {
			yield("", werr)
			return false
		}
	}
}

var errNoTopology = errors.New("fastredis/cluster: no topology yet")
