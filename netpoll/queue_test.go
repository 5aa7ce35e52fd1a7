package netpoll

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// TestQueueGrowShrink checks the ring's sizes through a burst and its ebb,
// in one goroutine.
func TestQueueGrowShrink(t *testing.T) {
	tests := []struct {
		name              string
		capacity, burst   int
		wantGrown, wantAt int // ring size after the burst, and after two shrinks once drained
	}{
		{"fits", 8192, 10, minRing, minRing},
		{"grows", 8192, 100, 128, minRing},
		{"limit", 8192, 8192, 8192, minRing},
		{"small limit", 4, 4, 4, 4},
		{"odd limit", 100, 100, 128, minRing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQueue(tt.capacity)
			reqs := make([]*request, tt.burst)
			for i := range reqs {
				reqs[i] = &request{next: i}
				if q.full() {
					t.Fatalf("full after %d of %d", i, tt.capacity)
				}
				q.push(reqs[i])
			}
			if got := q.slots(); got != tt.wantGrown {
				t.Errorf("after the burst: %d slots, want %d", got, tt.wantGrown)
			}
			if q.shrink() && tt.wantGrown != tt.wantAt {
				t.Errorf("shrank while the burst was queued")
			}
			for i := range reqs {
				r := q.front()
				if r != reqs[i] {
					t.Fatalf("pop %d: got request %v", i, r)
				}
				q.pop()
			}
			if q.front() != nil || q.len() != 0 {
				t.Fatalf("not empty after the burst drained")
			}
			q.shrink() // forgets the burst's peak
			if !q.shrink() {
				t.Errorf("not back to the smallest ring")
			}
			if got := q.slots(); got != tt.wantAt {
				t.Errorf("drained and shrunk: %d slots, want %d", got, tt.wantAt)
			}
		})
	}
}

// TestQueueResizeRace runs a producer (under a mutex, as Conn's callers)
// pushing bursts of varying size, a shrinker resizing under the same mutex,
// and the reader popping without it, and checks that the reader sees every
// request once, in order. Run with -race.
func TestQueueResizeRace(t *testing.T) {
	const total = 200_000
	q := newQueue(1024)
	var mu sync.Mutex
	reqs := make([]request, 1024+1)
	for i := range reqs {
		reqs[i].next = -1
	}
	var grownTo, shrinks atomic.Int64
	done := make(chan struct{})
	go func() { // shrinker
		defer close(done)
		for q.head.Load() < total {
			mu.Lock()
			before := q.slots()
			q.shrink()
			if q.slots() < before {
				shrinks.Add(1)
			}
			mu.Unlock()
			runtime.Gosched()
		}
	}()
	go func() { // producer
		burst := 1
		for i := 0; i < total; {
			mu.Lock()
			for j := 0; j < burst && i < total && !q.full(); j++ {
				r := &reqs[i%len(reqs)] // free again: at most 1024 are queued
				r.replies = i
				q.push(r)
				i++
			}
			if n := int64(q.slots()); n > grownTo.Load() {
				grownTo.Store(n)
			}
			mu.Unlock()
			burst = burst*3%1021 + 1 // 1 to 1021, then back down
			runtime.Gosched()
		}
	}()
	for i := 0; i < total; {
		r := q.front()
		if r == nil {
			runtime.Gosched()
			continue
		}
		if r.replies != i {
			t.Fatalf("pop %d: got request %d", i, r.replies)
		}
		q.pop()
		i++
	}
	<-done
	if grownTo.Load() <= minRing || shrinks.Load() == 0 {
		t.Errorf("the ring grew to %d slots and shrank %d times; want both", grownTo.Load(), shrinks.Load())
	}
}

// TestRingGrowsAndShrinksUnderTraffic sends bursts of concurrent commands
// to a real server while the ring is shrunk as often as it can be, and
// checks that every caller gets its own reply; then that the ring, grown by
// the bursts, is back to its smallest size once they are over.
func TestRingGrowsAndShrinksUnderTraffic(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			c := dialServer(t, srv, tr, Options{})
			stop := make(chan struct{})
			var shrinking sync.WaitGroup
			grown := 0 // the largest ring seen; the shrinking goroutine's until it ends
			shrinking.Add(1)
			go func() {
				defer shrinking.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					c.mu.Lock()
					grown = max(grown, c.q.slots())
					c.q.shrink()
					c.mu.Unlock()
					runtime.Gosched()
				}
			}()
			stopShrinking := sync.OnceFunc(func() { close(stop); shrinking.Wait() })
			defer stopShrinking() // also when a round fails
			for round, callers := range []int{1, 300, 8, 600, 2, 100} {
				var wg sync.WaitGroup
				errs := make(chan error, callers)
				for g := range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var h bytesHandler
						for i := range 20 {
							token := fmt.Sprintf("r%d:g%d:%s", round, g, strconv.Itoa(i))
							if err := echoToken(context.Background(), c, &h, token); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
			}
			stopShrinking()
			if grown <= minRing {
				t.Errorf("the ring never grew (%d slots at most)", grown)
			}
			c.shrinkRing()
			c.shrinkRing()
			c.mu.Lock()
			slots, watched := c.q.slots(), c.q.shrinker
			c.mu.Unlock()
			if slots != minRing || watched {
				t.Errorf("after the bursts: %d slots (want %d), in the shrinker's set: %v", slots, minRing, watched)
			}
		})
	}
}

// TestShrinkerShrinksIdleRing grows a connection's ring with a burst, then
// leaves the connection idle: the shrinker (run every millisecond here)
// brings the ring back to its smallest size and ends its goroutine.
func TestShrinkerShrinksIdleRing(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	checkGoroutines(t)
	shrinker.mu.Lock()
	saved := shrinker.every
	shrinker.every = time.Millisecond
	shrinker.mu.Unlock()
	t.Cleanup(func() {
		shrinker.mu.Lock()
		shrinker.every = saved
		shrinker.mu.Unlock()
	})
	c := dialServer(t, srv, TransportGnet, Options{})
	var wg sync.WaitGroup
	for g := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h bytesHandler
			if err := echoToken(context.Background(), c, &h, strconv.Itoa(g)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		slots, watched := c.q.slots(), c.q.shrinker
		c.mu.Unlock()
		if slots == minRing && !watched {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("idle ring still has %d slots (in the shrinker's set: %v)", slots, watched)
		}
		time.Sleep(time.Millisecond) // polling: the shrinker's tick cannot be awaited
	}
}

func TestResizeReadBuffer(t *testing.T) {
	tests := []struct {
		name             string
		size, n, small   int
		wantSize, wantSm int
	}{
		{"full small buffer doubles", minReadBuffer, minReadBuffer, 3, 2 * minReadBuffer, 0},
		{"full largest stays", maxReadBuffer, maxReadBuffer, 0, maxReadBuffer, 0},
		{"half used stays", 2 * minReadBuffer, minReadBuffer, 5, 2 * minReadBuffer, 0},
		{"small read counts", 4 * minReadBuffer, 10, 5, 4 * minReadBuffer, 6},
		{"smallest never shrinks", minReadBuffer, 1, 100, minReadBuffer, 0},
		{"enough small reads halve", 4 * minReadBuffer, 10, shrinkReadsAfter - 1, 2 * minReadBuffer, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf, small := resizeReadBuffer(make([]byte, tt.size), tt.n, tt.small)
			if len(buf) != tt.wantSize || small != tt.wantSm {
				t.Errorf("got %d bytes, %d small reads; want %d, %d", len(buf), small, tt.wantSize, tt.wantSm)
			}
		})
	}
}

// TestQueueSteadyAllocs checks that a queue that has grown to its traffic
// allocates nothing while the traffic stays the same, shrinker included.
func TestQueueSteadyAllocs(t *testing.T) {
	q := newQueue(8192)
	reqs := make([]request, 100)
	burst := func() {
		for i := range reqs {
			q.push(&reqs[i])
		}
		q.shrink() // the shrinker's look, at the peak
		for q.front() != nil {
			q.pop()
		}
	}
	burst() // grows the ring to 128 slots
	if allocs := testing.AllocsPerRun(100, burst); allocs != 0 {
		t.Errorf("%v allocations per burst of %d", allocs, len(reqs))
	}
	if got := q.slots(); got != 128 {
		t.Errorf("ring of %d slots, want 128", got)
	}
}
