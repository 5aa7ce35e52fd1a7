package netpoll

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The net.Conn transport reads into a buffer of minReadBuffer bytes, and
// parses replies in place from it. A read that fills the buffer doubles it,
// up to maxReadBuffer; after shrinkReadsAfter reads in a row that each
// fill less than a quarter of it, it is halved again. An idle connection
// so holds a small buffer, and a busy one reads in large chunks.
const (
	minReadBuffer    = 4 << 10
	maxReadBuffer    = 32 << 10
	shrinkReadsAfter = 256
)

// netConnTransport moves bytes over a net.Conn (TCP, unix or TLS) with one
// reader and one writer goroutine. On TCP and unix sockets it supports
// direct reads (direct.go): its reader then waits, while the reading side
// is idle, to be handed the side back.
type netConnTransport struct {
	c    *Conn
	nc   net.Conn
	kick chan struct{} // wakes the writer
	wg   sync.WaitGroup
	once sync.Once
	// writeErr is why the writer failed, if it did: the reader, which then
	// fails with "use of closed connection", reports this instead.
	writeErr atomic.Pointer[error]

	buf      []byte        // the reading side's buffer (see minReadBuffer)
	small    int           // reads in a row that used less than a quarter of buf
	readKick chan struct{} // hands the reading side to the reader
	shutCh   chan struct{} // closed by shut
	prober   *prober       // direct reads: nil when not supported
	vec      *vecWriter    // writev for DoBuffers: nil when not supported
	vbufs    [][]byte      // writeBuffers' list, reused
	deadline time.Time     // the read deadline set, if any
}

func startNetConn(c *Conn, nc net.Conn) {
	t := &netConnTransport{
		c: c, nc: nc, kick: make(chan struct{}, 1),
		buf: make([]byte, minReadBuffer), readKick: make(chan struct{}, 1), shutCh: make(chan struct{}),
	}
	c.t = t
	if c.opts.OnPush == nil && c.opts.Intercept == nil && !c.opts.NoDirectReads {
		// Pushes (subscribers, invalidations) and intercepted replies
		// come unasked: the reader must always be reading for them.
		if p := newProber(nc); p != nil {
			t.prober = p
			c.direct = t
		}
	}
	t.vec = newVecWriter(nc)
	t.wg.Add(2)
	go t.readLoop()
	go t.writeLoop()
}

// maxDirectWrite is the largest batch a caller writes itself; bigger ones
// go to the writer goroutine, so that a caller never sits in a long write.
const maxDirectWrite = 64 << 10

// flush runs as the caller that claimed the write side. A small batch it
// writes itself, sparing the wake-up of the writer goroutine (on an idle
// machine, a wake-up of another thread); after a few rounds, or for a large
// batch, it hands over to the writer goroutine, which gives the write side
// up when nothing is left to write.
func (t *netConnTransport) flush() {
	t.c.gather()
	for round := 0; round < maxLeaderRounds; round++ {
		t.c.mu.Lock()
		small := len(t.c.pending.B) <= maxDirectWrite
		t.c.mu.Unlock()
		if !small {
			break
		}
		b := t.c.takePending()
		if b == nil {
			return // written; the write side is free again
		}
		_, err := t.nc.Write(b.B)
		t.c.wrote(b)
		if err != nil {
			t.failWrite(err)
			return
		}
	}
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// writeBuffers is DoBuffers' write (vectorWriter): batch, then bufs, with
// writev where the socket allows (else one write per buffer), as the owner
// of the write side. deadline bounds it, and so does ctx: when it ends, a
// write deadline in the past stops the write.
func (t *netConnTransport) writeBuffers(ctx context.Context, batch []byte, bufs [][]byte, deadline time.Time) error {
	set := !deadline.IsZero()
	if set {
		t.nc.SetWriteDeadline(deadline)
	}
	var stop func() bool
	var stopped chan struct{}
	if ctx.Done() != nil {
		stopped = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			t.nc.SetWriteDeadline(time.Now())
			close(stopped)
		})
	}
	t.vbufs = append(append(t.vbufs[:0], batch), bufs...)
	var err error
	if t.vec != nil {
		err = t.vec.writeAll(t.vbufs)
	} else {
		for _, b := range t.vbufs {
			if _, err = t.nc.Write(b); err != nil {
				break
			}
		}
	}
	clear(t.vbufs)
	if stop != nil && !stop() {
		<-stopped // it ran: the deadline it set must go
		set = true
	}
	if set {
		t.nc.SetWriteDeadline(time.Time{})
	}
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return err
}

// failWrite records why writing failed and closes the socket; the reader
// then shuts the Conn down with this cause.
func (t *netConnTransport) failWrite(err error) {
	werr := fmt.Errorf("write: %w", err)
	t.writeErr.CompareAndSwap(nil, &werr)
	t.shut()
}

func (t *netConnTransport) shut() {
	t.once.Do(func() {
		t.nc.Close()
		close(t.shutCh)
	})
}

func (t *netConnTransport) writeLoop() {
	defer t.wg.Done()
	for {
		select {
		case <-t.kick:
		case <-t.c.done:
			return
		}
		for {
			b := t.c.takePending()
			if b == nil {
				break
			}
			_, err := t.nc.Write(b.B)
			t.c.wrote(b)
			if err != nil {
				t.failWrite(err)
				return
			}
		}
	}
}

// readLoop reads the socket and hands the bytes to the Conn. With direct
// reads, it stops when nothing is owed (the reading side goes idle) and
// waits to be handed the side back, or for the socket to be shut while
// nobody reads.
func (t *netConnTransport) readLoop() {
	defer t.wg.Done()
	idle := false
	var check <-chan time.Time
	if t.prober != nil {
		tick := time.NewTicker(idleCheckInterval)
		defer tick.Stop()
		check = tick.C
	}
	for {
		if idle {
			select {
			case <-t.readKick:
			case <-check:
				switch t.checkIdle() {
				case idleClean:
					continue
				case idleFailed:
					return
				}
				// Requests came while checking: read their replies.
			case <-t.shutCh:
				if !t.claimIdleForShutdown() {
					// A caller reads directly: it finds the socket shut and
					// shuts the connection down, then hands the side back.
					select {
					case <-t.readKick:
					case <-t.c.done:
						return
					}
				}
			case <-t.c.done:
				return
			}
			idle = false
		}
		b := t.readBuf()
		n, err := t.nc.Read(b)
		if n > 0 && t.handle(b, n) != nil {
			return
		}
		if err != nil {
			t.shut()
			t.c.shutdown(t.readError(err))
			return
		}
		idle = t.c.goIdle()
	}
}

// idleCheckInterval is how often the reader probes an idle socket, so that
// a server's close (or bytes sent for nobody) is found while nobody uses
// the connection, not only by the next caller. A variable for tests.
var idleCheckInterval = time.Second

// Outcomes of checkIdle.
const (
	idleClean  = iota // still idle, nothing arrived
	idleFailed        // the connection was shut down
	idleBusy          // requests came meanwhile: the reader reads
)

// checkIdle probes the idle socket, holding both sides so that nothing is
// written meanwhile (what is there was then sent for nobody).
func (t *netConnTransport) checkIdle() int {
	c := t.c
	c.mu.Lock()
	if !c.readIdle.Load() || c.writer != writerNone || c.closed {
		c.mu.Unlock()
		return idleClean // a caller has the connection: it probes for itself
	}
	c.readIdle.Store(false)
	c.writer = writerCaller
	c.mu.Unlock()
	if err := t.prober.probe(); err != nil {
		t.shut()
		c.shutdown(err)
		return idleFailed
	}
	t.flush() // what callers queued meanwhile; gives the write side up
	if c.goIdle() {
		return idleClean
	}
	return idleBusy
}

// readError is the cause a failed read reports: the writer's failure, if
// it closed the socket.
func (t *netConnTransport) readError(err error) error {
	if werr := t.writeErr.Load(); werr != nil {
		return *werr
	}
	return err
}

// claimIdleForShutdown takes the idle reading side so that the reader can
// read the shut socket's error and shut the connection down. It reports
// false when a caller holds the side.
func (t *netConnTransport) claimIdleForShutdown() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readIdle.Load() {
		return false
	}
	c.readIdle.Store(false)
	return true
}

// wakeReader hands the reading side to the reader (directReader).
func (t *netConnTransport) wakeReader() {
	select {
	case t.readKick <- struct{}{}:
	default:
	}
}

// readOnce is the direct reader's read (directReader).
func (t *netConnTransport) readOnce(deadline time.Time) error {
	if !deadline.Equal(t.deadline) {
		t.nc.SetReadDeadline(deadline)
		t.deadline = deadline
	}
	b := t.readBuf()
	n, err := t.nc.Read(b)
	if n > 0 {
		if perr := t.handle(b, n); perr != nil {
			return perr
		}
	}
	if err != nil {
		if !deadline.IsZero() && errors.Is(err, os.ErrDeadlineExceeded) {
			return errReadDeadline
		}
		t.shut()
		t.c.shutdown(t.readError(err))
		return err
	}
	return nil
}

// pollOnce is the direct reader's polling (directReader, spin.go): it
// reads the socket without blocking, yielding between tries, until bytes
// come, until passes or done (the caller's context's, if not nil) is
// closed.
func (t *netConnTransport) pollOnce(until time.Time, done <-chan struct{}) (bool, error) {
	for {
		b := t.readBuf()
		n, err := t.prober.poll(b)
		if n > 0 {
			return true, t.handle(b, n)
		}
		if err != nil {
			t.shut()
			t.c.shutdown(t.readError(err))
			return false, err
		}
		if !keepPolling(until) {
			return false, nil
		}
		if done != nil {
			select {
			case <-done:
				return false, nil
			default:
			}
		}
		runtime.Gosched()
	}
}

// readBuf is where the next read goes: the rest of a large reply being
// assembled, straight into its place (Conn.inboundRoom), else t.buf.
func (t *netConnTransport) readBuf() []byte {
	if room := t.c.inboundRoom(len(t.buf)); room != nil {
		return room
	}
	return t.buf
}

// handle hands the n bytes just read into b (readBuf's) to the Conn and,
// when b is t.buf, sizes it for the next read. An error means the
// connection was shut down. c.sent is loaded here, after the read, as
// onData requires.
func (t *netConnTransport) handle(b []byte, n int) error {
	if err := t.c.onData(b[:n], t.c.sent.Load()); err != nil {
		t.shut()
		t.c.shutdown(err)
		return err
	}
	if &b[0] == &t.buf[0] {
		t.buf, t.small = resizeReadBuffer(t.buf, n, t.small)
	}
	return nil
}

// clearDeadline removes the read deadline (directReader).
func (t *netConnTransport) clearDeadline() {
	if !t.deadline.IsZero() {
		t.nc.SetReadDeadline(time.Time{})
		t.deadline = time.Time{}
	}
}

// probe checks the idle socket (directReader).
func (t *netConnTransport) probe() error { return t.prober.probe() }

// resizeReadBuffer returns the buffer for the next read after a read of n
// bytes into buf, and the updated count of small reads (see minReadBuffer).
// onData has parsed or copied the bytes, so buf's contents need not move.
func resizeReadBuffer(buf []byte, n, small int) ([]byte, int) {
	switch {
	case n == len(buf) && len(buf) < maxReadBuffer:
		return make([]byte, 2*len(buf)), 0
	case n >= len(buf)/4 || len(buf) == minReadBuffer:
		return buf, 0
	case small+1 < shrinkReadsAfter:
		return buf, small + 1
	}
	return make([]byte, len(buf)/2), 0
}
