package netpoll

import (
	"context"
	"errors"
	"time"
)

// Direct reads.
//
// A reply normally travels from the socket to its caller through the
// transport's reading goroutine: the reader wakes when bytes arrive, parses
// them and wakes the caller. When a connection has one caller at a time
// (serial use, or a quiet moment), that is two wake-ups where one would do,
// and on a machine with few cores the second one costs as much as the
// server's work. So a transport that supports it (directReader: the
// net.Conn transport on TCP and unix sockets) lets the reading side go
// idle when every reply owed has arrived, and the next caller that finds
// it idle takes the reading role itself: it writes its command, reads the
// socket until its own reply is in (completing any other request whose
// replies come first), and then gives the role back: idle again if nothing
// is owed, else to the reader goroutine.
//
// The check that keeps a reply from reaching the wrong caller stays: a
// caller that takes the role first probes the idle socket without
// blocking. Bytes waiting there were sent for nobody (every reply owed had
// arrived), so the connection is closed with ErrUnexpectedReply before
// the caller writes anything; a socket the server closed is found the same
// way, so the caller's command fails as not sent and is not written into a
// dead connection.
//
// A read cannot be interrupted by a context, only by a deadline: the
// earlier of DoDeadline's deadline and the context's bounds the reads, and
// a context that can be cancelled is looked at between polls and, while
// the read sleeps, every cancelSlice (a millisecond). A caller whose
// context ends abandons its request and hands the reading side to the
// reader goroutine, which reads the late reply and drops it.

// directReader is a transport whose reading side callers can take over.
type directReader interface {
	// probe checks without blocking that the idle socket is open and holds
	// no bytes; it returns why not (ErrUnexpectedReply, or the socket's
	// error).
	probe() error
	// readOnce reads the socket once (until deadline, when not zero) and
	// hands what came to onData. It returns errReadDeadline when the
	// deadline passed, and any other failure after shutting the
	// connection down.
	readOnce(deadline time.Time) error
	// pollOnce reads the socket without blocking, again and again until
	// bytes come (handed to onData) or until passes (spin.go). It reports
	// whether bytes came; an error after shutting the connection down.
	pollOnce(until time.Time, done <-chan struct{}) (bool, error)
	// clearDeadline removes a read deadline readOnce set.
	clearDeadline()
	// wakeReader hands the reading side to the transport's reader.
	wakeReader()
}

// errReadDeadline is readOnce's error when its deadline passed.
var errReadDeadline = errors.New("netpoll: read deadline")

// takeReadRole gives the reading side, if idle, to the reader goroutine:
// the request just pushed needs someone to read its replies. It reports
// whether the reader must be woken (after the mutex is released). Call with
// the mutex held.
func (c *Conn) takeReadRole() bool {
	if c.direct == nil || !c.readIdle.Load() {
		return false
	}
	c.readIdle.Store(false)
	return true
}

// releaseReadRole gives the reading side up after a direct read: idle
// when nothing is owed, else to the reader goroutine.
func (c *Conn) releaseReadRole() {
	c.mu.Lock()
	if c.q.len() == 0 && len(c.in) == 0 && !c.closed {
		c.readIdle.Store(true)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.direct.wakeReader()
}

// goIdle is the reader goroutine's check after handling bytes: with
// nothing owed and at most one caller about (the one just answered, in
// serial use), the reading side goes idle (and the reader waits to be
// woken). It reports whether it did.
func (c *Conn) goIdle() bool {
	if c.direct == nil || c.q.len() != 0 || c.active.Load() > 1 {
		// Callers besides the one just answered are about: they will send
		// again at once, and the reader is better placed to read for all.
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.q.len() != 0 || len(c.in) != 0 || c.closed {
		return false
	}
	c.readIdle.Store(true)
	return true
}

// doDirect is DoDeadline for a caller that found the reading side idle.
// If, once its command is queued, both sides are still free (nobody reads,
// nobody writes), it takes both: it probes the socket (nothing can have
// been written since the side went idle, so whatever is there was sent for
// nobody), writes the batch and reads its own reply. Otherwise it goes the
// usual way.
func (c *Conn) doDirect(ctx context.Context, deadline time.Time, poll bool, h Handler, replies int, encode func(dst []byte) []byte) error {
	req := acquireRequest(h, replies)
	c.mu.Lock()
	if err := c.enqueueLocked(ctx, nil, req, replies, encode); err != nil {
		c.mu.Unlock()
		releaseRequest(req)
		return err
	}
	own := c.readIdle.Load() && c.writer == writerNone && c.active.Load() == 1
	var lead, wake bool
	if own {
		c.readIdle.Store(false)
		c.writer = writerCaller
	} else {
		lead = c.claimWriter()
		wake = c.takeReadRole()
	}
	c.mu.Unlock()
	if !own {
		if wake {
			c.direct.wakeReader()
		}
		if lead {
			c.t.flush()
		}
		return c.wait(ctx, req.deadline(deadline), req)
	}
	if err := c.direct.probe(); err != nil {
		// Stray bytes, or a socket the server closed: nothing of this
		// batch was written, and the connection is done for.
		c.t.shut()
		c.shutdown(err)
		c.releaseReadRole()
		<-req.done
		err = req.err
		releaseRequest(req)
		return err
	}
	c.t.flush()
	return c.readOwn(ctx, req, deadline, poll)
}

// cancelSlice is how long a direct reader whose context can be cancelled
// sleeps in a read before it looks at the context again: the most a
// cancellation (as opposed to a deadline, which bounds the read itself)
// waits to be noticed while a reply is late.
const cancelSlice = time.Millisecond

// readOwn reads the socket until req is complete, holding the reading
// side, then gives the side up. With poll, it may poll first (spin.go).
func (c *Conn) readOwn(ctx context.Context, req *request, deadline time.Time, poll bool) error {
	c.directReads.Add(1)
	start := time.Now()
	// The context's deadline bounds the reads like deadline; its
	// cancellation is seen between polls, and every cancelSlice while the
	// read sleeps.
	done := ctx.Done()
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	// Polling (spin.go): a lone waiter may poll until until, if not zero
	// (the budget may be spent); its wait adapts the budget either way.
	lone := directWaiters.Add(1) == 1 && poll && c.spin.max > 0
	var until time.Time
	if lone {
		until = c.spin.limit(start, deadline)
	}
	polled := !until.IsZero()
	slept, setDeadline := false, false
	var err error
	for len(req.done) == 0 {
		if polled && !slept {
			got, perr := c.direct.pollOnce(until, done)
			if perr != nil {
				break // shut down: every request, req too, has failed
			}
			if !got {
				slept = true // the budget is spent, another waits, or ctx ended: sleep
			}
			continue
		}
		if done != nil {
			if cerr := ctx.Err(); cerr != nil {
				if req.abandon() {
					err = cerr // the reader drops its replies and recycles it
				}
				break
			}
		}
		readBy, sliced := deadline, false
		if done != nil {
			if slice := time.Now().Add(cancelSlice); readBy.IsZero() || slice.Before(readBy) {
				readBy, sliced = slice, true
			}
		}
		setDeadline = setDeadline || !readBy.IsZero()
		rerr := c.direct.readOnce(readBy)
		if rerr == errReadDeadline {
			if sliced {
				continue // a slice ended: look at the context again
			}
			if req.abandon() {
				err = context.DeadlineExceeded // the reader drops its replies and recycles it
			}
			break
		}
		if rerr != nil {
			break // shut down: every request, req too, has failed
		}
	}
	if setDeadline {
		c.direct.clearDeadline()
	}
	directWaiters.Add(-1)
	if lone {
		caught := polled && !slept
		c.spin.observe(time.Since(start), caught)
		if caught {
			c.polledReads.Add(1)
		}
	}
	c.releaseReadRole()
	if err != nil {
		return err
	}
	<-req.done
	err = req.err
	releaseRequest(req)
	return err
}
