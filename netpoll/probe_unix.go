//go:build unix

package netpoll

import (
	"io"
	"net"
	"sync"
	"syscall"
)

// prober checks an idle socket without blocking: one recv with MSG_PEEK and
// MSG_DONTWAIT on its descriptor.
type prober struct {
	mu   sync.Mutex // one probe at a time: fn reports through the fields below
	rc   syscall.RawConn
	fn   func(fd uintptr) bool // peek, bound once so that a probe allocates nothing
	buf  [1]byte
	n    int
	errn error

	// poll's: one non-blocking read into rbuf, by the holder of the
	// reading side only (no lock).
	pollFn func(fd uintptr) bool
	rbuf   []byte
	rn     int
	rerr   error
}

// newProber returns a prober for TCP and unix sockets, or nil (TLS, or a
// connection a Dialer wrapped).
func newProber(nc net.Conn) *prober {
	rc := socketRawConn(nc)
	if rc == nil {
		return nil
	}
	p := &prober{rc: rc}
	p.fn = p.peek
	p.pollFn = p.recv
	return p
}

func (p *prober) recv(fd uintptr) bool {
	p.rn, _, p.rerr = syscall.Recvfrom(int(fd), p.rbuf, syscall.MSG_DONTWAIT)
	return true
}

// poll reads what the socket holds into buf without blocking: n > 0 bytes,
// or n == 0 with a nil error when nothing is there yet, or the socket's
// error (io.EOF when the server closed it).
func (p *prober) poll(buf []byte) (int, error) {
	p.rbuf = buf
	err := p.rc.Read(p.pollFn)
	p.rbuf = nil
	switch {
	case err != nil:
		return 0, err
	case p.rerr == syscall.EAGAIN || p.rerr == syscall.EWOULDBLOCK || p.rerr == syscall.EINTR:
		return 0, nil
	case p.rerr != nil:
		return 0, p.rerr
	case p.rn > 0:
		return p.rn, nil
	}
	return 0, io.EOF
}

func (p *prober) peek(fd uintptr) bool {
	p.n, _, p.errn = syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return true // done: never wait for readability
}

// probe returns nil when the socket is open and holds no bytes,
// ErrUnexpectedReply when bytes wait there (sent for nobody), and the
// socket's error (io.EOF when the server closed it) otherwise.
func (p *prober) probe() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.rc.Read(p.fn); err != nil {
		return err
	}
	switch {
	case p.errn == syscall.EAGAIN || p.errn == syscall.EWOULDBLOCK || p.errn == syscall.EINTR:
		return nil
	case p.errn != nil:
		return p.errn
	case p.n > 0:
		return ErrUnexpectedReply
	}
	return io.EOF
}

// socketRawConn returns the RawConn of a TCP or unix socket, or nil for
// any other connection (TLS, or one a Dialer wrapped).
func socketRawConn(nc net.Conn) syscall.RawConn {
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
