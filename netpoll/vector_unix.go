//go:build unix

package netpoll

import (
	"net"
	"syscall"
	"unsafe"
)

// vecWriter writes buffers to a TCP or unix socket with writev(2), many
// buffers per system call, through the socket's RawConn (so deadlines and
// the Go poller apply). Its iovec array is reused: a write allocates
// nothing.
type vecWriter struct {
	rc   syscall.RawConn
	fn   func(fd uintptr) bool // write, bound once
	iov  []syscall.Iovec
	bufs [][]byte // what is left to write; the first may be partly written
	err  error
}

// maxIovecs is how many buffers one writev takes (IOV_MAX on Linux).
const maxIovecs = 1024

// newVecWriter returns a vecWriter for TCP and unix sockets, or nil (TLS,
// or a connection a Dialer wrapped).
func newVecWriter(nc net.Conn) *vecWriter {
	rc := socketRawConn(nc)
	if rc == nil {
		return nil
	}
	w := &vecWriter{rc: rc}
	w.fn = w.write
	return w
}

// writeAll writes every byte of bufs (which it may change).
func (w *vecWriter) writeAll(bufs [][]byte) error {
	w.bufs, w.err = bufs, nil
	err := w.rc.Write(w.fn)
	w.bufs = nil
	clear(w.iov[:cap(w.iov)]) // keep no pointers into the caller's buffers
	if err != nil {
		return err
	}
	return w.err
}

// write is the RawConn callback: writev until everything is written (true),
// the socket is full (false: the poller waits until it can take more), or
// an error (true, in w.err).
func (w *vecWriter) write(fd uintptr) bool {
	for {
		for len(w.bufs) > 0 && len(w.bufs[0]) == 0 {
			w.bufs = w.bufs[1:]
		}
		if len(w.bufs) == 0 {
			return true
		}
		iov := w.iov[:0]
		for _, b := range w.bufs {
			if len(iov) == maxIovecs {
				break
			}
			if len(b) == 0 {
				continue
			}
			v := syscall.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
		w.iov = iov
		n, _, errno := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		switch errno {
		case 0:
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			w.err = errno
			return true
		}
		w.advance(int(n))
	}
}

// advance drops the first n bytes written from w.bufs.
func (w *vecWriter) advance(n int) {
	for n > 0 && len(w.bufs) > 0 {
		if n < len(w.bufs[0]) {
			w.bufs[0] = w.bufs[0][n:]
			return
		}
		n -= len(w.bufs[0])
		w.bufs = w.bufs[1:]
	}
}
