package fastredis

import (
	"context"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// TestCacheHitAllocs: a cache hit through CachedGetAppend allocates
// nothing, with and without a KeyPrefix.
func TestCacheHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	for _, prefix := range []string{"", "app:"} {
		c, other := newCacheClient(t, CacheOptions{}, func(o *Options) { o.KeyPrefix = prefix })
		mustDo(t, other, "SET", prefix+"k", "value")
		buf := make([]byte, 0, 64)
		if _, err := c.CachedGetAppend(ctx, buf, "k", time.Minute); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(1000, func() {
			buf, _ = c.CachedGetAppend(ctx, buf[:0], "k", time.Minute)
		})
		if allocs != 0 || string(buf) != "value" {
			t.Errorf("prefix %q: %v allocs per hit (%q), want 0", prefix, allocs, buf)
		}
		if st := c.CacheStats(); st.Misses != 1 {
			t.Errorf("prefix %q: stats %+v, want every read after the first a hit", prefix, st)
		}
	}
}

func BenchmarkCachedGetAppendHit(b *testing.B) {
	ctx := context.Background()
	c, other := newCacheClient(b, CacheOptions{})
	cacheDo(b, other, "SET", "k", "value")
	buf := make([]byte, 0, 64)
	c.CachedGetAppend(ctx, buf, "k", time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf, _ = c.CachedGetAppend(ctx, buf[:0], "k", time.Minute)
	}
}

func BenchmarkCachedGetAppendHitParallel(b *testing.B) {
	ctx := context.Background()
	c, other := newCacheClient(b, CacheOptions{})
	cacheDo(b, other, "SET", "k", "value")
	c.CachedGetAppend(ctx, nil, "k", time.Minute)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 0, 64)
		for pb.Next() {
			buf, _ = c.CachedGetAppend(ctx, buf[:0], "k", time.Minute)
		}
	})
}

// TestCacheWriteAllocs: with the cache on, the write tracking of
// read-your-writes adds no allocation to a command.
func TestCacheWriteAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	c, _ := newCacheClient(t, CacheOptions{})
	buf := make([]byte, 0, 64)
	c.CachedGetAppend(ctx, buf, "k", time.Minute)
	for name, fn := range map[string]func(){
		"SET": func() { c.Set(ctx, "k", "v") },
		"GET": func() { buf, _ = c.GetAppend(ctx, buf[:0], "k") },
	} {
		fn()
		if allocs := testing.AllocsPerRun(200, fn); allocs != 0 {
			t.Errorf("%s with the cache on: %v allocs, want 0", name, allocs)
		}
	}
}

func BenchmarkCacheWriteTracking(b *testing.B) {
	ctx := context.Background()
	for _, on := range []bool{false, true} {
		name := "cache=off"
		if on {
			name = "cache=on"
		}
		b.Run(name, func(b *testing.B) {
			srv := redistest.Start(b, redistest.Options{})
			opts := Options{Addr: srv.Addr}
			if on {
				opts.Cache = &CacheOptions{}
			}
			c := newCacheTestClient(b, opts)
			b.ReportAllocs()
			for b.Loop() {
				c.Set(ctx, "k", "v")
			}
		})
	}
}
