package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/redistest"
)

// The cluster workloads share one Redis Cluster of three masters without
// replicas, started by the first of them and stopped by TestMain.
var (
	clusterOnce sync.Once
	sharedRC    *redistest.Cluster
	clusterErr  error
)

func benchCluster(b testing.TB) *redistest.Cluster {
	b.Helper()
	clusterOnce.Do(func() {
		sharedRC, clusterErr = redistest.NewCluster(redistest.ClusterOptions{Masters: 3})
	})
	if clusterErr != nil {
		b.Fatal(clusterErr)
	}
	return sharedRC
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedRC != nil {
		sharedRC.Close()
	}
	os.Exit(code)
}

// clusterKeyCount keys, "key:0" .. "key:9999", hash to slots all over the
// 16384 and so to every master; each is filled with a 64-byte value before
// the first cluster workload.
const clusterKeyCount = 10000

var clusterKeys = func() []string {
	keys := make([]string, clusterKeyCount)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}()

var clusterValue = strings.Repeat("v", 64)

// mgetKeys returns n keys of clusterKeys whose slots all differ, taken in
// turn from each master's slot range (0-5460, 5461-10922, 10923-16383 for
// three masters), so that an MGET of them spans every master.
func mgetKeys(n int) []string {
	var byMaster [3][]string
	seen := map[int]bool{}
	for _, k := range clusterKeys {
		s := cluster.Slot(k)
		if seen[s] {
			continue
		}
		seen[s] = true
		m := min(s*3/16384, 2)
		byMaster[m] = append(byMaster[m], k)
	}
	keys := make([]string, 0, n)
	for i := 0; len(keys) < n; i++ {
		keys = append(keys, byMaster[i%3][i/3])
	}
	return keys
}

// clusterWorkload is a workload of BenchmarkCompareCluster: op runs one
// request on a session, parallelism as in workload.
type clusterWorkload struct {
	name        string
	parallelism int
	op          func(ctx context.Context, s clusterSession) error
}

func clusterWorkloads() []clusterWorkload {
	var ws []clusterWorkload
	for _, p := range []int{1, 8, 64} {
		suffix := "/par=" + strconv.Itoa(p)
		ws = append(ws,
			clusterWorkload{name: "GET" + suffix, parallelism: p,
				op: func(ctx context.Context, s clusterSession) error {
					n, err := s.get(ctx)
					if err == nil && n != len(clusterValue) {
						return &benchError{"GET read " + strconv.Itoa(n) + " bytes"}
					}
					return err
				}},
			clusterWorkload{name: "SET" + suffix, parallelism: p,
				op: func(ctx context.Context, s clusterSession) error { return s.set(ctx) }},
		)
	}
	mget := func(keys []string) func(ctx context.Context, s clusterSession) error {
		return func(ctx context.Context, s clusterSession) error {
			n, err := s.mget(ctx, keys)
			if err == nil && n != len(keys) {
				return &benchError{"MGET returned " + strconv.Itoa(n) + " values"}
			}
			return err
		}
	}
	keys10 := mgetKeys(10)
	for _, p := range []int{0, 8} {
		ws = append(ws, clusterWorkload{name: "MGET10/par=" + parName(p), parallelism: p, op: mget(keys10)})
	}
	for _, p := range []int{0, 8} {
		ws = append(ws, clusterWorkload{name: "PIPE100/par=" + parName(p), parallelism: p,
			op: func(ctx context.Context, s clusterSession) error {
				n, err := s.pipe(ctx)
				if err == nil && n != pipeLen*len(clusterValue) {
					return &benchError{"PIPE100 read " + strconv.Itoa(n) + " bytes"}
				}
				return err
			}})
	}
	ws = append(ws,
		clusterWorkload{name: "MULTI10/par=serial",
			op: func(ctx context.Context, s clusterSession) error { return s.multi(ctx) }},
		clusterWorkload{name: "MGET100/par=serial", op: mget(mgetKeys(100))},
	)
	return ws
}

func parName(p int) string {
	if p == 0 {
		return "serial"
	}
	return strconv.Itoa(p)
}

// pipeLen is the number of GETs in a PIPE100 pipeline: the session's next
// pipeLen keys of clusterKeys, over every slot range.
const pipeLen = 100

// txKeys are the keys a MULTI10 transaction increments: one hash tag, so
// one slot.
var txKeys = func() []string {
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = "{tx}:" + strconv.Itoa(i)
	}
	return keys
}()

// BenchmarkCompareCluster runs the cluster workloads on every cluster
// implementation, the implementations one after the other within each
// workload, against one three-master cluster.
func BenchmarkCompareCluster(b *testing.B) {
	rc := benchCluster(b)
	ctx := context.Background()
	fillCluster(b, rc.Addrs())
	for _, w := range clusterWorkloads() {
		clients := clusterImpls(b, rc.Addrs(), goroutines(max(w.parallelism, 1)))
		for _, impl := range clients {
			b.Run(w.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				if w.parallelism == 0 {
					s := impl.c.session()
					if err := w.op(ctx, s); err != nil { // warm-up
						b.Fatal(err)
					}
					cpu := startCPU()
					for b.Loop() {
						if err := w.op(ctx, s); err != nil {
							b.Fatal(err)
						}
					}
					cpu.report(b)
					return
				}
				sessions := make(chan clusterSession, goroutines(w.parallelism))
				for range cap(sessions) {
					s := impl.c.session()
					if err := w.op(ctx, s); err != nil {
						b.Fatal(err)
					}
					sessions <- s
				}
				b.ResetTimer()
				b.SetParallelism(w.parallelism)
				cpu := startCPU()
				b.RunParallel(func(pb *testing.PB) {
					s := <-sessions
					for pb.Next() {
						if err := w.op(ctx, s); err != nil {
							b.Error(err)
							return
						}
					}
				})
				cpu.report(b)
			})
		}
		for _, impl := range clients {
			impl.c.close()
		}
	}
}

var filled atomic.Bool

// fillCluster writes every key of clusterKeys once per process, through a
// fastredis cluster client (its MSET is split per slot).
func fillCluster(b *testing.B, addrs []string) {
	b.Helper()
	if filled.Load() {
		return
	}
	c, err := cluster.NewClient(cluster.Options{Addrs: addrs})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pairs := make([]any, 0, 2*len(clusterKeys))
	for _, k := range clusterKeys {
		pairs = append(pairs, k, clusterValue)
	}
	if _, err := c.Do(context.Background(), append([]any{"MSET"}, pairs...)...); err != nil {
		b.Fatal(err)
	}
	filled.Store(true)
}
