package fastredis_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/netpoll"
)

// maxIdleHeapPerConn is the Go heap an idle connection of the default
// transport may hold: a client with one connection that has run a command
// and now waits. The request ring and the buffers start small and grow
// only while there is traffic (see netpoll).
const maxIdleHeapPerConn = 16 << 10

// idleCost is what n idle clients cost, per client.
type idleCost struct {
	heap, rss, goroutines float64
}

// measureIdle opens n clients with the given transport, runs one GET on
// each, and returns the growth of the Go heap in use, of the resident set
// and of the goroutine count, divided by n, once the garbage is collected.
func measureIdle(t *testing.T, n int, transport netpoll.Transport) idleCost {
	t.Helper()
	ctx := context.Background()
	opts := fastredis.Options{Addr: redisAddr, Transport: transport}
	// A first client starts what is process-wide (the gnet event loops).
	warm, err := fastredis.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer warm.Close()
	if _, err := warm.Get(ctx, "idle:key"); err != nil && err != fastredis.Nil {
		t.Fatal(err)
	}
	heap0, rss0, g0 := idleSnapshot()
	clients := make([]*fastredis.Client, 0, n)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	buf := make([]byte, 0, 16)
	for range n {
		c, err := fastredis.NewClient(opts)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		if buf, err = c.GetAppend(ctx, buf[:0], "idle:key"); err != nil && err != fastredis.Nil {
			t.Fatal(err)
		}
	}
	heap1, rss1, g1 := idleSnapshot()
	runtime.KeepAlive(clients)
	return idleCost{
		heap:       float64(int64(heap1)-int64(heap0)) / float64(n),
		rss:        float64(rss1-rss0) / float64(n),
		goroutines: float64(g1-g0) / float64(n),
	}
}

// idleSnapshot collects the garbage and returns the heap in use, the
// resident set (0 where /proc is missing) and the goroutine count.
func idleSnapshot() (heap uint64, rss int64, goroutines int) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, vmRSS(), runtime.NumGoroutine()
}

// vmRSS returns VmRSS from /proc/self/status in bytes, or 0.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestIdleMemoryPerConn holds 1,000 idle clients (one connection each) and
// checks the Go heap each costs on the default transport. It logs the heap,
// resident set and goroutines per connection on both transports (go test
// -v -run IdleMemory). The resident set includes what the race detector
// adds, so only the heap is asserted.
func TestIdleMemoryPerConn(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	for _, tc := range []struct {
		name      string
		transport netpoll.Transport
		assert    bool
	}{
		{"default", netpoll.TransportAuto, true},
		{"netconn", netpoll.TransportNetConn, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cost := measureIdle(t, n, tc.transport)
			t.Logf("%d idle clients, %s transport: heap %.1f KiB, RSS %.1f KiB, %.2f goroutines per connection",
				n, tc.name, cost.heap/1024, cost.rss/1024, cost.goroutines)
			if tc.assert && cost.heap > maxIdleHeapPerConn {
				t.Errorf("heap per idle connection: %.1f KiB, want at most %d KiB", cost.heap/1024, maxIdleHeapPerConn>>10)
			}
		})
	}
}
