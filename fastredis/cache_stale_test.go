package fastredis

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheStaleness measures how long a cached read can return a value
// older than a write already acknowledged: 32 writers (another client)
// INCR a few keys, recording when each reply came; 32 readers read them
// through the cache with a TTL of a minute. A read is stale when its
// version is older than the newest one acknowledged when it started; its
// staleness is the time from that acknowledgement to the read's start. The
// window must be bounded by the invalidations' delivery, never by the TTL.
func TestCacheStaleness(t *testing.T) {
	if testing.Short() {
		t.Skip("2 s of load")
	}
	ctx := context.Background()
	c, writer := newCacheClient(t, CacheOptions{}, func(o *Options) { o.PoolSize = 2 })
	const nkeys, writers, readers = 8, 32, 32
	keys := make([]string, nkeys)
	type ack struct {
		mu  sync.Mutex
		ver int64
		at  time.Time
	}
	acks := make([]ack, nkeys)
	for i := range keys {
		keys[i] = "stale:" + strconv.Itoa(i)
		mustDo(t, writer, "SET", keys[i], 0)
	}
	stop := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	var nwrites, nreads, nstale atomic.Int64
	var mu sync.Mutex
	var windows []time.Duration
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(stop); i++ {
				k := i % nkeys
				v, err := writer.Incr(ctx, keys[k])
				if err != nil {
					t.Errorf("INCR: %v", err)
					return
				}
				now := time.Now()
				a := &acks[k]
				a.mu.Lock()
				if v > a.ver {
					a.ver, a.at = v, now
				}
				a.mu.Unlock()
				nwrites.Add(1)
			}
		}()
	}
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := r; time.Now().Before(stop); i++ {
				k := i % nkeys
				a := &acks[k]
				a.mu.Lock()
				ver, at := a.ver, a.at
				a.mu.Unlock()
				start := time.Now()
				var err error
				buf, err = c.CachedGetAppend(ctx, buf[:0], keys[k], time.Minute)
				if err != nil {
					t.Errorf("CachedGet: %v", err)
					return
				}
				got, _ := strconv.ParseInt(string(buf), 10, 64)
				nreads.Add(1)
				if got < ver {
					nstale.Add(1)
					mu.Lock()
					windows = append(windows, start.Sub(at))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	st := c.CacheStats()
	slices.Sort(windows)
	var maxW, p99 time.Duration
	if n := len(windows); n > 0 {
		maxW, p99 = windows[n-1], windows[n*99/100]
	}
	t.Logf("%d writes, %d cached reads (%d hits, %d misses, %d discarded), %d stale: staleness window max %v, p99 %v",
		nwrites.Load(), nreads.Load(), st.Hits, st.Misses, st.Discarded, nstale.Load(), maxW, p99)
	limit := 100 * time.Millisecond
	if raceEnabled {
		limit = 500 * time.Millisecond // the race detector slows everything down on a small machine
	}
	if maxW > limit {
		t.Fatalf("a stale read %v after the write was acknowledged (TTL 1 minute): want under %v", maxW, limit)
	}
	if st.Hits == 0 {
		t.Fatal("no read was served from the cache")
	}
}
