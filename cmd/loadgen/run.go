package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// abortGrace is how long, after an interrupt, requests in flight may take
// before they are abandoned.
const abortGrace = 5 * time.Second

// runner drives the load.
//
// Closed loop, each of cfg.clients clients is one goroutine. With
// -pipeline 1 it sends a request and waits for its reply; with -pipeline n
// it writes n requests in one batch (a fastredis Pipeline) and reads the n
// replies before the next batch, as redis-benchmark -P n does. Open loop,
// a pacer hands the requests, each when it is due, to whichever of the
// cfg.clients × cfg.pipeline worker goroutines is idle (see pace.go). The
// fastredis client spreads the requests and batches over cfg.conns
// connections, pipelining those that meet on one.
type runner struct {
	cfg     *config
	wl      *workload
	client  *fastredis.Client
	execCtx context.Context // requests run under it; cancelled to abandon them

	// exec runs a request (client.Exec) and clock tells the time (the wall
	// clock); tests replace them.
	exec  func(context.Context, *fastredis.Cmd) error
	clock clock

	stopping atomic.Bool   // set on an interrupt: issue nothing more
	stopCh   chan struct{} // closed with stopping, to wake waiting workers

	start        time.Time
	measureStart time.Time // start + warm-up
	end          time.Time // measureStart + duration; zero with -requests

	// Open loop only.
	pacer   *pacer
	tickets chan int64   // from the pacer to the workers
	dropped atomic.Int64 // measured tickets that reached a worker after the end
}

// schedule is one client's sequence of requests in the closed loop, shared
// by its workers: each takes the next request number (a ticket) when it is
// free, as fast as they are taken.
type schedule struct {
	next  atomic.Int64
	quota int64 // measured requests this client issues (MaxInt64: until the end)
}

// result is what a run measured.
type result struct {
	total       []kindStats // measured requests, by command kind
	all         kindStats   // all kinds together
	elapsed     time.Duration
	interrupted bool
	firstErr    error

	fill *fillResult // the fill phase, if there was one

	// Open loop only.
	open    bool
	due     int64     // measured requests the schedule had due
	notSent int64     // of them, those not sent by the end of the run
	late    histogram // how late the measured requests were sent
}

// run runs the load until the duration has passed, the requests are done, or
// stop is cancelled (an interrupt: requests in flight get abortGrace to
// finish, or none once abort is cancelled). It writes a progress line to
// progress once a second unless it is nil.
func (r *runner) run(stop, abort context.Context, progress io.Writer) *result {
	cfg := r.cfg
	execCtx, cancelExec := context.WithCancel(abort)
	defer cancelExec()
	r.execCtx = execCtx
	r.stopCh = make(chan struct{})
	if r.exec == nil {
		r.exec = r.client.Exec
	}
	if r.clock == nil {
		r.clock = newRealClock()
	}

	r.start = r.clock.now()
	r.measureStart = r.start.Add(cfg.warmup)
	if cfg.duration > 0 {
		r.end = r.measureStart.Add(cfg.duration)
	}
	workers := cfg.clients * cfg.pipeline
	if cfg.rate == 0 {
		workers = cfg.clients
	}
	slots := make([]*slotStats, 0, workers)
	var wg sync.WaitGroup
	spawn := func(work func(*slotStats, int)) {
		stats := newSlotStats(r.wl.kinds())
		id := len(slots)
		slots = append(slots, stats)
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(stats, id)
		}()
	}
	var handed atomic.Int64
	if cfg.rate > 0 {
		r.pacer = newPacer(r.clock, cfg.rate, r.start, r.measureStart, r.end, cfg.requests)
		r.tickets = make(chan int64, min(workers, 1024))
		for range workers {
			spawn(r.workOpen)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			handed.Store(r.pace())
		}()
	} else {
		for _, sc := range r.schedules() {
			if cfg.pipeline > 1 {
				spawn(func(stats *slotStats, id int) { r.workBatch(sc, stats, id) })
			} else {
				spawn(func(stats *slotStats, id int) { r.workClosed(sc, stats, id) })
			}
		}
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()

	col := newCollector(slots, r.wl.kinds())
	res := &result{}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	last := r.start
	stopDone := stop.Done()
	var graceC <-chan time.Time
	var finished time.Time
wait:
	for {
		select {
		case <-done:
			finished = r.clock.now()
			break wait
		case <-stopDone:
			stopDone = nil
			res.interrupted = true
			r.stopping.Store(true)
			close(r.stopCh)
			grace := time.NewTimer(abortGrace)
			defer grace.Stop()
			graceC = grace.C
		case <-graceC:
			cancelExec()
		case now := <-ticker.C:
			w := col.collect()
			if progress != nil {
				r.printProgress(progress, now, last, w)
			}
			last = now
		}
	}
	col.collect()
	res.total = col.total
	for i := range res.total {
		res.all.add(&res.total[i])
	}
	res.elapsed = max(finished.Sub(r.measureStart), 0)
	res.firstErr = col.err
	if r.pacer != nil {
		res.open = true
		res.late = col.late
		if res.interrupted {
			// Only what was handed out before the interrupt was due.
			res.due = max(handed.Load()-r.pacer.warm, 0)
		} else {
			res.due = r.pacer.limit - r.pacer.warm
			res.notSent = r.pacer.notSent(handed.Load(), r.dropped.Load())
		}
	}
	return res
}

// schedules divides the closed loop's work among the clients: -requests
// evenly.
func (r *runner) schedules() []*schedule {
	cfg := r.cfg
	scheds := make([]*schedule, cfg.clients)
	for c := range scheds {
		sc := &schedule{quota: math.MaxInt64}
		if cfg.requests > 0 {
			n := int64(cfg.clients)
			sc.quota = cfg.requests / n
			if int64(c) < cfg.requests%n {
				sc.quota++
			}
		}
		scheds[c] = sc
	}
	return scheds
}

// workClosed is one closed-loop worker goroutine: take a ticket, build the
// request into a reused Cmd, run it, record its latency, from the actual
// send. Nothing in the loop allocates.
func (r *runner) workClosed(sc *schedule, stats *slotStats, id int) {
	var (
		cmd     fastredis.Cmd
		scratch []byte
		warmSeq int64
		picker  = r.wl.newPicker(id)
	)
	for !r.stopping.Load() {
		var n int64
		now := r.clock.now()
		measured := !now.Before(r.measureStart)
		if measured {
			if !r.end.IsZero() && !now.Before(r.end) {
				return
			}
			if n = sc.next.Add(1) - 1; n >= sc.quota {
				return
			}
		} else {
			n, warmSeq = warmSeq, warmSeq+1
		}
		kind := r.wl.kindOf(n)
		r.wl.build(&cmd, kind, picker.next(), &scratch)
		t := timing{sent: r.clock.now()}
		err := r.exec(r.execCtx, &cmd)
		t.done = r.clock.now()
		stats.record(kind, measured, t, err)
	}
}

// workBatch is one closed-loop client with -pipeline n: take the next n
// tickets, queue their requests into the reused pipeline, run it, and
// record for each request the latency of its batch, from the send to the
// last reply. redis-benchmark -P n also records the batch's latency for
// every request of the batch (though it stops the clock at the first
// reply's bytes). Nothing in the loop allocates with the -ratio workload.
func (r *runner) workBatch(sc *schedule, stats *slotStats, id int) {
	var (
		n       = r.cfg.pipeline
		b       = newBatch(r.client, r.wl, n)
		picker  = r.wl.newPicker(id)
		warmSeq int64
	)
	for !r.stopping.Load() {
		var first int64
		size := n
		now := r.clock.now()
		measured := !now.Before(r.measureStart)
		if measured {
			if !r.end.IsZero() && !now.Before(r.end) {
				return
			}
			if first = sc.next.Add(int64(n)) - int64(n); first >= sc.quota {
				return
			}
			size = int(min(int64(n), sc.quota-first))
		} else {
			first, warmSeq = warmSeq, warmSeq+int64(n)
		}
		b.fill(r.wl, picker, first, size)
		t := timing{sent: r.clock.now()}
		_ = b.p.Exec(r.execCtx) // a batch that could not run has its error in every Future
		t.done = r.clock.now()
		stats.recordBatch(b, r.wl, size, measured, t)
	}
}

// pace runs the pacer, handing tickets to the workers, and returns how many
// it handed out. It closes r.tickets when it is done, which ends the workers
// once they have sent what they were handed.
func (r *runner) pace() int64 {
	defer close(r.tickets)
	var ended <-chan time.Time // fires at the end, should every worker be busy then
	if !r.end.IsZero() {
		t := time.NewTimer(r.end.Sub(r.clock.now()))
		defer t.Stop()
		ended = t.C
	}
	return r.pacer.run(func(g int64) bool {
		select {
		case r.tickets <- g:
			// Let the worker, readied on this P, send before the pacer
			// sleeps: in a precise sleep the pacer holds the P in a system
			// call, and the worker would wait for the runtime to take it
			// back, about a millisecond.
			runtime.Gosched()
			return true
		case <-ended:
			return false
		case <-r.stopCh:
			return false
		}
	}, r.stopCh)
}

// workOpen is one open-loop worker goroutine: take the next due ticket from
// the pacer, build the request, run it, and record its service time,
// response time and lateness (see pace.go). A ticket that reaches it after
// the end of the run is dropped: it could not be sent in time.
func (r *runner) workOpen(stats *slotStats, id int) {
	var (
		cmd     fastredis.Cmd
		scratch []byte
		picker  = r.wl.newPicker(id)
	)
	for !r.stopping.Load() {
		var g int64
		select {
		case n, ok := <-r.tickets:
			if !ok {
				return
			}
			g = n
		case <-r.stopCh:
			return
		}
		measured := r.pacer.measured(g)
		if !r.end.IsZero() && !r.clock.now().Before(r.end) {
			if measured {
				r.dropped.Add(1)
			}
			continue
		}
		kind := r.wl.kindOf(g)
		r.wl.build(&cmd, kind, picker.next(), &scratch)
		t := timing{due: r.pacer.due(g), sent: r.clock.now()}
		err := r.exec(r.execCtx, &cmd)
		t.done = r.clock.now()
		stats.record(kind, measured, t, err)
	}
}

// printProgress writes one line about the second that ended at now.
func (r *runner) printProgress(w io.Writer, now, last time.Time, win *kindStats) {
	phase := ""
	if last.Before(r.measureStart) {
		phase = " (warm-up)"
	}
	secs := now.Sub(last).Seconds()
	ops := 0.0
	if secs > 0 {
		ops = float64(win.requests) / secs
	}
	p50, p99 := "-", "-"
	if win.hist.count > 0 {
		p50, p99 = formatLatency(win.hist.quantile(0.50)), formatLatency(win.hist.quantile(0.99))
	}
	resp := ""
	if r.pacer != nil && win.resp.count > 0 {
		resp = "  response p99 " + formatLatency(win.resp.quantile(0.99))
	}
	fmt.Fprintf(w, "%6.0fs  %10.0f ops/s  p50 %9s  p99 %9s%s  errors %d%s\n",
		now.Sub(r.start).Seconds(), ops, p50, p99, resp, win.errors, phase)
}
