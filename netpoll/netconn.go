package netpoll

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// readBufferSize is the net.Conn transport's read size; replies are parsed
// in place from this buffer.
const readBufferSize = 32 << 10

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

// flush wakes the writer goroutine. The caller has claimed the write side
// for it; the goroutine gives it up when nothing is left to write.
func (t *netConnTransport) flush() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
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
				werr := fmt.Errorf("write: %w", err)
				t.writeErr.Store(&werr)
				t.shut() // the reader sees the failure and shuts the Conn down
				return
			}
		}
	}
}

func (t *netConnTransport) readLoop() {
	defer t.wg.Done()
	buf := make([]byte, readBufferSize)
	for {
		n, err := t.nc.Read(buf)
		if n > 0 {
			if perr := t.c.onData(buf[:n]); perr != nil {
				t.shut()
				t.c.shutdown(perr)
				return
			}
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
