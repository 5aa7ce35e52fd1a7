package netpoll

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
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
