package main

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// TestBatch runs batches of the -ratio and -command workloads against a
// server and checks every request's outcome: SETs succeed, GETs of the
// filled keys hit, and a template's commands run.
func TestBatch(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()
	var incrs int64 // INCRs the template case has run
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, b *batch, w *workload, size int)
	}{
		{"ratio", []string{"-ratio", "1:3", "-keys", "20", "-value-size", "8"}, func(t *testing.T, b *batch, w *workload, size int) {
			for i := range size {
				if err := b.result(w, i); err != nil {
					t.Errorf("request %d (kind %d): %v", i, b.kinds[i], err)
				}
				if b.kinds[i] == kindGet && string(b.bufs[i]) != string(w.value) {
					t.Errorf("GET %d: %q, want %q", i, b.bufs[i], w.value)
				}
			}
		}},
		{"template", []string{"-command", "INCR n:__key__:x", "-keys", "5"}, func(t *testing.T, b *batch, w *workload, size int) {
			for i := range size {
				if err := b.result(w, i); err != nil {
					t.Errorf("request %d: %v", i, err)
				}
			}
			incrs += int64(size)
			var sum int64
			for k := range 5 {
				n, err := c.Get(ctx, "n:loadgen:"+strconv.Itoa(k)+":x")
				if err != nil && !errors.Is(err, fastredis.Nil) {
					t.Fatal(err)
				}
				v, _ := strconv.ParseInt(n, 10, 64)
				sum += v
			}
			if sum != incrs {
				t.Errorf("the counters add up to %d, want %d", sum, incrs)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(append(tt.args, "-pipeline", "16"))
			if err != nil {
				t.Fatal(err)
			}
			w, err := newWorkload(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.fill {
				if _, err := fill(ctx, c, w); err != nil {
					t.Fatal(err)
				}
			}
			b := newBatch(c, w, 16)
			picker := w.newPicker(0)
			for _, size := range []int{16, 5} { // a full batch, then a quota's remainder
				b.fill(w, picker, 0, size)
				if n := b.p.Len(); n != size {
					t.Fatalf("pipeline holds %d commands, want %d", n, size)
				}
				if err := b.p.Exec(ctx); err != nil {
					t.Fatal(err)
				}
				tt.check(t, b, w, size)
			}
		})
	}
}

// TestBatchAllocs checks that a batch of the -ratio workload, queued,
// run and read, allocates nothing once warm.
func TestBatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newClient(t, srv)
	cfg, err := parseFlags([]string{"-keys", "100", "-pipeline", "16"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := fill(ctx, c, w); err != nil {
		t.Fatal(err)
	}
	b := newBatch(c, w, 16)
	picker := w.newPicker(0)
	stats := newSlotStats(w.kinds())
	var first int64
	step := func() {
		b.fill(w, picker, first, 16)
		first += 16
		tm := timing{sent: time.Now()}
		if err := b.p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		tm.done = time.Now()
		stats.recordBatch(b, w, 16, true, tm)
	}
	for range 50 {
		step() // grows the buffers
	}
	if allocs := testing.AllocsPerRun(200, step); allocs != 0 {
		t.Errorf("%v allocations per batch", allocs)
	}
	var all kindStats
	for i := range stats.kinds {
		all.add(&stats.kinds[i])
	}
	if want := uint64(16 * (50 + 201)); all.requests != int64(want) || all.errors != 0 || all.misses != 0 || all.hist.count != want {
		t.Errorf("recorded %d requests, %d errors, %d misses, %d latencies; want %d, 0, 0, %d",
			all.requests, all.errors, all.misses, all.hist.count, want, want)
	}
}
