package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// abortGrace is how long, after an interrupt, requests in flight may take
// before they are abandoned.
const abortGrace = 5 * time.Second

// runner drives the load: cfg.clients clients, each with cfg.pipeline
// worker goroutines that share the client's schedule, so a client keeps up
// to cfg.pipeline requests in flight. The fastredis client pipelines them
// all automatically over cfg.conns connections.
type runner struct {
	cfg     *config
	wl      *workload
	client  *fastredis.Client
	execCtx context.Context // requests run under it; cancelled to abandon them

	stopping atomic.Bool   // set on an interrupt: issue nothing more
	stopCh   chan struct{} // closed with stopping, to wake scheduled workers

	start        time.Time
	measureStart time.Time // start + warm-up
	end          time.Time // measureStart + duration; zero with -requests
}

// schedule is one client's sequence of requests, shared by its workers:
// each takes the next request number (a ticket) when it is free. Closed
// loop, tickets are handed out as fast as they are taken; open loop, ticket
// n is due at base + n×interval.
type schedule struct {
	next     atomic.Int64
	quota    int64     // measured requests this client issues (MaxInt64: until the end)
	warm     int64     // open loop: tickets due before the warm-up ends
	base     time.Time // open loop: when ticket 0 is due
	interval float64   // open loop: nanoseconds between tickets
}

// result is what a run measured.
type result struct {
	total       []kindStats // measured requests, by command kind
	all         kindStats   // all kinds together
	elapsed     time.Duration
	interrupted bool
	firstErr    error
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

	r.start = time.Now()
	r.measureStart = r.start.Add(cfg.warmup)
	if cfg.duration > 0 {
		r.end = r.measureStart.Add(cfg.duration)
	}
	scheds := r.schedules()
	slots := make([]*slotStats, 0, cfg.clients*cfg.pipeline)
	var wg sync.WaitGroup
	for c, sc := range scheds {
		for p := range cfg.pipeline {
			stats := newSlotStats(r.wl.kinds())
			slots = append(slots, stats)
			id := c*cfg.pipeline + p
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.work(sc, stats, id)
			}()
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
			finished = time.Now()
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
	return res
}

// schedules divides the work among the clients: -requests evenly, -rate
// as an equal share each, the clients' schedules offset so their requests
// spread evenly over time.
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
		if cfg.rate > 0 {
			sc.interval = 1e9 * float64(cfg.clients) / cfg.rate
			sc.base = r.start.Add(time.Duration(sc.interval * float64(c) / float64(cfg.clients)))
			if w := r.measureStart.Sub(sc.base); w > 0 {
				sc.warm = int64(math.Ceil(float64(w) / sc.interval))
			}
		}
		scheds[c] = sc
	}
	return scheds
}

// work is one worker goroutine: take a ticket, wait until it is due (open
// loop), build the request into a reused Cmd, run it, record its latency.
// Nothing in the loop allocates.
func (r *runner) work(sc *schedule, stats *slotStats, id int) {
	var (
		cmd     fastredis.Cmd
		scratch []byte
		timer   *time.Timer
		warmSeq int64
		picker  = r.wl.newPicker(id)
		open    = r.cfg.rate > 0
	)
	if open {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	for !r.stopping.Load() {
		var (
			n        int64
			measured bool
			sent     time.Time
		)
		if open {
			n = sc.next.Add(1) - 1
			if n-sc.warm >= sc.quota {
				return
			}
			due := sc.base.Add(time.Duration(float64(n) * sc.interval))
			if !r.end.IsZero() && !due.Before(r.end) {
				return
			}
			if d := time.Until(due); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-r.stopCh:
					return
				}
			}
			measured, sent = n >= sc.warm, due // latency from the intended send time
		} else {
			now := time.Now()
			sent = now // latency from the actual send
			measured = !now.Before(r.measureStart)
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
		}
		kind := r.wl.kindOf(n)
		r.wl.build(&cmd, kind, picker.next(), &scratch)
		err := r.client.Exec(r.execCtx, &cmd)
		stats.record(kind, measured, time.Since(sent), err)
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
	fmt.Fprintf(w, "%6.0fs  %10.0f ops/s  p50 %9s  p99 %9s  errors %d%s\n",
		now.Sub(r.start).Seconds(), ops, p50, p99, win.errors, phase)
}
