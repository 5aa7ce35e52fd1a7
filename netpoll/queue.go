package netpoll

import "sync/atomic"

// minRing is the number of slots a request ring starts with: an idle
// connection, or one serving a few callers, costs 128 bytes of ring.
const minRing = 16

// queue is the FIFO of requests awaiting replies. Producers push under the
// connection's mutex, so there is one producer at a time; the reader is the
// only consumer. head and tail are atomic so that the reader pops without
// taking the mutex.
//
// The requests sit in a ring that starts with minRing slots and doubles when
// a push finds it full, up to limit slots (MaxPending rounded up to a power
// of two); shrink, run by the connection's shrinker under the mutex, makes
// it smaller again once traffic has ebbed. A new ring gets a copy of the
// queued requests and is then published with an atomic store, before any
// push into it; the reader loads the ring after the tail, so the ring it
// sees holds every request below that tail. Rings are never written below
// the tail once replaced, and the reader never writes a slot (pop only
// moves head), so copying races with nothing: the reader may go on reading
// a replaced ring, whose queued slots are unchanged. A popped slot keeps
// its (pooled) request until a push reuses the slot or the ring is
// replaced.
type queue struct {
	ring  atomic.Pointer[ring]
	head  atomic.Uint64 // next slot to pop (reader)
	tail  atomic.Uint64 // next slot to fill (producers, under the mutex)
	limit uint64        // the most slots the ring may have

	// Under the mutex: the most requests queued since the shrinker last
	// looked, and whether the connection is in the shrinker's set.
	peak     uint64
	shrinker bool
}

// ring is a queue's storage; len(slots) is a power of two.
type ring struct {
	slots []*request
	mask  uint64
}

func newRing(n uint64) *ring { return &ring{slots: make([]*request, n), mask: n - 1} }

func newQueue(capacity int) *queue {
	limit := uint64(1)
	for limit < uint64(capacity) {
		limit <<= 1
	}
	q := &queue{limit: limit}
	q.ring.Store(newRing(min(minRing, limit)))
	return q
}

// full reports whether the queue holds as many requests as it may. Call
// with the mutex held.
func (q *queue) full() bool { return q.tail.Load()-q.head.Load() >= q.limit }

// push appends r, doubling the ring if it is full, and reports whether it
// did. Call with the mutex held, after checking full.
func (q *queue) push(r *request) (grew bool) {
	t := q.tail.Load()
	n := t - q.head.Load() // queued before r
	rg := q.ring.Load()
	if n >= uint64(len(rg.slots)) {
		rg = q.resize(2 * uint64(len(rg.slots)))
		grew = true
	}
	rg.slots[t&rg.mask] = r
	q.tail.Store(t + 1)
	if n+1 > q.peak {
		q.peak = n + 1
	}
	return grew
}

// resize replaces the ring with one of n slots (a power of two, at least
// the number queued) holding the same requests, and returns it. Call with
// the mutex held. The reader may pop meanwhile: the copy starts at a head
// loaded before it, so it covers every request the reader has yet to pop.
func (q *queue) resize(n uint64) *ring {
	old := q.ring.Load()
	rg := newRing(n)
	t := q.tail.Load()
	for i := q.head.Load(); i != t; i++ {
		rg.slots[i&rg.mask] = old.slots[i&old.mask]
	}
	q.ring.Store(rg)
	return rg
}

// shrink makes the ring smaller if the requests queued since the last call
// never filled a quarter of it: to twice that peak, at least minRing
// slots. It returns whether the ring is back to its smallest size. Call
// with the mutex held.
func (q *queue) shrink() (smallest bool) {
	size := uint64(len(q.ring.Load().slots))
	low := min(minRing, q.limit)
	peak := max(q.peak, q.len64())
	if size > low && peak*4 <= size {
		n := low
		for n < 2*peak {
			n <<= 1
		}
		size = uint64(len(q.resize(n).slots))
	}
	q.peak = q.len64()
	return size <= low
}

// front returns the oldest request, or nil. Reader only.
func (q *queue) front() *request {
	h := q.head.Load()
	if h == q.tail.Load() {
		return nil
	}
	rg := q.ring.Load() // after the tail: see queue
	return rg.slots[h&rg.mask]
}

// pop removes the oldest request. Reader only, after front returned one.
func (q *queue) pop() { q.head.Add(1) }

// len returns the number of requests queued.
func (q *queue) len() int { return int(q.len64()) }

func (q *queue) len64() uint64 { return q.tail.Load() - q.head.Load() }

// slots returns the ring's size (for tests and the shrinker).
func (q *queue) slots() int { return len(q.ring.Load().slots) }
