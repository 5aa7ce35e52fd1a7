package netpoll

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
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
// reader and one writer goroutine.
type netConnTransport struct {
	c    *Conn
	nc   net.Conn
	kick chan struct{} // wakes the writer
	wg   sync.WaitGroup
	once sync.Once
	// writeErr is why the writer failed, if it did: the reader, which then
	// fails with "use of closed connection", reports this instead.
	writeErr atomic.Pointer[error]
}

func startNetConn(c *Conn, nc net.Conn) {
	t := &netConnTransport{c: c, nc: nc, kick: make(chan struct{}, 1)}
	c.t = t
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

// failWrite records why writing failed and closes the socket; the reader
// then shuts the Conn down with this cause.
func (t *netConnTransport) failWrite(err error) {
	werr := fmt.Errorf("write: %w", err)
	t.writeErr.CompareAndSwap(nil, &werr)
	t.shut()
}

func (t *netConnTransport) shut() { t.once.Do(func() { t.nc.Close() }) }

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

func (t *netConnTransport) readLoop() {
	defer t.wg.Done()
	buf := make([]byte, minReadBuffer)
	small := 0 // reads in a row that used less than a quarter of buf
	for {
		n, err := t.nc.Read(buf)
		if n > 0 {
			if perr := t.c.onData(buf[:n], t.c.sent.Load()); perr != nil {
				t.shut()
				t.c.shutdown(perr)
				return
			}
			buf, small = resizeReadBuffer(buf, n, small)
		}
		if err != nil {
			t.shut()
			if werr := t.writeErr.Load(); werr != nil {
				err = *werr
			}
			t.c.shutdown(err)
			return
		}
	}
}

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
