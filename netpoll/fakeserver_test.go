package netpoll

// A small scripted server and the failure modes that a real server cannot be
// made to show: garbage on the wire, a reply cut in half, a reply trickling in
// a few bytes at a time, a huge bulk string, a server that dies under load, a
// reply nobody asked for, a server that never answers, a reply over the
// configured limits, and RESP3 push messages in front of replies.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// fakeSafety bounds every wait in these tests. It is a safety net against a
// hang, never a measurement: nothing is expected to come near it.
const fakeSafety = 30 * time.Second

// fakeServer is a scripted server on a loopback port. Every accepted
// connection runs the script in its own goroutine; the connection is closed
// when the script returns.
type fakeServer struct {
	t      testing.TB
	ln     net.Listener
	script func(c *fakeConn)

	stop chan struct{} // closed by Close; scripts may select on it

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	once   sync.Once
}

// fakeConn is the server's side of one connection, as a script sees it.
type fakeConn struct {
	net.Conn
	r    *bufio.Reader
	stop <-chan struct{}
}

// startFakeServer starts a server running script for each connection and
// stops it at cleanup: the listener and every connection are closed and the
// server's goroutines waited for.
func startFakeServer(t testing.TB, script func(c *fakeConn)) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake server: listen: %v", err)
	}
	s := &fakeServer{t: t, ln: ln, script: script, stop: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(s.Close)
	return s
}

func (s *fakeServer) Addr() string { return s.ln.Addr().String() }

func (s *fakeServer) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return // the listener is closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, nc)
				s.mu.Unlock()
				nc.Close()
			}()
			s.script(&fakeConn{Conn: nc, r: bufio.NewReader(nc), stop: s.stop})
		}()
	}
}

// Close stops the server and waits for its goroutines. It is idempotent.
func (s *fakeServer) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.stop)
		s.ln.Close()
		for nc := range s.conns {
			nc.Close()
		}
		s.mu.Unlock()
		waited := make(chan struct{})
		go func() { s.wg.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(fakeSafety):
			s.t.Errorf("fake server: goroutines still running %v after Close\n%s", fakeSafety, allStacks())
		}
	})
}

// ReadCommand reads one command, a RESP array of bulk strings, as a client
// sends it.
func (c *fakeConn) ReadCommand() ([]string, error) {
	n, err := c.readHeader('*')
	if err != nil {
		return nil, err
	}
	if n < 1 || n > 1024 {
		return nil, fmt.Errorf("fake server: command with %d arguments", n)
	}
	args := make([]string, n)
	for i := range args {
		l, err := c.readHeader('$')
		if err != nil {
			return nil, err
		}
		if l < 0 || l > 1<<20 {
			return nil, fmt.Errorf("fake server: argument of %d bytes", l)
		}
		b := make([]byte, l+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		if b[l] != '\r' || b[l+1] != '\n' {
			return nil, errors.New("fake server: argument not followed by CRLF")
		}
		args[i] = string(b[:l])
	}
	return args, nil
}

func (c *fakeConn) readHeader(typ byte) (int, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 4 || line[0] != typ || line[len(line)-2] != '\r' {
		return 0, fmt.Errorf("fake server: bad header %q, want %q", line, typ)
	}
	return strconv.Atoi(line[1 : len(line)-2])
}

// Send writes s as it is.
func (c *fakeConn) Send(s string) error {
	_, err := io.WriteString(c.Conn, s)
	return err
}

// Drain reads and drops everything until the connection closes: a server
// that listens and never answers.
func (c *fakeConn) Drain() { _, _ = io.Copy(io.Discard, c.r) }

// fakeDial connects to s over transport tr and closes the Conn at cleanup,
// failing the test if Close does not return.
func fakeDial(t *testing.T, s *fakeServer, tr Transport, opts Options) *Conn {
	t.Helper()
	opts.Transport = tr
	ctx, cancel := context.WithTimeout(context.Background(), fakeSafety)
	defer cancel()
	c, err := Dial(ctx, "tcp", s.Addr(), opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { fakeClose(t, c) })
	return c
}

// fakeClose closes c, failing the test if Close does not return.
func fakeClose(t testing.TB, c *Conn) {
	t.Helper()
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(fakeSafety):
		t.Errorf("Close did not return in %v\n%s", fakeSafety, allStacks())
	}
	select {
	case <-c.Done():
	default:
		t.Errorf("Done not closed after Close returned")
	}
}

// fakeWaitDone waits for c to close on its own (a failure).
func fakeWaitDone(t testing.TB, c *Conn) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(fakeSafety):
		t.Fatalf("the connection did not close in %v\n%s", fakeSafety, allStacks())
	}
}

// fakeCtx is a context whose deadline is only a safety net against a hang.
func fakeCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), fakeSafety)
	t.Cleanup(cancel)
	return ctx
}

// fakeWantErr fails unless err matches every target.
func fakeWantErr(t testing.TB, what string, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want one matching %v", what, targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("%s: error %q (%T) does not match %q", what, err, err, target)
		}
	}
}

// fakeCheckFailed checks a connection that failed with an error matching
// targets: Done is closed, Err matches, and a new request fails at once with
// the same kind of error.
func fakeCheckFailed(t *testing.T, c *Conn, targets ...error) {
	t.Helper()
	fakeWaitDone(t, c)
	fakeWantErr(t, "Err()", c.Err(), targets...)
	var h bytesHandler
	err := c.Do(fakeCtx(t), &h, 1, encodeCmd("PING"))
	fakeWantErr(t, "Do after the failure", err, targets...)
	if h.seen != 0 {
		t.Fatalf("Do after the failure: handler called %d times", h.seen)
	}
}

// fakePattern returns n deterministic bytes that make a shifted or misplaced
// run show up.
func fakePattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func fakeFirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFakeGarbage(t *testing.T) {
	garbage := []struct {
		name, reply string
		replies     int // the request expects this many; all but the last are valid
	}{
		{"text", "hello\r\n", 1},
		{"binary", "\x00\x01", 1},
		{"bad-length", "$abc\r\n", 1},
		{"second-of-two", "+OK\r\nhello\r\n", 2},
	}
	for _, tr := range transports {
		for _, g := range garbage {
			t.Run(tr.String()+"/"+g.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send(g.reply) != nil {
						return
					}
					c.Drain() // keep the connection open: the client must close it
				})
				c := fakeDial(t, srv, tr, Options{})
				var h bytesHandler
				err := c.Do(fakeCtx(t), &h, g.replies, encodeCmd("GET", "k"))
				fakeWantErr(t, "Do", err, ErrConnLost, resp.ErrSyntax)
				if h.seen != g.replies-1 {
					t.Fatalf("handler called %d times (last with %q), want %d", h.seen, h.got, g.replies-1)
				}
				fakeCheckFailed(t, c, ErrConnLost, resp.ErrSyntax)
			})
		}
	}
}

func TestFakeHalfReplyThenClose(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				_ = c.Send("$10\r\nhel")
				// Returning closes the connection.
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			fakeWantErr(t, "Do", err, ErrConnLost)
			switch {
			case errors.Is(err, io.EOF):
			case errors.Is(err, syscall.ECONNRESET):
				t.Logf("%v reported a reset, not EOF: %v", tr, err)
			default:
				t.Fatalf("Do: error %q matches neither io.EOF nor ECONNRESET", err)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times with %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost)
		})
	}
}

func TestFakeSplitReply(t *testing.T) {
	big := fakePattern(10000)
	replyTo := func(args []string) string {
		if len(args) == 2 && args[0] == "GET" && args[1] == "big" {
			return "$" + strconv.Itoa(len(big)) + "\r\n" + string(big) + "\r\n"
		}
		if len(args) == 1 && args[0] == "PING" {
			return "+OK\r\n"
		}
		return "-ERR unexpected command " + strings.Join(args, " ") + "\r\n"
	}
	for _, tr := range transports {
		for _, sizes := range [][]int{{1}, {1, 2, 3, 5, 7, 11, 1, 1}} {
			t.Run(fmt.Sprintf("%v/chunks=%v", tr, sizes), func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					c.Conn.(*net.TCPConn).SetNoDelay(true)
					// Both commands first, so that the two replies go out as
					// one stream cut at arbitrary places, the boundary
					// between them included.
					a, err := c.ReadCommand()
					if err != nil {
						return
					}
					b, err := c.ReadCommand()
					if err != nil {
						return
					}
					out := replyTo(a) + replyTo(b)
					for i, k := 0, 0; i < len(out); k++ {
						n := min(sizes[k%len(sizes)], len(out)-i)
						if c.Send(out[i:i+n]) != nil {
							return
						}
						i += n
					}
					c.Drain()
				})
				c := fakeDial(t, srv, tr, Options{})
				ctx := fakeCtx(t)
				var wg sync.WaitGroup
				var bigH, okH bytesHandler
				var bigErr, okErr error
				wg.Add(2)
				go func() { defer wg.Done(); bigErr = c.Do(ctx, &bigH, 1, encodeCmd("GET", "big")) }()
				go func() { defer wg.Done(); okErr = c.Do(ctx, &okH, 1, encodeCmd("PING")) }()
				wg.Wait()
				if bigErr != nil || okErr != nil {
					t.Fatalf("Do: GET: %v; PING: %v", bigErr, okErr)
				}
				if bigH.seen != 1 || bigH.typ != resp.BulkString || !bytes.Equal(bigH.got, big) {
					t.Fatalf("GET: %d replies, type %v, %d bytes (want %d), first difference at byte %d",
						bigH.seen, bigH.typ, len(bigH.got), len(big), fakeFirstDiff(bigH.got, big))
				}
				if okH.seen != 1 || okH.typ != resp.SimpleString || string(okH.got) != "OK" {
					t.Fatalf("PING: %d replies, type %v, %q", okH.seen, okH.typ, okH.got)
				}
			})
		}
	}
}

// fakeBigHandler copies a bulk string into a buffer allocated up front.
type fakeBigHandler struct {
	buf  []byte
	typ  resp.Type
	seen int
}

func (h *fakeBigHandler) Reply(i int, v resp.Value) {
	h.typ = v.Type()
	h.buf = v.AppendBytes(h.buf[:0])
	h.seen++
}

func TestFakeBigBulk(t *testing.T) {
	const size = 64 << 20
	// The bulk is a pattern whose length does not divide size, repeated:
	// a dropped, repeated or misplaced chunk changes the checksum.
	pattern := fakePattern(1<<20 + 13)
	stream := func(yield func([]byte) bool) {
		for off := 0; off < size; {
			p := pattern[off%len(pattern):]
			p = p[:min(len(p), size-off)]
			if !yield(p) {
				return
			}
			off += len(p)
		}
	}
	var want uint32
	for p := range stream {
		want = crc32.Update(want, crc32.IEEETable, p)
	}
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				for {
					args, err := c.ReadCommand()
					if err != nil {
						return
					}
					switch args[0] {
					case "GET":
						if c.Send("$"+strconv.Itoa(size)+"\r\n") != nil {
							return
						}
						for p := range stream {
							if _, err := c.Write(p); err != nil {
								return
							}
						}
						err = c.Send("\r\n")
					default:
						err = c.Send("+PONG\r\n")
					}
					if err != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			h := &fakeBigHandler{buf: make([]byte, 0, size)}
			if err := c.Do(ctx, h, 1, encodeCmd("GET", "big")); err != nil {
				t.Fatalf("GET: %v", err)
			}
			if h.seen != 1 || h.typ != resp.BulkString {
				t.Fatalf("GET: %d replies, type %v", h.seen, h.typ)
			}
			if len(h.buf) != size {
				t.Fatalf("GET: %d bytes, want %d", len(h.buf), size)
			}
			if got := crc32.ChecksumIEEE(h.buf); got != want {
				t.Fatalf("GET: crc32 %08x, want %08x", got, want)
			}
			h.buf = nil
			var ph bytesHandler
			if err := c.Do(ctx, &ph, 1, encodeCmd("PING")); err != nil {
				t.Fatalf("PING after the big bulk: %v", err)
			}
			if string(ph.got) != "PONG" {
				t.Fatalf("PING after the big bulk: %q", ph.got)
			}
		})
	}
}

func TestFakeManyCallersServerDies(t *testing.T) {
	const (
		callers = 50
		replies = 300 // the server closes after this many
	)
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			var sent atomic.Int64
			srv := startFakeServer(t, func(c *fakeConn) {
				for sent.Load() < replies {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+OK\r\n") != nil {
						return
					}
					sent.Add(1)
				}
				// Returning closes the connection, with commands unread.
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			var ok atomic.Int64
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := &bytesHandler{}
					for {
						if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil {
							errs[i] = err
							return
						}
						if string(h.got) != "OK" {
							errs[i] = fmt.Errorf("reply %q", h.got)
							return
						}
						ok.Add(1)
					}
				}()
			}
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			select {
			case <-finished:
			case <-time.After(fakeSafety + 5*time.Second):
				t.Fatalf("callers still waiting after %v\n%s", fakeSafety, allStacks())
			}
			kinds := map[string]int{}
			for i, err := range errs {
				if !errors.Is(err, ErrConnLost) {
					t.Errorf("caller %d: error %v, want one matching ErrConnLost", i, err)
				}
				if err != nil {
					kinds[err.Error()]++
				}
			}
			t.Logf("%d replies before the server died; errors: %v", ok.Load(), kinds)
			if n := ok.Load(); n > replies {
				t.Errorf("%d successful replies, the server sent only %d", n, replies)
			}
			fakeCheckFailed(t, c, ErrConnLost)
		})
	}
}

// TestFakeManyCallersClose closes the Conn under callers that keep it busy:
// every one of them returns with ErrClosed.
func TestFakeManyCallersClose(t *testing.T) {
	const (
		callers = 50
		replies = 300 // Close comes after at least this many
	)
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			reached := make(chan struct{})
			srv := startFakeServer(t, func(c *fakeConn) {
				for n := 1; ; n++ {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+OK\r\n") != nil {
						return
					}
					if n == replies {
						close(reached)
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := &bytesHandler{}
					for {
						if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil {
							errs[i] = err
							return
						}
						if string(h.got) != "OK" {
							errs[i] = fmt.Errorf("reply %q", h.got)
							return
						}
					}
				}()
			}
			select {
			case <-reached:
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not get %d commands", replies)
			}
			fakeClose(t, c)
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			select {
			case <-finished:
			case <-time.After(fakeSafety):
				t.Fatalf("callers still waiting after Close returned\n%s", allStacks())
			}
			for i, err := range errs {
				if !errors.Is(err, ErrConnLost) || !errors.Is(err, ErrClosed) {
					t.Errorf("caller %d: error %v, want one matching ErrConnLost and ErrClosed", i, err)
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

func TestFakeReplyWithoutRequest(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String()+"/on-connect", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if c.Send("+OK\r\n") != nil {
					return
				}
				// A command that gets here anyway must not see a matching
				// reply.
				for {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("-ERR mismatched\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			// The reply reaches the client before any request exists: the
			// client must close the connection on its own.
			fakeWaitDone(t, c)
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			fakeWantErr(t, "Do", err, ErrConnLost, ErrUnexpectedReply)
			if h.seen != 0 {
				t.Fatalf("handler called %d times with %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
		t.Run(tr.String()+"/on-connect-racing-do", func(t *testing.T) {
			// The same, but the command goes out at once: the unsolicited
			// reply may reach the client before or after the request is
			// queued. Before, the request fails; after, the client cannot
			// tell it from the answer, but then the real answer is a reply
			// without a request. Either way the connection ends with
			// ErrUnexpectedReply, and nothing hangs.
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if c.Send("+OK\r\n") != nil {
					return
				}
				for {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+ANSWER\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			switch {
			case err == nil:
				if h.seen != 1 || string(h.got) != "OK" {
					t.Fatalf("Do: %d replies, last %q; want the unsolicited OK or an error", h.seen, h.got)
				}
				t.Logf("the request was queued before the unsolicited reply arrived")
			default:
				fakeWantErr(t, "Do", err, ErrConnLost, ErrUnexpectedReply)
				if h.seen != 0 {
					t.Fatalf("handler called %d times with %q", h.seen, h.got)
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
		t.Run(tr.String()+"/extra-reply", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				if c.Send("+OK\r\n+EXTRA\r\n") != nil {
					return
				}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			if err := c.Do(fakeCtx(t), &h, 1, encodeCmd("PING")); err != nil {
				t.Fatalf("Do: %v", err)
			}
			if h.seen != 1 || string(h.got) != "OK" {
				t.Fatalf("Do: %d replies, last %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
	}
}

func TestFakeNeverReplies(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String()+"/deadline", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) { c.Drain() })
			c := fakeDial(t, srv, tr, Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			start := time.Now()
			err := c.Do(ctx, &h, 1, encodeCmd("BLPOP", "k", "0"))
			took := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Do: error %v, want context.DeadlineExceeded", err)
			}
			if took > fakeSafety/2 {
				t.Fatalf("Do returned %v after its 50ms deadline", took)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			select {
			case <-c.Done():
				t.Fatalf("the connection closed after a cancelled request: %v", c.Err())
			default:
			}
			fakeClose(t, c)
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
		t.Run(tr.String()+"/max-pending", func(t *testing.T) {
			// With room for one request, a second caller waits for room:
			// its context ends the wait, and so does Close.
			checkGoroutines(t)
			received := make(chan struct{}, 1)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				received <- struct{}{}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{MaxPending: 1})
			ctx := fakeCtx(t)
			first := make(chan error, 1)
			go func() { first <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("BLPOP", "k", "0")) }()
			select {
			case <-received: // the first request holds the only place
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not receive the command")
			}
			short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			if err := c.Do(short, &h, 1, encodeCmd("PING")); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Do without room: error %v, want context.DeadlineExceeded", err)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			third := make(chan error, 1)
			go func() { third <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("PING")) }()
			fakeClose(t, c)
			for _, ch := range []chan error{first, third} {
				select {
				case err := <-ch:
					// The third caller was waiting for room, or came after
					// Close: ErrClosed either way.
					fakeWantErr(t, "Do", err, ErrConnLost, ErrClosed)
				case <-time.After(fakeSafety):
					t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
		t.Run(tr.String()+"/close-in-flight", func(t *testing.T) {
			checkGoroutines(t)
			received := make(chan struct{}, 1)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				received <- struct{}{}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			ctx := fakeCtx(t)
			result := make(chan error, 1)
			go func() { result <- c.Do(ctx, &h, 1, encodeCmd("BLPOP", "k", "0")) }()
			select {
			case <-received: // the request is on the wire, so it is queued
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not receive the command")
			}
			fakeClose(t, c)
			var err error
			select {
			case err = <-result:
			case <-time.After(fakeSafety):
				t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
			}
			fakeWantErr(t, "Do", err, ErrConnLost, ErrClosed)
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

// TestFakeAbandonedReply checks that the reply to a request whose context
// ended is read and dropped, not given to the next request.
func TestFakeAbandonedReply(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				// Hold the first reply back until the second command is in,
				// so that the first caller has certainly given up.
				a, err := c.ReadCommand()
				if err != nil {
					return
				}
				b, err := c.ReadCommand()
				if err != nil {
					return
				}
				if c.Send("$"+strconv.Itoa(len(a[1]))+"\r\n"+a[1]+"\r\n"+
					"$"+strconv.Itoa(len(b[1]))+"\r\n"+b[1]+"\r\n") != nil {
					return
				}
				for {
					args, err := c.ReadCommand()
					if err != nil {
						return
					}
					if c.Send("$"+strconv.Itoa(len(args[1]))+"\r\n"+args[1]+"\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			var first bytesHandler
			if err := c.Do(short, &first, 1, encodeCmd("ECHO", "first")); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("first Do: error %v, want context.DeadlineExceeded", err)
			}
			ctx := fakeCtx(t)
			for _, msg := range []string{"second", "third"} {
				var h bytesHandler
				if err := c.Do(ctx, &h, 1, encodeCmd("ECHO", msg)); err != nil {
					t.Fatalf("ECHO %s: %v", msg, err)
				}
				if h.seen != 1 || string(h.got) != msg {
					t.Fatalf("ECHO %s: %d replies, last %q", msg, h.seen, h.got)
				}
			}
			if first.seen != 0 {
				t.Fatalf("the abandoned request's handler was called %d times with %q", first.seen, first.got)
			}
		})
	}
}

// TestFakeServerNeverReads fills the socket toward a server that reads
// nothing: a caller's context still ends its wait, and Close still closes,
// failing a request stuck behind the unwritten bytes.
func TestFakeServerNeverReads(t *testing.T) {
	big := strings.Repeat("v", 32<<20) // more than loopback socket buffers hold
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) { <-c.stop })
			c := fakeDial(t, srv, tr, Options{})
			short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			if err := c.Do(short, &h, 1, encodeCmd("SET", "k", big)); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("SET: error %v, want context.DeadlineExceeded", err)
			}
			ctx := fakeCtx(t)
			result := make(chan error, 1)
			go func() { result <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("PING")) }()
			fakeClose(t, c)
			var err error
			select {
			case err = <-result:
			case <-time.After(fakeSafety):
				t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
			}
			// Queued before Close or refused after it: ErrClosed either way.
			fakeWantErr(t, "PING", err, ErrConnLost, ErrClosed)
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

// fakeNested returns depth arrays nested in one another around an integer.
func fakeNested(depth int) string {
	return strings.Repeat("*1\r\n", depth) + ":1\r\n"
}

// fakeArray returns an array of n integers.
func fakeArray(n int) string {
	return "*" + strconv.Itoa(n) + "\r\n" + strings.Repeat(":1\r\n", n)
}

func TestFakeLimits(t *testing.T) {
	cases := []struct {
		name     string
		opts     Options
		ok, over string // a reply just at the limit, and one past it
		kind     error
	}{
		{"bulk", Options{MaxBulkLen: 1024},
			"$1024\r\n" + strings.Repeat("x", 1024) + "\r\n",
			"$2048\r\n" + strings.Repeat("x", 2048) + "\r\n", resp.ErrTooLong},
		{"aggregate", Options{MaxAggregateLen: 4}, fakeArray(4), fakeArray(5), resp.ErrTooManyElements},
		{"depth", Options{MaxDepth: 3}, fakeNested(3), fakeNested(4), resp.ErrTooDeep},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.String()+"/"+tc.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					for {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						reply := tc.ok
						if args[len(args)-1] == "over" {
							reply = tc.over
						}
						if c.Send(reply) != nil {
							return
						}
					}
				})
				c := fakeDial(t, srv, tr, tc.opts)
				ctx := fakeCtx(t)
				var h bytesHandler
				if err := c.Do(ctx, &h, 1, encodeCmd("GET", "ok")); err != nil {
					t.Fatalf("a reply at the limit: %v", err)
				}
				if h.seen != 1 {
					t.Fatalf("a reply at the limit: %d replies", h.seen)
				}
				h = bytesHandler{}
				err := c.Do(ctx, &h, 1, encodeCmd("GET", "over"))
				fakeWantErr(t, "Do", err, ErrConnLost, tc.kind)
				if h.seen != 0 {
					t.Fatalf("handler called %d times", h.seen)
				}
				fakeCheckFailed(t, c, ErrConnLost, tc.kind)
			})
		}
	}
}

// fakeFormatPush renders a push as "kind:elem,elem" to compare it after the
// callback has returned.
func fakeFormatPush(v resp.Value) string {
	var sb strings.Builder
	sb.WriteString(v.Type().String())
	sb.WriteString(strconv.Itoa(v.Len()))
	it := v.Iter()
	for it.Next() {
		e := it.Value()
		sb.WriteByte(' ')
		if e.Type().IsAggregate() {
			sb.WriteByte('[')
			in := e.Iter()
			for in.Next() {
				sb.WriteString(in.Value().String())
				sb.WriteByte(';')
			}
			sb.WriteByte(']')
		} else {
			sb.WriteString(e.String())
		}
	}
	return sb.String()
}

func TestFakePush(t *testing.T) {
	const push = ">2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n"
	const wantPush = "push2 invalidate [k;]"
	cases := []struct {
		name      string
		onConnect bool // a push before any command, too
		noOnPush  bool // Options.OnPush left nil: pushes are dropped
	}{
		{"before-reply", false, false},
		{"on-connect", true, false},
		{"no-OnPush", true, true},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.String()+"/"+tc.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					if tc.onConnect && c.Send(push) != nil {
						return
					}
					for {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						if c.Send(push+"$"+strconv.Itoa(len(args[1]))+"\r\n"+args[1]+"\r\n") != nil {
							return
						}
					}
				})
				var mu sync.Mutex
				var pushes []string
				var opts Options
				if !tc.noOnPush {
					opts.OnPush = func(v resp.Value) {
						s := fakeFormatPush(v)
						mu.Lock()
						pushes = append(pushes, s)
						mu.Unlock()
					}
				}
				c := fakeDial(t, srv, tr, opts)
				ctx := fakeCtx(t)
				want := 0
				if tc.onConnect {
					want++
				}
				for _, msg := range []string{"one", "two"} {
					var h bytesHandler
					if err := c.Do(ctx, &h, 1, encodeCmd("ECHO", msg)); err != nil {
						t.Fatalf("ECHO %s: %v", msg, err)
					}
					if h.seen != 1 || h.typ != resp.BulkString || string(h.got) != msg {
						t.Fatalf("ECHO %s: %d replies, type %v, %q", msg, h.seen, h.typ, h.got)
					}
					if tc.noOnPush {
						continue
					}
					want++
					// The push came before the reply, so it has been handled.
					mu.Lock()
					got := append([]string(nil), pushes...)
					mu.Unlock()
					if len(got) != want {
						t.Fatalf("after ECHO %s: %d pushes, want %d: %q", msg, len(got), want, got)
					}
					for _, p := range got {
						if p != wantPush {
							t.Fatalf("push %q, want %q", p, wantPush)
						}
					}
				}
			})
		}
	}
}
