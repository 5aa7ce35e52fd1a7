package bench

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

const benchKey = "bench:key:000001" // 16 bytes

type workload struct {
	name        string
	parallelism int // 0 = serial
	setup       func(b *testing.B, s session, value string)
	op          func(ctx context.Context, s session) error
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

func workloads() []workload {
	var ws []workload
	getSet := func(size, par int) {
		value := strings.Repeat("v", size)
		parName := "serial"
		if par > 0 {
			parName = strconv.Itoa(par)
		}
		suffix := "/size=" + sizeName(size) + "/par=" + parName
		ws = append(ws,
			workload{name: "GET" + suffix, parallelism: par,
				setup: func(b *testing.B, s session, _ string) {
					if err := s.set(context.Background(), benchKey, value); err != nil {
						b.Fatal(err)
					}
				},
				op: func(ctx context.Context, s session) error {
					n, err := s.get(ctx, benchKey)
					if err == nil && n != size {
						b := "short value: " + strconv.Itoa(n)
						return &benchError{b}
					}
					return err
				}},
			workload{name: "SET" + suffix, parallelism: par,
				op: func(ctx context.Context, s session) error { return s.set(ctx, benchKey, value) }},
		)
	}
	getSet(64, 0)
	for _, p := range []int{1, 8, 64} {
		getSet(64, p)
	}
	for _, size := range []int{1 << 10, 100 << 10, 1 << 20} {
		getSet(size, 8)
	}
	for _, p := range []int{0, 8} {
		parName := "serial"
		if p > 0 {
			parName = strconv.Itoa(p)
		}
		ws = append(ws, workload{name: "INCR/par=" + parName, parallelism: p,
			op: func(ctx context.Context, s session) error { return s.incr(ctx, "bench:counter") }})
	}
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bench:mget:" + strconv.Itoa(i)
	}
	ws = append(ws, workload{name: "MGET100/par=serial",
		setup: func(b *testing.B, s session, _ string) {
			for _, k := range keys {
				if err := s.set(context.Background(), k, strings.Repeat("m", 64)); err != nil {
					b.Fatal(err)
				}
			}
		},
		op: func(ctx context.Context, s session) error {
			n, err := s.mget(ctx, keys)
			if err == nil && n != len(keys) {
				return &benchError{"MGET returned " + strconv.Itoa(n)}
			}
			return err
		}})
	for _, n := range []int{10, 100, 1000} {
		pkeys := make([]string, n)
		for i := range pkeys {
			pkeys[i] = "bench:pipe:" + strconv.Itoa(i)
		}
		for _, p := range []int{0, 8} {
			parName := "serial"
			if p > 0 {
				parName = strconv.Itoa(p)
			}
			ws = append(ws, workload{name: "PIPELINE-GET/n=" + strconv.Itoa(n) + "/par=" + parName, parallelism: p,
				setup: func(b *testing.B, s session, _ string) {
					for _, k := range pkeys {
						if err := s.set(context.Background(), k, strings.Repeat("p", 64)); err != nil {
							b.Fatal(err)
						}
					}
				},
				op: func(ctx context.Context, s session) error {
					total, err := s.pipelineGet(ctx, pkeys)
					if err == nil && total != 64*len(pkeys) {
						return &benchError{"pipeline read " + strconv.Itoa(total) + " bytes"}
					}
					return err
				}})
		}
	}
	txKeys := make([]string, 10)
	for i := range txKeys {
		txKeys[i] = "bench:tx:" + strconv.Itoa(i)
	}
	ws = append(ws, workload{name: "TX-INCR10/par=8", parallelism: 8,
		op: func(ctx context.Context, s session) error { return s.txIncr(ctx, txKeys) }})
	ws = append(ws, workload{name: "SCRIPT/par=8", parallelism: 8,
		op: func(ctx context.Context, s session) error {
			_, err := s.script(ctx, "bench:script")
			return err
		}})
	ws = append(ws, workload{name: "PUBLISH/par=serial",
		op: func(ctx context.Context, s session) error {
			return s.publish(ctx, "bench:channel", "a message of some length")
		}})
	return ws
}

type benchError struct{ msg string }

func (e *benchError) Error() string { return e.msg }

// BenchmarkCompare runs every workload on every implementation, the
// implementations one after the other within each workload.
func BenchmarkCompare(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	stopSubscriber := subscribe(b, srv.Addr, "bench:channel")
	defer stopSubscriber()
	ctx := context.Background()
	for _, w := range workloads() {
		clients := impls(b, srv.Addr, goroutines(max(w.parallelism, 1)))
		for _, impl := range clients {
			b.Run(w.name+"/impl="+impl.name, func(b *testing.B) {
				if w.setup != nil {
					w.setup(b, impl.c.session(), "")
				}
				b.ReportAllocs()
				if w.parallelism == 0 {
					s := impl.c.session()
					if err := w.op(ctx, s); err != nil { // warm-up, before b.Loop starts the clock
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
				// Each goroutine's session is made and warmed up (its
				// buffers grown) before the clock starts.
				sessions := make(chan session, goroutines(w.parallelism))
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

// subscribe keeps a plain connection subscribed to channel, reading and
// dropping what it is sent, so that PUBLISH has a receiver.
func subscribe(b *testing.B, addr, channel string) func() {
	b.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.WriteString(conn, "SUBSCRIBE "+channel+"\r\n"); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReader(conn)
	for i := 0; i < 3; i++ { // *3, $9 subscribe, ... : wait for the confirmation's first lines
		if _, err := r.ReadString('\n'); err != nil {
			b.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.Discard, r)
	}()
	return func() {
		conn.Close()
		<-done
	}
}
