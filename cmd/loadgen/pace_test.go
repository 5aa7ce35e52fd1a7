package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// fakeClock is a clock that moves only when told: a sleep jumps to its end,
// late by late, as a coarse timer would be.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	late time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleepUntil(t time.Time, cancel <-chan struct{}) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.Before(t) {
		c.t = t.Add(c.late)
	}
	return true
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const ms = time.Millisecond

func TestPacerKeepsItsSchedule(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		warmup   time.Duration
		duration time.Duration // 0: quota requests instead
		quota    int64
		late     time.Duration // each timer fires this late
		busy     time.Duration // each hand-off blocks this long: no worker idle
		// want: the handed tickets' due times and hand-off times, in ms
		// from the start, and how many measured tickets were not sent.
		due, at []float64
		warm    int64
		notSent int64
	}{
		{name: "on time", rate: 1000, duration: 5 * ms,
			due: []float64{0, 1, 2, 3, 4}, at: []float64{0, 1, 2, 3, 4}},
		{name: "late timer does not push the schedule back", rate: 1000, duration: 5 * ms, late: ms * 3 / 10,
			due: []float64{0, 1, 2, 3, 4}, at: []float64{0, 1.3, 2.3, 3.3, 4.3}},
		{name: "rate above capacity stops at the end", rate: 1000, duration: 10 * ms, busy: 3 * ms,
			due: []float64{0, 1, 2, 3}, at: []float64{0, 3, 6, 9}, notSent: 6},
		{name: "warm-up tickets are not counted", rate: 1000, warmup: 2 * ms, duration: 3 * ms, busy: 2 * ms,
			due: []float64{0, 1, 2}, at: []float64{0, 2, 4}, warm: 2, notSent: 2},
		{name: "quota", rate: 500, warmup: 2 * ms, quota: 3,
			due: []float64{0, 2, 4, 6}, at: []float64{0, 2, 4, 6}, warm: 1},
		{name: "quota behind schedule sends them all", rate: 1000, quota: 3, busy: 5 * ms,
			due: []float64{0, 1, 2}, at: []float64{0, 5, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: epoch, late: tt.late}
			var end time.Time
			if tt.duration > 0 {
				end = epoch.Add(tt.warmup + tt.duration)
			}
			p := newPacer(clk, tt.rate, epoch, epoch.Add(tt.warmup), end, tt.quota)
			var due, at []float64
			handed := p.run(func(g int64) bool {
				if g != int64(len(due)) {
					t.Errorf("ticket %d handed out after %d others", g, len(due))
				}
				due = append(due, float64(p.due(g).Sub(epoch))/1e6)
				at = append(at, float64(clk.now().Sub(epoch))/1e6)
				clk.advance(tt.busy)
				return true
			}, nil)
			if !equalish(due, tt.due) || !equalish(at, tt.at) {
				t.Errorf("due %v handed at %v; want due %v at %v", due, at, tt.due, tt.at)
			}
			if handed != int64(len(tt.due)) || p.warm != tt.warm {
				t.Errorf("handed %d, warm %d; want %d, %d", handed, p.warm, len(tt.due), tt.warm)
			}
			if n := p.notSent(handed, 0); n != tt.notSent {
				t.Errorf("not sent %d, want %d", n, tt.notSent)
			}
		})
	}
}

func equalish(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-6 || d < -1e-6 {
			return false
		}
	}
	return true
}

func TestPacerStopsWhenHandingOffFails(t *testing.T) {
	clk := &fakeClock{t: epoch}
	p := newPacer(clk, 1000, epoch, epoch, epoch.Add(10*ms), 0)
	handed := p.run(func(g int64) bool { return g < 4 }, nil) // the end came while ticket 4 waited
	if handed != 4 {
		t.Errorf("handed %d, want 4", handed)
	}
	// 2 of the 4 reached a worker after the end and were dropped.
	if n := p.notSent(handed, 2); n != 8 {
		t.Errorf("not sent %d, want 10 - 4 + 2", n)
	}
}

// TestOpenLoopTimings runs one open-loop worker on a fake clock, behind
// schedule: each request is sent late, and the worker must record the
// service time from the send, the response time from the due time, and the
// difference as lateness. The closed loop records only the service time.
func TestOpenLoopTimings(t *testing.T) {
	cfg, err := parseFlags([]string{"-ratio", "0:1", "-rate", "1000000", "-requests", "3", "-warmup", "0"})
	if err != nil {
		t.Fatal(err)
	}
	wl, err := newWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const service = 40 * time.Microsecond
	clk := &fakeClock{t: epoch.Add(500 * time.Microsecond)} // the first send is 500µs late
	r := &runner{cfg: cfg, wl: wl, clock: clk, execCtx: context.Background(), stopCh: make(chan struct{})}
	r.exec = func(context.Context, *fastredis.Cmd) error {
		clk.advance(service)
		return fastredis.Nil // a miss still has a latency
	}
	r.pacer = newPacer(clk, cfg.rate, epoch, epoch, time.Time{}, cfg.requests)
	r.tickets = make(chan int64, 3)
	for g := range int64(3) {
		r.tickets <- g // due at 0, 1 and 2µs
	}
	close(r.tickets)
	stats := newSlotStats(wl.kinds())
	r.workOpen(stats, 0)

	get := &stats.kinds[kindGet]
	us := func(v uint64) float64 { return float64(v) / 1e3 }
	if get.requests != 3 || get.misses != 3 || get.errors != 0 {
		t.Fatalf("counts %+v, want 3 requests, 3 misses", get.counts)
	}
	// Sent at 500, 540 and 580µs; due at 0, 1 and 2µs; answered 40µs later.
	checks := []struct {
		name     string
		h        *histogram
		min, max float64
	}{
		{"service time", &get.hist, 40, 40},
		{"response time", &get.resp, 540, 618},
		{"lateness", &stats.late, 500, 578},
	}
	for _, c := range checks {
		if c.h.count != 3 || us(c.h.min) != c.min || us(c.h.max) != c.max {
			t.Errorf("%s: %d values in [%gµs, %gµs], want 3 in [%gµs, %gµs]", c.name, c.h.count, us(c.h.min), us(c.h.max), c.min, c.max)
		}
	}

	closed := newSlotStats(wl.kinds())
	closed.record(kindGet, true, timing{sent: epoch, done: epoch.Add(service)}, nil)
	if k := &closed.kinds[kindGet]; k.hist.count != 1 || k.hist.max != uint64(service) || k.resp.count != 0 || closed.late.count != 0 {
		t.Errorf("closed loop: service %d values (max %d), response %d, lateness %d; want only a service time of 40µs",
			k.hist.count, k.hist.max, k.resp.count, closed.late.count)
	}
}

// TestOpenLoopServiceTimeMatchesClosedLoop compares, on one server, the
// closed loop's latency with the open loop's service time at a low rate,
// which once reported the pacer's timer lateness (0.6ms against 50µs). The
// bounds are loose, for a busy machine: the open loop wakes an idle process
// and server for each request, which the closed loop never lets sleep.
func TestOpenLoopServiceTimeMatchesClosedLoop(t *testing.T) {
	// Not parallel: other tests' load would blur the comparison.
	srv := redistest.Start(t, redistest.Options{})
	args := []string{"-addr", srv.Addr, "-clients", "1", "-warmup", "200ms", "-duration", "1s", "-keys", "1000"}
	closed := runJSON(t, args...)
	open := runJSON(t, append(args, "-rate", "1000")...)

	c, o := closed.All.Latency.P50, open.All.Latency.P50
	t.Logf("p50: closed loop %v, open loop at 1000/s %v (response time %v, sent late by %v)",
		time.Duration(c), time.Duration(o), time.Duration(open.All.Response.P50), time.Duration(open.Schedule.Lateness.P50))
	if o > 3*c+int64(200*time.Microsecond) {
		t.Errorf("open-loop service time p50 %v, closed-loop latency p50 %v: too far apart", time.Duration(o), time.Duration(c))
	}
	if closed.Schedule != nil || closed.All.Response != nil {
		t.Errorf("the closed loop reports a schedule %+v or a response time %+v", closed.Schedule, closed.All.Response)
	}
	sc := open.Schedule
	if sc == nil || open.All.Response == nil {
		t.Fatalf("the open loop reports no schedule or no response time: %+v", open)
	}
	if sc.Due != 1000 || sc.Sent+sc.NotSent != sc.Due || sc.Sent != open.Requests {
		t.Errorf("schedule %+v, requests %d; want 1000 due, sent + not sent = due, sent = requests", sc, open.Requests)
	}
	if r := open.All.Response; r.P50 < o || r.Max < open.All.Latency.Max {
		t.Errorf("response time %+v below the service time %+v", r, open.All.Latency)
	}
}

func TestRateAboveCapacityStopsAtTheDuration(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	begin := time.Now()
	code, stdout, stderr := runArgs(t, "-addr", srv.Addr, "-rate", "1e6", "-duration", "300ms", "-warmup", "0",
		"-clients", "2", "-fill=false", "-quiet")
	took := time.Since(begin)
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	// 300,000 requests are due; the server answers far fewer in 300ms (the
	// run once went on until it had sent them all).
	if took > 5*time.Second {
		t.Errorf("a 300ms run at 1e6 requests/s took %v", took)
	}
	if !strings.Contains(stdout, "schedule    300000 due, ") || !strings.Contains(stdout, "not sent (the rate is above capacity)") {
		t.Errorf("the summary does not report the requests not sent:\n%s", stdout)
	}

	s := runJSON(t, "-addr", srv.Addr, "-rate", "1e6", "-duration", "300ms", "-warmup", "100ms", "-clients", "2", "-fill=false")
	sc := s.Schedule
	if sc == nil || sc.Due != 300_000 || sc.NotSent <= 0 || sc.Sent+sc.NotSent != sc.Due || sc.Sent != s.Requests {
		t.Errorf("schedule %+v, requests %d; want 300000 due, some not sent, sent = requests", sc, s.Requests)
	}
	if s.ElapsedSec > 2 {
		t.Errorf("measured for %.2fs, want about 0.3s", s.ElapsedSec)
	}
}
