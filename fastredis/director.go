package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fastredis/fastredis/internal/director"
	"github.com/fastredis/fastredis/netpoll"
)

// A directed client is a Client whose connections dial where a
// director.Director says (the sentinel package finds the master that way)
// instead of Options.Addr, and which the director can hold, drain and
// switch around a failover. Everything else is the plain client's.

func init() {
	director.NewClient = newDirectedClient
	director.Hold = func(c any) { c.(*Client).holdCommands() }
	director.Release = func(c any) { c.(*Client).releaseCommands() }
	director.Switch = func(ctx context.Context, c any, replicas int, timeout time.Duration) (int, error) {
		return c.(*Client).switchConns(ctx, replicas, timeout)
	}
	director.Redial = func(c any) { c.(*Client).redialNow() }
	director.Drain = func(ctx context.Context, c any, replicas int, timeout time.Duration) (int, error) {
		return c.(*Client).drainConns(ctx, replicas, timeout)
	}
}

func newDirectedClient(template any, d director.Director) (any, error) {
	opts, ok := template.(Options)
	if !ok {
		return nil, errors.New("fastredis: directed client: template is not an Options")
	}
	if d == nil {
		return nil, errors.New("fastredis: directed client: no director")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := newClient(opts)
	c.director = d
	if opts.LazyConnect {
		return c, nil
	}
	if err := c.connectAll(context.Background()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// holdGate is closed when a hold ends.
type holdGate struct{ ch chan struct{} }

// redialSignal wakes reconnect loops: ch is closed and replaced by redialNow.
type redialSignal struct {
	mu  sync.Mutex
	ch  chan struct{}
	gen uint64
}

func (c *Client) holdCommands() {
	c.hold.CompareAndSwap(nil, &holdGate{ch: make(chan struct{})})
}

func (c *Client) releaseCommands() {
	if g := c.hold.Swap(nil); g != nil {
		close(g.ch)
	}
}

// waitHold waits while commands are held.
func (c *Client) waitHold(ctx context.Context) error {
	g := c.hold.Load()
	if g == nil {
		return nil
	}
	select {
	case <-g.ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fastredis: waiting while the server changes (held for a failover): %w", ctx.Err())
	case <-c.done:
		return ErrClosed
	}
}

// redialNow wakes every reconnect loop waiting out a backoff.
func (c *Client) redialNow() {
	c.redial.mu.Lock()
	c.redial.gen++
	if c.redial.ch != nil {
		close(c.redial.ch)
	}
	c.redial.ch = make(chan struct{})
	c.redial.mu.Unlock()
}

// redialState returns the current wake-up channel and generation.
func (c *Client) redialState() (<-chan struct{}, uint64) {
	c.redial.mu.Lock()
	defer c.redial.mu.Unlock()
	if c.redial.ch == nil {
		c.redial.ch = make(chan struct{})
	}
	return c.redial.ch, c.redial.gen
}

// switchConns drains and moves every connection (director.Switch).
func (c *Client) switchConns(ctx context.Context, replicas int, timeout time.Duration) (int, error) {
	acked, err := -1, error(nil)
	if replicas > 0 {
		acked, err = c.drainConns(ctx, replicas, timeout)
	}
	for i := range c.shared {
		if cn := c.shared[i].conn.Load(); cn != nil {
			cn.Close()
		}
	}
	c.dedicated.closeAll()
	c.redialNow()
	c.releaseCommands()
	return acked, err
}

// drainConns sends WAIT on every ready shared connection (director.Drain).
func (c *Client) drainConns(ctx context.Context, replicas int, timeout time.Duration) (int, error) {
	acked := -1
	var firstErr error
	{
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range c.shared {
			cn := c.shared[i].conn.Load()
			if cn == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := call(ctx, cn, "WAIT", strconv.Itoa(replicas), strconv.FormatInt(timeout.Milliseconds(), 10))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				if acked < 0 || int(r.Int) < acked {
					acked = int(r.Int)
				}
			}()
		}
		wg.Wait()
	}
	return acked, firstErr
}

// checkDirected asks a new connection its role and lets the director
// veto it.
func (c *Client) checkDirected(ctx context.Context, cn *netpoll.Conn, addr string) error {
	r, err := call(ctx, cn, "ROLE")
	if err != nil {
		return handshakeError("ROLE", err)
	}
	role := ""
	if len(r.Elems) > 0 {
		role = r.Elems[0].Str
	}
	return c.director.Check(ctx, addr, role)
}
