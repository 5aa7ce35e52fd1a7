package fastredis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/fastredis/fastredis/netpoll"
)

// dedicatedPool holds the connections lent to work that needs a connection
// to itself (a watched transaction, a blocking command). At most max are
// open at once; idle ones are kept for the next borrower.
type dedicatedPool struct {
	slots  chan struct{} // one token per connection that may be open
	mu     sync.Mutex
	idle   []*dedicatedConn
	open   map[*dedicatedConn]struct{} // lent or idle
	closed bool
}

// dedicatedConn is a connection of the pool, with its CLIENT ID (for
// CLIENT UNBLOCK).
type dedicatedConn struct {
	cn *netpoll.Conn
	id int64
}

func newDedicatedPool(max int) *dedicatedPool {
	return &dedicatedPool{slots: make(chan struct{}, max), open: map[*dedicatedConn]struct{}{}}
}

// acquireDedicated lends a connection of its own to the caller, dialing one
// if none is idle. It waits, as long as ctx allows, while all are lent.
func (c *Client) acquireDedicated(ctx context.Context) (*dedicatedConn, error) {
	if err := c.waitHold(ctx); err != nil {
		return nil, err
	}
	d := c.dedicated
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("fastredis: waiting for a dedicated connection (all %d in use): %w", cap(d.slots), ctx.Err())
	}
	d.mu.Lock()
	for len(d.idle) > 0 {
		dc := d.idle[len(d.idle)-1]
		d.idle = d.idle[:len(d.idle)-1]
		select {
		case <-dc.cn.Done():
			delete(d.open, dc) // it failed while idle
		default:
			d.mu.Unlock()
			return dc, nil
		}
	}
	closed := d.closed
	d.mu.Unlock()
	if closed {
		<-d.slots
		return nil, ErrClosed
	}
	cn, err := c.dialWith(ctx, true, nil)
	if err != nil {
		<-d.slots
		return nil, err
	}
	id, err := call(ctx, cn, "CLIENT", "ID")
	if err != nil {
		cn.Close()
		<-d.slots
		return nil, err
	}
	dc := &dedicatedConn{cn: cn, id: id.Int}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		cn.Close()
		<-d.slots
		return nil, ErrClosed
	}
	d.open[dc] = struct{}{}
	d.mu.Unlock()
	return dc, nil
}

// releaseDedicated takes a lent connection back. One that may hold state
// from its borrower (reuse false), has failed or still awaits replies is
// closed instead of kept.
func (c *Client) releaseDedicated(dc *dedicatedConn, reuse bool) {
	d := c.dedicated
	d.mu.Lock()
	select {
	case <-dc.cn.Done():
		reuse = false
	default:
	}
	if reuse && !d.closed && dc.cn.Pending() == 0 {
		d.idle = append(d.idle, dc)
		dc = nil
	} else {
		delete(d.open, dc)
	}
	d.mu.Unlock()
	if dc != nil {
		dc.cn.Close()
	}
	<-d.slots
}

// close closes every dedicated connection, lent ones included: their
// borrowers' commands fail.
func (d *dedicatedPool) close() {
	d.mu.Lock()
	d.closed = true
	conns := make([]*dedicatedConn, 0, len(d.open))
	for dc := range d.open {
		conns = append(conns, dc)
	}
	d.idle = nil
	d.mu.Unlock()
	for _, dc := range conns {
		dc.cn.Close()
	}
}

// pinnedConn is a dedicated connection as a Tx's view of the client sees
// it: every command goes to it, and it is never redialed (what was watched
// on it would be lost).
type pinnedConn struct {
	cn       *netpoll.Conn
	dirty    atomic.Bool // a command changed its state: close it after use
	watching atomic.Bool // keys may be watched: UNWATCH before reuse

	txMu   sync.Mutex
	txKeys []string // keys written since the last EXEC, for the cache (cache_write.go)
}

func (p *pinnedConn) conn() (*netpoll.Conn, error) {
	select {
	case <-p.cn.Done():
		return nil, fmt.Errorf("fastredis: the transaction's connection was lost (watched keys with it): %w", p.cn.Err())
	default:
		return p.cn, nil
	}
}

// closeAll closes every dedicated connection, idle and lent, without
// closing the pool: lent ones fail their commands, which are resent as on
// any lost connection (a director moved the client to another server).
func (d *dedicatedPool) closeAll() {
	d.mu.Lock()
	conns := make([]*dedicatedConn, 0, len(d.open))
	for dc := range d.open {
		conns = append(conns, dc)
	}
	d.mu.Unlock()
	for _, dc := range conns {
		dc.cn.Close()
	}
}

// closeIdle closes the idle connections (their state is stale).
func (d *dedicatedPool) closeIdle() {
	d.mu.Lock()
	idle := d.idle
	d.idle = nil
	for _, dc := range idle {
		delete(d.open, dc)
	}
	d.mu.Unlock()
	for _, dc := range idle {
		dc.cn.Close()
	}
}
