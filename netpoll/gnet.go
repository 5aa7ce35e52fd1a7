package netpoll

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/bytebufferpool"
	"golang.org/x/sys/unix"
)

// maxLeaderRounds bounds how many batches a caller writes for others before
// it hands the rest to the event loop and goes to wait for its own reply.
const maxLeaderRounds = 8

// The process-wide gnet client engine, started on first use.
var engine struct {
	mu    sync.Mutex
	cli   *gnet.Client
	loops int
}

// SetEventLoops sets how many gnet event loops serve the connections of this
// process (default GOMAXPROCS). It must be called before the first
// connection that uses the gnet transport; after that it returns an error.
func SetEventLoops(n int) error {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.cli != nil {
		return errors.New("netpoll: SetEventLoops after the event loops started")
	}
	if n < 0 {
		return errors.New("netpoll: negative event loop count")
	}
	engine.loops = n
	return nil
}

func gnetClient() (*gnet.Client, error) {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.cli != nil {
		return engine.cli, nil
	}
	loops := engine.loops
	if loops == 0 {
		loops = runtime.GOMAXPROCS(0)
	}
	cli, err := gnet.NewClient(&gnetHandler{},
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(loops),
		gnet.WithLogger(silentLogger{}),
	)
	if err != nil {
		return nil, err
	}
	if err := cli.Start(); err != nil {
		return nil, err
	}
	engine.cli = cli
	return cli, nil
}

// silentLogger keeps gnet quiet: failures reach callers as errors instead.
type silentLogger struct{}

func (silentLogger) Debugf(string, ...any) {}
func (silentLogger) Infof(string, ...any)  {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Errorf(string, ...any) {}
func (silentLogger) Fatalf(string, ...any) {}

// gnetTransport moves a Conn's bytes through a gnet event loop, which reads
// the socket and parses replies. Writing is done by callers: one that finds
// nobody writing writes the pending batch straight to the socket (a
// non-blocking write; no wake-up, no allocation), and only when the socket
// pushes back (EAGAIN) does the rest go to the loop, which gnet then flushes
// when the socket is writable again.
type gnetTransport struct {
	c  *Conn
	gc gnet.Conn
	fd int

	// wmu is held by a caller writing to fd. OnClose takes it after the
	// connection is marked closed and before gnet closes fd, so a caller
	// never writes to a closed descriptor (or one reused by another socket).
	wmu      sync.Mutex
	fdClosed bool
	writeErr error // why a caller's write failed; under wmu

	// handoff is a batch a caller could not finish writing, handed to the
	// loop whole (no copy) with the offset of its unwritten rest; under c.mu.
	handoff    *bytebufferpool.ByteBuffer
	handoffOff int
	pollFd     [1]unix.PollFd // for writeWhenWritable; the write side's owner only
	cause      error          // why the loop closed the connection; loop only
}

func startGnet(c *Conn, nc net.Conn) error {
	cli, err := gnetClient()
	if err != nil {
		return err
	}
	t := &gnetTransport{c: c}
	c.t = t
	gc, err := cli.EnrollContext(nc, t) // gnet takes a duplicate of the descriptor and closes nc
	if err != nil {
		return err
	}
	t.gc, t.fd = gc, gc.Fd()
	return nil
}

func (t *gnetTransport) shut() { _ = t.gc.Close() }

// flush writes pending batches as the caller that claimed the write side.
func (t *gnetTransport) flush() {
	t.c.gather()
	for round := 0; ; round++ {
		b := t.c.takePending()
		if b == nil {
			return // nothing left; the write side is free again
		}
		if round == maxLeaderRounds {
			t.toLoop(b, 0)
			return
		}
		rest, err := t.write(b.B)
		if err == nil && len(rest) > 0 && len(b.B) >= directLargeWrite {
			rest, err = t.writeWhenWritable(rest)
		}
		if err != nil {
			t.c.wrote(b)
			t.shut() // the loop sees the failure and shuts the Conn down
			return
		}
		if len(rest) > 0 {
			t.toLoop(b, len(b.B)-len(rest))
			return
		}
		t.c.wrote(b)
	}
}

// A batch of at least directLargeWrite bytes that the socket pushes back is
// written on by its caller as the socket drains, for up to
// maxDirectLargeWait, before the rest goes to the loop: handed to gnet,
// whatever the socket does not take at once is copied into gnet's buffer,
// which for megabyte values costs more than the wait. The caller is waiting
// for its reply, which needs these bytes written first, so it loses nothing;
// the bound keeps a server that stops reading from holding it past its
// context for long.
const (
	directLargeWrite   = 64 << 10
	maxDirectLargeWait = 20 * time.Millisecond
)

// writeWhenWritable writes p as the socket becomes writable, within
// maxDirectLargeWait, and returns what is left.
func (t *gnetTransport) writeWhenWritable(p []byte) ([]byte, error) {
	deadline := time.Now().Add(maxDirectLargeWait)
	for len(p) > 0 {
		wait := time.Until(deadline)
		if wait <= 0 {
			return p, nil
		}
		t.pollFd[0] = unix.PollFd{Fd: int32(t.fd), Events: unix.POLLOUT}
		n, err := unix.Poll(t.pollFd[:], int(min(wait, 5*time.Millisecond)/time.Millisecond)+1)
		switch {
		case err == unix.EINTR || n == 0:
			continue
		case err != nil, t.pollFd[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0:
			return p, nil // the loop sees the failure
		}
		var werr error
		if p, werr = t.write(p); werr != nil {
			return p, werr
		}
	}
	return p, nil
}

// write writes p to the socket without blocking and returns what the socket
// would not take.
func (t *gnetTransport) write(p []byte) ([]byte, error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.fdClosed {
		return p, net.ErrClosed
	}
	for len(p) > 0 {
		n, err := unix.Write(t.fd, p)
		if n > 0 {
			p = p[n:]
		}
		switch err {
		case nil:
		case unix.EINTR:
		case unix.EAGAIN:
			return p, nil
		default:
			t.writeErr = fmt.Errorf("write: %w", err)
			return p, err
		}
	}
	return nil, nil
}

// toLoop hands the write side to the event loop, with the batch b whose
// bytes from off on must go out before any pending ones. The loop returns b
// to the Conn once written (a batch of large values is not copied again).
func (t *gnetTransport) toLoop(b *bytebufferpool.ByteBuffer, off int) {
	t.c.mu.Lock()
	t.c.writer = writerLoop
	t.handoff, t.handoffOff = b, off
	t.c.mu.Unlock()
	if err := t.gc.Wake(nil); err != nil {
		t.shut()
	}
}

// loopWrite runs on the event loop after every read and wake-up. It writes
// what callers handed over or left pending, and gives the write side back to
// callers once gnet's own outbound buffer has drained: until then a direct
// write would overtake bytes gnet still holds.
func (t *gnetTransport) loopWrite(gc gnet.Conn) {
	c := t.c
	for {
		c.mu.Lock()
		switch c.writer {
		case writerLoop:
			if gc.OutboundBuffered() > 0 {
				c.mu.Unlock()
				return // gnet is still flushing; the next read comes back here
			}
		case writerNone:
			if len(c.pending.B) == 0 {
				c.mu.Unlock()
				return
			}
			c.writer = writerLoop
		default:
			c.mu.Unlock()
			return // a caller is writing
		}
		handoff, off := t.handoff, t.handoffOff
		t.handoff = nil
		b := c.swapPendingLocked()
		if handoff == nil && b == nil {
			c.writer = writerNone // everything is out
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		var err error
		if handoff != nil {
			_, err = gc.Write(handoff.B[off:])
			c.wrote(handoff)
		}
		if b != nil {
			if err == nil {
				_, err = gc.Write(b.B) // gnet keeps what the socket does not take
			}
			c.wrote(b)
		}
		if err != nil {
			return // gnet has closed the connection; OnClose ran
		}
	}
}

// gnetHandler is the engine's event handler, shared by every connection.
type gnetHandler struct{ gnet.BuiltinEventEngine }

func (*gnetHandler) OnTraffic(gc gnet.Conn) gnet.Action {
	t, ok := gc.Context().(*gnetTransport)
	if !ok {
		return gnet.Close
	}
	sent := t.c.sent.Load() // after the read: see onData
	// Next(-1) takes everything; gnet's own inbound buffer stays empty, so
	// this is a view of the bytes just read, not a copy.
	if data, _ := gc.Next(-1); len(data) > 0 {
		if err := t.c.onData(data, sent); err != nil {
			t.cause = err
			return gnet.Close
		}
	}
	t.loopWrite(gc)
	return gnet.None
}

func (*gnetHandler) OnClose(gc gnet.Conn, err error) gnet.Action {
	t, ok := gc.Context().(*gnetTransport)
	if !ok {
		return gnet.None
	}
	t.wmu.Lock()
	t.fdClosed = true
	writeErr := t.writeErr
	t.wmu.Unlock()
	cause := t.cause
	if cause == nil {
		cause = writeErr
	}
	if cause == nil {
		cause = err
	}
	if cause == nil {
		cause = io.EOF
	}
	t.c.shutdown(cause)
	return gnet.None
}
