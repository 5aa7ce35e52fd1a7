package cluster

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load is the workload of the fault tests: goroutines each writing their
// own keys (a counter per key, so a read can be checked) and reading them
// back, recording every acknowledged write.
type load struct {
	c       *Client
	tags    []string // hash tags the keys are spread over
	stop    chan struct{}
	wg      sync.WaitGroup
	calls   atomic.Int64
	errs    atomic.Int64
	badRead atomic.Int64

	waiter atomic.Pointer[callWaiter]

	// Set before a fault: the first write to one of watchTags that
	// succeeds after watchFrom is recorded in servedAt.
	watchTags map[string]bool
	watchFrom atomic.Int64 // unix nanoseconds
	servedAt  atomic.Int64

	mu       sync.Mutex
	acked    map[string]int64 // key -> last acknowledged value
	firstErr error
	errTimes []time.Time
	okTimes  []time.Time // successes after the first error
}

// startLoad runs workers goroutines against c until stop. Each call has no
// deadline: the fault tests check that every call returns, and how.
func startLoad(c *Client, workers int, tags []string) *load {
	l := &load{c: c, tags: tags, stop: make(chan struct{}), acked: map[string]int64{}}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go l.worker(w)
	}
	return l
}

func (l *load) worker(w int) {
	defer l.wg.Done()
	vals := map[string]int64{}
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		tag := l.tags[(w+i)%len(l.tags)]
		key := "{" + tag + "}:w" + strconv.Itoa(w) + ":" + strconv.Itoa(i%8)
		started := time.Now().UnixNano()
		next := vals[key] + 1
		l.called()
		err := l.c.Set(context.Background(), key, next)
		if err != nil {
			l.fail(err)
			continue
		}
		vals[key] = next
		if from := l.watchFrom.Load(); from != 0 && started >= from && l.watchTags[tag] {
			l.servedAt.CompareAndSwap(0, time.Now().UnixNano())
		}
		l.mu.Lock()
		l.acked[key] = next
		if len(l.errTimes) > 0 && len(l.okTimes) < 1e6 {
			l.okTimes = append(l.okTimes, time.Now())
		}
		l.mu.Unlock()
		l.called()
		got, err := l.c.Get(context.Background(), key)
		if err != nil {
			l.fail(err)
			continue
		}
		if got != strconv.FormatInt(next, 10) {
			l.badRead.Add(1)
		}
	}
}

func (l *load) fail(err error) {
	l.errs.Add(1)
	l.mu.Lock()
	if l.firstErr == nil {
		l.firstErr = err
	}
	l.errTimes = append(l.errTimes, time.Now())
	l.mu.Unlock()
}

// finish stops the workers and checks every acknowledged write with a
// fresh client: it returns how many are lost (missing or older).
func (l *load) finish(t testing.TB, check *Client) (lost int) {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, want := range l.acked {
		got, err := check.Get(context.Background(), key)
		if err != nil || got != strconv.FormatInt(want, 10) {
			lost++
			if lost <= 3 {
				t.Logf("acknowledged write lost: %s = %d, read %q, %v", key, want, got, err)
			}
		}
	}
	return lost
}

// callWaiter is closed when the calls reach target.
type callWaiter struct {
	target int64
	ch     chan struct{}
	once   sync.Once
}

// called counts a call and wakes awaitCalls when it is due.
func (l *load) called() {
	n := l.calls.Add(1)
	if w := l.waiter.Load(); w != nil && n >= w.target {
		w.once.Do(func() { close(w.ch) })
	}
}

// awaitCalls waits until the load has made n more calls (it is running).
func (l *load) awaitCalls(t testing.TB, n int64) {
	t.Helper()
	w := &callWaiter{target: l.calls.Load() + n, ch: make(chan struct{})}
	l.waiter.Store(w)
	select {
	case <-w.ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("the load made no progress: %d calls", l.calls.Load())
	}
}
