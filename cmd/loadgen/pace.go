package main

import (
	"math"
	"runtime"
	"time"
)

// The open loop sends requests on a fixed schedule, whatever the server
// does: request g is due at start + g/rate. One pacer goroutine hands each
// request, when it is due, to whichever worker goroutine is idle. Its send
// time is taken when the worker sends it, so the summary can tell apart:
//
//   - service time, from the send to the reply: what the server (and the
//     connection) took, comparable with the closed loop's latency;
//   - response time, from the due time to the reply: what a caller arriving
//     on schedule waits, queueing for a free worker included, so a server
//     that falls behind cannot hide it (no coordinated omission);
//   - lateness, from the due time to the send: the sender's own delay.
//
// Go's timers cannot keep such a schedule by themselves: when the process is
// idle the runtime sleeps in whole milliseconds, so a 300µs timer fires after
// about 1ms (and that lateness, counted as latency, is what made the open
// loop report 0.6ms where the closed loop measured 50µs). So the pacer waits
// in three steps: on a timer until timerWindow before the due time, then in
// a precise sleep (nanosleep on Linux: 50-100µs late, the kernel's timer
// slack) until spinWindow before it, then yielding in a loop. Only the
// pacer waits so, however many workers there are.
//
// The spin stays short on purpose: while the pacer yields in a loop, its P
// runs nothing but goroutines queued to it or to the global queue, and a
// reply the server sends meanwhile can wait for the runtime's monitor to
// notice; a spin covering the whole interval made replies wait for the next
// due time.

// The pacer's wait before a due time: a timer until timerWindow before it,
// a precise sleep until spinWindow before it, then a yielding loop.
const (
	timerWindow = 2 * time.Millisecond
	spinWindow  = 100 * time.Microsecond
	// maxPreciseSleep bounds one precise sleep, which cannot be
	// interrupted, so that an interrupt is seen within it.
	maxPreciseSleep = 10 * time.Millisecond
)

// clock is the time source of the pacer and the workers; tests replace it.
type clock interface {
	now() time.Time
	// sleepUntil returns at t or soon after, or false as soon as cancel is
	// closed. It is only called from one goroutine at a time.
	sleepUntil(t time.Time, cancel <-chan struct{}) bool
}

// realClock is the wall clock, with sleeps precise to a few microseconds.
type realClock struct {
	timer *time.Timer
}

func newRealClock() *realClock {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &realClock{timer: t}
}

func (c *realClock) now() time.Time { return time.Now() }

func (c *realClock) sleepUntil(t time.Time, cancel <-chan struct{}) bool {
	for {
		select {
		case <-cancel:
			return false
		default:
		}
		switch d := time.Until(t); {
		case d <= 0:
			return true
		case d <= spinWindow:
			runtime.Gosched()
		case d <= timerWindow:
			preciseSleep(min(d-spinWindow, maxPreciseSleep))
		default:
			c.timer.Reset(d - timerWindow)
			select {
			case <-c.timer.C:
			case <-cancel:
				c.timer.Stop()
				return false
			}
		}
	}
}

// pacer is the open loop's schedule. Ticket g is due at base + g×interval:
// due times are computed from the start, never from the previous send, so a
// late send does not push back the ones after it.
type pacer struct {
	clock    clock
	base     time.Time
	interval float64   // nanoseconds between tickets
	warm     int64     // tickets due before the measurement starts
	limit    int64     // tickets in the run: warm + -requests, or those due before end
	end      time.Time // zero with -requests
}

// newPacer lays out the schedule of rate requests/s from start: warm-up
// until measureStart, then either quota requests (end zero) or until end.
func newPacer(c clock, rate float64, start, measureStart, end time.Time, quota int64) *pacer {
	p := &pacer{clock: c, base: start, interval: 1e9 / rate, end: end}
	p.warm = p.ticketsBefore(measureStart)
	if end.IsZero() {
		p.limit = p.warm + quota
	} else {
		p.limit = p.ticketsBefore(end)
	}
	return p
}

// ticketsBefore returns how many tickets are due before t.
func (p *pacer) ticketsBefore(t time.Time) int64 {
	d := t.Sub(p.base)
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(float64(d) / p.interval))
}

// due returns when ticket g is due.
func (p *pacer) due(g int64) time.Time {
	return p.base.Add(time.Duration(float64(g) * p.interval))
}

// measured reports whether ticket g counts (it is due after the warm-up).
func (p *pacer) measured(g int64) bool { return g >= p.warm }

// run hands the tickets out in order, each when it is due, or at once when
// the schedule has fallen behind (hand blocked: no worker was idle). It stops
// after the last ticket, at the end of the run (a ticket due before it but
// not handed out by then is not sent), when hand returns false, or when
// cancel is closed. It returns how many tickets it handed out.
func (p *pacer) run(hand func(g int64) bool, cancel <-chan struct{}) int64 {
	var g int64
	for ; g < p.limit; g++ {
		if !p.clock.sleepUntil(p.due(g), cancel) {
			break
		}
		if !p.end.IsZero() && !p.clock.now().Before(p.end) {
			break
		}
		if !hand(g) {
			break
		}
	}
	return g
}

// notSent returns how many measured tickets were not sent, given that the
// pacer handed out handed of them and the workers dropped dropped measured
// ones that reached them after the end.
func (p *pacer) notSent(handed, dropped int64) int64 {
	return p.limit - max(handed, p.warm) + dropped
}
