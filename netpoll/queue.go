package netpoll

import "sync/atomic"

// queue is the FIFO of requests awaiting replies: a ring of fixed capacity.
// Producers push under the connection's mutex, so there is one producer at a
// time; the reader is the only consumer. head and tail are atomic so that the
// reader pops without taking the mutex.
type queue struct {
	slots []*request
	mask  uint64
	head  atomic.Uint64 // next slot to pop (reader)
	tail  atomic.Uint64 // next slot to fill (producers, under the mutex)
}

func newQueue(capacity int) *queue {
	n := 1
	for n < capacity {
		n <<= 1
	}
	return &queue{slots: make([]*request, n), mask: uint64(n - 1)}
}

// full reports whether no slot is free. Call with the mutex held.
func (q *queue) full() bool { return q.tail.Load()-q.head.Load() >= uint64(len(q.slots)) }

// push appends r. Call with the mutex held, after checking full.
func (q *queue) push(r *request) {
	t := q.tail.Load()
	q.slots[t&q.mask] = r
	q.tail.Store(t + 1)
}

// front returns the oldest request, or nil. Reader only.
func (q *queue) front() *request {
	h := q.head.Load()
	if h == q.tail.Load() {
		return nil
	}
	return q.slots[h&q.mask]
}

// pop removes the oldest request. Reader only, after front returned one.
func (q *queue) pop() {
	h := q.head.Load()
	q.slots[h&q.mask] = nil
	q.head.Store(h + 1)
}

// len returns the number of requests queued.
func (q *queue) len() int { return int(q.tail.Load() - q.head.Load()) }
