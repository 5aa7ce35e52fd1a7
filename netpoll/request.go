package netpoll

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// A Handler receives the replies to one request. Reply is called once per
// reply, in order, with i counting from 0 (a group of n commands, such as
// MULTI ... EXEC, gets n calls). v is a view into the connection's inbound
// buffer, valid only during the call: copy out what must outlive it.
//
// Reply runs on the goroutine or event loop that reads the connection, so it
// must be short and must never block. It is never called after the caller's
// context has ended and Do has returned.
type Handler interface {
	Reply(i int, v resp.Value)
}

// Request states. A request is waiting until the reader claims it to deliver
// a reply (busy), after which it goes back to waiting (more replies to come)
// or to done. A caller whose context ends marks a waiting request abandoned;
// the reader then drops its replies and recycles it.
const (
	stateWaiting uint32 = iota
	stateBusy
	stateAbandoned
)

// request is one entry of a connection's FIFO. It is pooled: the caller
// returns it after reading the outcome, or the reader does when the caller
// has abandoned it.
type request struct {
	h       Handler
	replies int // replies still expected
	next    int // index of the next reply
	err     error
	state   atomic.Uint32
	done    chan struct{} // receives once, when every reply (or an error) is in
	timer   *time.Timer   // for DoDeadline; made once, reused with the request
}

// deadline arms the request's timer for d and returns its channel, or nil
// for a zero d (no deadline). Stop it with disarm.
func (r *request) deadline(d time.Time) <-chan time.Time {
	if d.IsZero() {
		return nil
	}
	wait := time.Until(d)
	if r.timer == nil {
		r.timer = time.NewTimer(wait)
	} else {
		r.timer.Reset(wait)
	}
	return r.timer.C
}

// disarm stops the timer if deadline armed it, draining a value it may
// have sent (so the next user of the request never sees it, whatever the
// timer semantics of the program's Go version).
func (r *request) disarm(armed bool) {
	if armed && !r.timer.Stop() {
		select {
		case <-r.timer.C:
		default:
		}
	}
}

var requestPool = sync.Pool{New: func() any { return &request{done: make(chan struct{}, 1)} }}

func acquireRequest(h Handler, replies int) *request {
	r := requestPool.Get().(*request)
	r.h, r.replies, r.next, r.err = h, replies, 0, nil
	r.state.Store(stateWaiting)
	return r
}

func releaseRequest(r *request) {
	r.h, r.err = nil, nil
	requestPool.Put(r)
}

// deliver passes one reply to the request's handler. It reports whether the
// request is finished (all replies in, or abandoned), and so leaves the FIFO;
// the reader then pops it and calls complete, so that Pending no longer
// counts it by the time its caller wakes.
func (r *request) deliver(v resp.Value) bool {
	if !r.state.CompareAndSwap(stateWaiting, stateBusy) {
		// Abandoned: the reply is read and dropped, keeping the stream in step.
		r.replies--
		return r.replies == 0
	}
	r.h.Reply(r.next, v)
	r.next++
	r.replies--
	if r.replies > 0 {
		r.state.Store(stateWaiting)
		return false
	}
	return true // state stays busy: complete hands it back to the caller
}

// complete ends a finished request, once it has left the FIFO: it wakes
// the caller, or recycles an abandoned request.
func (r *request) complete() {
	if r.state.Load() == stateAbandoned {
		releaseRequest(r)
		return
	}
	r.done <- struct{}{}
}

// fail completes the request with err (the connection is gone).
func (r *request) fail(err error) {
	if !r.state.CompareAndSwap(stateWaiting, stateBusy) {
		releaseRequest(r) // abandoned
		return
	}
	r.err = err
	r.done <- struct{}{}
}

// abandon is called by a caller whose context ended. It reports whether the
// request was abandoned; if not, the reader is delivering to it right now or
// has finished, and the caller must wait on done.
func (r *request) abandon() bool {
	return r.state.CompareAndSwap(stateWaiting, stateAbandoned)
}
