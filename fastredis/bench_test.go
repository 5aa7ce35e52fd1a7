package fastredis

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// BenchmarkCommands runs the common commands serially and from 1, 8 and 64
// goroutines per GOMAXPROCS. The forms that return a new string or slice
// allocate exactly that; everything else, 0 allocs/op.
func BenchmarkCommands(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	value := strings.Repeat("v", 64)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = "bench:mget:" + strconv.Itoa(i)
		if err := c.Set(ctx, keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Set(ctx, "bench:key", value); err != nil {
		b.Fatal(err)
	}
	if _, err := c.HSet(ctx, "bench:hash", FieldValue{Field: "field", Value: value}); err != nil {
		b.Fatal(err)
	}

	type state struct {
		buf []byte
		cmd Cmd
	}
	workloads := []struct {
		name string
		run  func(s *state) error
	}{
		{"SET", func(s *state) error { return c.Set(ctx, "bench:key", value) }},
		{"GET/string", func(s *state) error { _, err := c.Get(ctx, "bench:key"); return err }},
		{"GET/append", func(s *state) error {
			var err error
			s.buf, err = c.GetAppend(ctx, s.buf[:0], "bench:key")
			return err
		}},
		{"INCR", func(s *state) error { _, err := c.Incr(ctx, "bench:counter"); return err }},
		{"HSET", func(s *state) error {
			_, err := c.HSet(ctx, "bench:hash", FieldValue{Field: "field", Value: value})
			return err
		}},
		{"HGET/append", func(s *state) error {
			var err error
			s.buf, err = c.HGetAppend(ctx, s.buf[:0], "bench:hash", "field")
			return err
		}},
		{"MGET10/typed", func(s *state) error { _, err := c.MGet(ctx, keys...); return err }},
		{"MGET10/cmd", func(s *state) error {
			s.cmd.Reset("MGET")
			for _, k := range keys {
				s.cmd.Key(k)
			}
			return c.Exec(ctx, &s.cmd)
		}},
	}
	for _, w := range workloads {
		b.Run("cmd="+w.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			s := &state{buf: make([]byte, 0, 128)}
			for b.Loop() {
				if err := w.run(s); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, p := range []int{1, 8, 64} {
			b.Run("cmd="+w.name+"/parallel="+strconv.Itoa(p), func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(p)
				b.RunParallel(func(pb *testing.PB) {
					s := &state{buf: make([]byte, 0, 128)}
					for pb.Next() {
						if err := w.run(s); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkPipeline runs explicit pipelines of 10, 100 and 1000 GETs into
// caller buffers, reusing one Pipeline (Reset, queue, Exec): 0 allocs/op.
// TxPipeline wraps 10 INCRs in MULTI/EXEC; Script calls a loaded script.
func BenchmarkPipeline(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "bench:pipe:" + strconv.Itoa(i)
		if err := c.Set(ctx, keys[i], strings.Repeat("v", 64)); err != nil {
			b.Fatal(err)
		}
	}
	// run is one pipeline of n GETs, reusing p, bufs and futures.
	run := func(p *Pipeline, bufs [][]byte, futures []Future[[]byte]) error {
		p.Reset()
		for i, k := range keys[:len(futures)] {
			futures[i] = p.GetAppend(bufs[i][:0], k)
		}
		if err := p.Exec(ctx); err != nil {
			return err
		}
		for i := range futures {
			if v, err := futures[i].Result(); err != nil || len(v) != 64 {
				return fmt.Errorf("GET: %q, %v", v, err)
			}
		}
		return nil
	}
	state := func(n int) (*Pipeline, [][]byte, []Future[[]byte]) {
		bufs := make([][]byte, n)
		for i := range bufs {
			bufs[i] = make([]byte, 0, 64)
		}
		return c.Pipeline(), bufs, make([]Future[[]byte], n)
	}
	for _, n := range []int{10, 100, 1000} {
		b.Run("GET/n="+strconv.Itoa(n), func(b *testing.B) {
			p, bufs, futures := state(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := run(p, bufs, futures); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("GET/n="+strconv.Itoa(n)+"/par=8", func(b *testing.B) {
			type st struct {
				p       *Pipeline
				bufs    [][]byte
				futures []Future[[]byte]
			}
			states := make(chan st, 8*runtime.GOMAXPROCS(0))
			for range cap(states) {
				p, bufs, futures := state(n)
				states <- st{p, bufs, futures}
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				s := <-states
				p, bufs, futures := s.p, s.bufs, s.futures
				for pb.Next() {
					if err := run(p, bufs, futures); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("TxPipeline/INCR10", func(b *testing.B) {
		p := c.TxPipeline()
		b.ReportAllocs()
		for b.Loop() {
			p.Reset()
			for _, k := range keys[:10] {
				p.Incr(k + ":n")
			}
			if err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Script", func(b *testing.B) {
		s := NewScript("return redis.call('INCR', KEYS[1])", 1)
		k := []string{"bench:script"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.RunScriptInt(ctx, s, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSerialGetContext is a serial GET under the contexts services
// pass: none (Background), a deadline, a cancel func. Each reads its own
// reply directly (netpoll's direct reads): 0 allocs/op, and about the same
// time.
func BenchmarkSerialGetContext(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	bg := context.Background()
	if err := c.Set(bg, "bench:ctx", strings.Repeat("v", 64)); err != nil {
		b.Fatal(err)
	}
	timeout, cancelTimeout := context.WithTimeout(bg, time.Hour)
	defer cancelTimeout()
	cancellable, cancel := context.WithCancel(bg)
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{{"background", bg}, {"timeout", timeout}, {"cancel", cancellable}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				if buf, err = c.GetAppend(tc.ctx, buf[:0], "bench:ctx"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
