package netpoll

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Polling for a reply.
//
// A caller that reads its own reply (direct.go) would otherwise sleep in
// the Go poller until the reply's bytes arrive: its thread parks, and the
// reply must wake it again, through the poller, the scheduler and on a
// virtual machine the hypervisor. On a loopback or same-rack server that
// wake-up is most of the round trip: measured on a 2-vCPU KVM guest, a
// serial GET took 88 µs (p50 87 µs) sleeping and 29 µs (p50 28 µs) polling
// the socket, and used less CPU per call (30 µs against 52 µs: the parked
// thread's own spinning and futex calls cost more than the polls).
//
// So the direct reader first polls the socket without blocking, yielding
// to other goroutines between polls, for at most a budget, and only then
// sleeps. The budget adapts, like the kernel's halt polling: a reply that
// comes while polling keeps it (and grows it back towards the maximum); a
// reply that comes later than the budget but within the maximum sets it to
// the maximum, since polling longer would have caught it; a reply that
// comes later than the maximum halves it, and below a sixteenth of the
// maximum polling stops until a reply comes quickly again. A far server, or
// a slow command, so costs a few wasted polls and then none.
//
// Polling is off when the process has one P (GOMAXPROCS 1): the poller
// would hold the only P while the goroutines that could run, and on one
// CPU the server too, wait.

// directWaiters counts, process-wide, the callers waiting in a direct
// read. Only a lone one polls: with several, the process waits for several
// replies at once (a command a cluster split over its nodes, or serial
// callers on separate clients), and pollers would hold the Ps that the
// others' wake-ups, other goroutines and the CPU a server may share need.
// A poller that sees another waiter arrive stops polling and sleeps.
var directWaiters atomic.Int32

// keepPolling reports whether a poll until until goes on.
func keepPolling(until time.Time) bool {
	return directWaiters.Load() == 1 && time.Now().Before(until)
}

// ConcurrentWait is a context for a call that is one of several whose
// replies one caller awaits together (a cluster command split over nodes,
// a pipeline's groups): such a call never polls, since only the last of
// its replies ends the wait and pollers would hold the Ps the others need.
// Embed the caller's context; a pointer to a ConcurrentWait kept in pooled
// state costs no allocation per call.
type ConcurrentWait struct{ context.Context }

type concurrentWaitKey struct{}

// Value reports the marker, and otherwise the embedded context's values.
func (c *ConcurrentWait) Value(key any) any {
	if key == (concurrentWaitKey{}) {
		return true
	}
	return c.Context.Value(key)
}

// mayPoll reports whether a call with ctx may poll for its reply.
func mayPoll(ctx context.Context) bool {
	if _, ok := ctx.(*ConcurrentWait); ok {
		return false
	}
	return ctx.Value(concurrentWaitKey{}) == nil
}

// DefaultSpinWait is the most a caller polls for its reply before it
// sleeps (Options.SpinWait).
const DefaultSpinWait = 200 * time.Microsecond

// spinner holds a connection's polling budget. It is used only by the
// holder of the reading side, so it needs no lock.
type spinner struct {
	max    time.Duration // 0: polling off
	budget time.Duration
}

func newSpinner(max time.Duration) spinner {
	if max <= 0 || runtime.GOMAXPROCS(0) < 2 {
		return spinner{}
	}
	return spinner{max: max, budget: max}
}

// limit returns how long to poll for a reply awaited since start: zero
// when polling is off. A deadline (not zero) earlier ends it sooner.
func (s *spinner) limit(start, deadline time.Time) time.Time {
	if s.budget <= 0 {
		return time.Time{}
	}
	until := start.Add(s.budget)
	if !deadline.IsZero() && deadline.Before(until) {
		return deadline
	}
	return until
}

// observe adapts the budget to a reply that took waited, caught by
// polling or not.
func (s *spinner) observe(waited time.Duration, caught bool) {
	switch {
	case s.max == 0:
	case caught:
		s.budget = min(s.max, 2*s.budget)
	case waited <= s.max:
		s.budget = s.max
	default:
		s.budget /= 2
		if s.budget < s.max/16 {
			s.budget = 0
		}
	}
}
