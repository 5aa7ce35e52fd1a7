package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// The fill phase writes every key of the key space before the run, so that
// the GETs of the SET:GET workload find a value: a GET of a missing key is a
// cheaper request than a hit, and a run of misses measures the wrong thing.
// It sends MSETs of about fillBatchBytes each, fillInFlight at a time over
// the client's automatic pipelining: 100,000 keys of 64 bytes take a small
// fraction of a second on a local server.
const (
	fillBatchBytes = 64 << 10
	fillInFlight   = 8
)

// fillResult is what the fill phase did.
type fillResult struct {
	keys    int
	elapsed time.Duration
}

// fill writes keys 0 .. wl.keys-1 with the workload's value. It stops at
// the first error, or when ctx is cancelled.
func fill(ctx context.Context, client *fastredis.Client, wl *workload) (*fillResult, error) {
	begin := time.Now()
	perKey := len(wl.prefix) + 20 + len(wl.value) + 32 // key, value and their framing
	batch := max(1, min(fillBatchBytes/perKey, wl.keys))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64 // the first key of the next batch
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(fillInFlight, (wl.keys+batch-1)/batch) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				cmd     fastredis.Cmd
				scratch []byte
			)
			for {
				from := int(next.Add(int64(batch))) - batch
				if from >= wl.keys || ctx.Err() != nil {
					return
				}
				cmd.Reset("MSET")
				for k := from; k < min(from+batch, wl.keys); k++ {
					scratch = wl.appendKey(scratch[:0], k)
					cmd.ArgBytes(scratch).ArgBytes(wl.value)
				}
				if err := client.Exec(ctx, &cmd); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("filling the key space (-fill=false skips it): MSET: %w", err) })
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return &fillResult{keys: wl.keys, elapsed: time.Since(begin)}, nil
}
