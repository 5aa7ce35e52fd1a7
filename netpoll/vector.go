package netpoll

import (
	"context"
	"time"
)

// Vectored writes.
//
// A command normally reaches the socket as bytes its encode func appended
// to the connection's pending batch: one copy, which for small commands is
// what lets many callers share one write(2). For a command carrying a
// large value that copy is the cost: copying a 1 MiB value into the batch
// took a fifth of a SET's CPU, and the batch, grown to megabytes, touched
// fresh memory each time. DoBuffers writes such a command from the
// caller's own buffers instead (writev), with the batch queued before it
// in the same call, and never copies the value.
//
// Only the owner of the write side writes, so a caller of DoBuffers first
// takes the write side: at once when it is free, or handed over by the
// owner, who stops when it next takes the pending batch (takePending) and
// leaves that batch for the vector writer to write first. One vector
// writer waits at a time (vecTurn); the others queue for their turn. The
// caller owns the write side for as long as its buffers are being written,
// and is the only one who can end that early: if its context ends or its
// deadline passes mid-write, the write stops and, since the server has
// part of a command, the connection is shut down.

// vectorWriter is a transport that can write a caller's buffers as they
// stand: the net.Conn transport.
type vectorWriter interface {
	// writeBuffers writes batch (may be empty) and then bufs, by writev
	// where the socket allows, giving up when deadline (if not zero)
	// passes or ctx ends.
	writeBuffers(ctx context.Context, batch []byte, bufs [][]byte, deadline time.Time) error
	// failWrite records why writing failed and closes the socket; the
	// reading side then shuts the connection down.
	failWrite(err error)
}

// WritesBuffers reports whether DoBuffers writes buffers without copying
// them (the net.Conn transport); otherwise it copies them into the batch
// as DoDeadline would.
func (c *Conn) WritesBuffers() bool {
	_, ok := c.t.(vectorWriter)
	return ok
}

// DoBuffers is DoDeadline for a command given as buffers, which are
// written as they stand, after whatever was queued before it, without
// being copied (see WritesBuffers). bufs, joined, must be one or more whole
// commands (replies is how many replies they get); they must not change
// until DoBuffers returns. The caller waits for the write side, writes,
// then waits for its replies; if ctx ends or deadline passes while its
// bytes are being written, the connection is shut down (the server has
// part of a command) and every request on it fails.
func (c *Conn) DoBuffers(ctx context.Context, deadline time.Time, h Handler, replies int, bufs [][]byte) error {
	vw, ok := c.t.(vectorWriter)
	if !ok {
		return c.DoDeadline(ctx, deadline, h, replies, func(dst []byte) []byte {
			for _, b := range bufs {
				dst = append(dst, b...)
			}
			return dst
		})
	}
	if h == nil || replies < 1 || replies > 1<<30 || buffersEmpty(bufs) {
		return ErrBadRequest
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	c.active.Add(1)
	defer c.active.Add(-1)

	// One vector writer waits for the write side at a time.
	req := acquireRequest(h, replies)
	expired := req.deadline(deadline)
	select {
	case c.vecTurn <- struct{}{}:
	case <-c.done:
		return c.failBeforeSend(req, expired, nil)
	case <-ctx.Done():
		return c.failBeforeSend(req, expired, ctx.Err())
	case <-expired:
		return c.failBeforeSend(req, expired, context.DeadlineExceeded)
	}
	c.mu.Lock()
	err := c.waitForRoom(ctx, expired)
	if err == nil {
		err = c.takeWriteSide(ctx, expired)
	}
	<-c.vecTurn
	if err != nil {
		c.mu.Unlock()
		return c.failBeforeSend(req, expired, err)
	}
	// The write side is ours, and nothing can be queued behind our bytes
	// before they are placed: take what was queued before us, then queue
	// this request after it.
	batch := c.swapPendingLocked()
	if c.hasWatchdog && c.q.len() == 0 {
		c.progress.Store(time.Now().UnixNano())
	}
	if c.q.push(req) {
		c.watchRing()
	}
	c.queued += uint64(replies)
	c.sent.Store(c.queued)
	wake := c.takeReadRole()
	c.mu.Unlock()
	if wake {
		c.direct.wakeReader()
	}
	var pending []byte
	if batch != nil {
		pending = batch.B
	}
	if testHookWriteBuffers != nil {
		testHookWriteBuffers()
	}
	werr := vw.writeBuffers(ctx, pending, bufs, deadline)
	if batch != nil {
		c.wrote(batch)
	}
	if werr == nil {
		c.t.flush() // what others queued meanwhile; gives the write side up
		return c.wait(ctx, expired, req)
	}
	// Part of a command may be on the wire: the connection is done for,
	// and its reader fails every request on it. The caller whose context
	// or deadline stopped the write is told so; otherwise this request
	// fails with the connection, like the others.
	vw.failWrite(werr)
	reason := ctx.Err()
	if reason == nil && !deadline.IsZero() && !time.Now().Before(deadline) {
		reason = context.DeadlineExceeded
	}
	if reason == nil {
		return c.wait(ctx, expired, req)
	}
	req.disarm(expired != nil)
	if !req.abandon() {
		<-req.done // being failed right now
		releaseRequest(req)
	}
	return reason
}

// testHookWriteBuffers, when set (by tests), runs once a vector writer owns
// the write side, before it writes.
var testHookWriteBuffers func()

// failBeforeSend releases a request that was never queued and returns why:
// err, or the connection's error when err is nil (it closed).
func (c *Conn) failBeforeSend(req *request, expired <-chan time.Time, err error) error {
	req.disarm(expired != nil)
	releaseRequest(req)
	if err == nil {
		c.mu.Lock()
		err = c.err
		c.mu.Unlock()
	}
	return err
}

// takeWriteSide waits, holding the vector writer's turn, until the write
// side is this caller's. Call with the mutex held; it returns with it
// held, and on an error the write side is not taken (a hand-over that
// came too late is passed on). Room was checked before: the request is
// queued even if others filled the queue meanwhile, since waiting for
// room while holding the write side could wait for ever.
func (c *Conn) takeWriteSide(ctx context.Context, expired <-chan time.Time) error {
	for {
		if c.closed {
			return c.err
		}
		switch c.writer {
		case writerNone, writerHanded:
			c.writer = writerCaller
			c.vecWaiting = false
			return nil
		}
		c.vecWaiting = true
		c.mu.Unlock()
		err := c.await(c.vecHanded, ctx, expired)
		c.mu.Lock()
		if err == nil && c.closed {
			err = c.err
		}
		if err != nil {
			c.vecWaiting = false
			if c.writer == writerHanded {
				// Handed over as we gave up: write what is pending in our
				// place, which also gives the side up.
				c.writer = writerCaller
				c.mu.Unlock()
				c.t.flush()
				c.mu.Lock()
			}
			select {
			case <-c.vecHanded: // a stale signal
			default:
			}
			return err
		}
	}
}

// handOverLocked is takePending's check: when a vector writer waits, the
// owner of the write side stops here and hands the side over (the writer
// writes the pending batch first). It reports whether it did. Call with
// the mutex held.
func (c *Conn) handOverLocked() bool {
	if !c.vecWaiting {
		return false
	}
	c.vecWaiting = false
	c.writer = writerHanded
	select {
	case c.vecHanded <- struct{}{}:
	default:
	}
	return true
}

func buffersEmpty(bufs [][]byte) bool {
	for _, b := range bufs {
		if len(b) > 0 {
			return false
		}
	}
	return true
}
