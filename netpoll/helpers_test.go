package netpoll

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// transports lists the transports every conformance test runs against.
var transports = []Transport{TransportGnet, TransportNetConn}

// bytesHandler copies a single reply's payload, or records that it was an
// error or null.
type bytesHandler struct {
	got  []byte
	typ  resp.Type
	seen int
}

func (h *bytesHandler) Reply(i int, v resp.Value) {
	h.typ = v.Type()
	h.got = v.AppendBytes(h.got[:0])
	h.seen++
}

func encodeCmd(args ...string) func([]byte) []byte {
	return func(b []byte) []byte {
		b = resp.AppendArrayHeader(b, len(args))
		for _, a := range args {
			b = resp.AppendBulkString(b, a)
		}
		return b
	}
}

func dialServer(t testing.TB, srv *redistest.Server, tr Transport, opts Options) *Conn {
	t.Helper()
	opts.Transport = tr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, "tcp", srv.Addr, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// checkGoroutines records the goroutine count now and, at cleanup (after the
// test's other cleanups have closed its connections and servers, since
// cleanups run last-registered first), waits for it to come back down,
// failing with a dump of every goroutine if it does not. The gnet engine's
// event loops are process-wide and start on first use, so it starts them
// first.
func checkGoroutines(t *testing.T) {
	t.Helper()
	if _, err := gnetClient(); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				t.Errorf("goroutines leaked: %d, was %d\n%s", runtime.NumGoroutine(), base, allStacks())
				return
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond) // polling: goroutine exit cannot be awaited
		}
	})
}

// allStacks returns every goroutine's stack.
func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}
