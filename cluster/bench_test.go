package cluster

import (
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
)

// BenchmarkPipeline100 is a reused pipeline of 100 GETs over every slot.
func BenchmarkPipeline100(b *testing.B) {
	c, keys := pipelineBenchKeys(b)
	run := pipeline100(b, c, keys)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// pipelineBenchKeys makes a client and 100 keys over every slot.
func pipelineBenchKeys(b *testing.B) (*Client, []string) {
	c := newTestClient(b, sharedCluster(b), Options{})
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bp:" + strconv.Itoa(i)
		if err := c.Set(bg, keys[i], i); err != nil {
			b.Fatal(err)
		}
	}
	return c, keys
}

// pipeline100 returns a function that GETs keys in one reused pipeline of
// its own.
func pipeline100(b *testing.B, c *Client, keys []string) func() {
	p := c.Pipeline()
	dst := make([][]byte, len(keys))
	futs := make([]fastredis.Future[[]byte], 0, len(keys))
	return func() {
		p.Reset()
		futs = futs[:0]
		for i, k := range keys {
			futs = append(futs, p.GetAppend(dst[i][:0], k))
		}
		if err := p.Exec(bg); err != nil {
			b.Error(err)
			return
		}
		for i, f := range futs {
			dst[i], _ = f.Result()
		}
	}
}

// BenchmarkMGet10 is MGET of 10 keys in 10 slots over every master.
func BenchmarkMGet10(b *testing.B) { benchMGet(b, "bm:", 10) }

// BenchmarkMGet100 is MGET of 100 keys in 100 slots over every master.
func BenchmarkMGet100(b *testing.B) { benchMGet(b, "bm100:", 100) }

func benchMGet(b *testing.B, prefix string, n int) {
	c := newTestClient(b, sharedCluster(b), Options{})
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i*7919)
		if err := c.Set(bg, keys[i], i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.MGet(bg, keys...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMulti10 is a transaction of 10 INCRs on one slot.
func BenchmarkMulti10(b *testing.B) {
	rc := sharedCluster(b)
	c := newTestClient(b, rc, Options{})
	tx := c.TxPipeline()
	b.ReportAllocs()
	for b.Loop() {
		tx.Reset()
		for range 10 {
			tx.Incr("{bmulti}:n")
		}
		if err := tx.Exec(bg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipeline100Parallel is BenchmarkPipeline100 with 8 goroutines
// (on 2 CPUs), each with its own reused pipeline.
func BenchmarkPipeline100Parallel(b *testing.B) {
	c, keys := pipelineBenchKeys(b)
	b.SetParallelism(4)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		run := pipeline100(b, c, keys)
		for pb.Next() {
			run()
		}
	})
}
