package fastredis

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Version is the library version reported to servers with CLIENT SETINFO.
const Version = "0.1.0"

// Client is a client for one Redis server, safe for concurrent use by any
// number of goroutines. Commands from concurrent callers share a few
// pipelined connections (Options.PoolSize): they leave in batches and their
// replies come back in order.
type Client struct {
	opts      Options
	slots     []slot
	next      atomic.Uint32
	closed    atomic.Bool
	transform *transformerSet
	dedicated *dedicatedPool
	pin       *pinnedConn // set on a Tx's view of its own connection

	closersMu sync.Mutex
	closers   map[interface{ Close() error }]struct{} // subscribers and monitors, closed with the client
}

// slot is one of the client's connections. A connection that has failed is
// replaced, with a new handshake, by the next command that picks the slot.
type slot struct {
	conn atomic.Pointer[netpoll.Conn]
	mu   sync.Mutex // serialises redialing
}

// NewClient validates opts and connects. It returns an error if the options
// are invalid, or if the server cannot be reached or refuses the handshake
// (a wrong password, say); the error never contains the password.
func NewClient(opts Options) (*Client, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		opts:      opts,
		slots:     make([]slot, opts.PoolSize),
		transform: new(transformerSet),
		dedicated: newDedicatedPool(opts.MaxDedicatedConns),
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.DialTimeout)
	defer cancel()
	for i := range c.slots {
		if _, err := c.redial(ctx, &c.slots[i], nil); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Options returns the options the client was created with, defaults filled
// in.
func (c *Client) Options() Options { return c.opts }

// Close closes the client's connections. Commands in flight fail; later ones
// return ErrClosed. It is idempotent.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) || c.pin != nil {
		return nil // a Tx's view owns no connections
	}
	c.dedicated.close()
	c.closersMu.Lock()
	closers := c.closers
	c.closers = nil
	c.closersMu.Unlock()
	for cl := range closers {
		cl.Close()
	}
	for i := range c.slots {
		s := &c.slots[i]
		s.mu.Lock()
		if cn := s.conn.Swap(nil); cn != nil {
			cn.Close()
		}
		s.mu.Unlock()
	}
	return nil
}

// track registers x (a subscriber, a monitor) to be closed by Close. It
// returns ErrClosed if the client is closed already. untrack undoes it.
func (c *Client) track(x interface{ Close() error }) error {
	c.closersMu.Lock()
	defer c.closersMu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	if c.closers == nil {
		c.closers = map[interface{ Close() error }]struct{}{}
	}
	c.closers[x] = struct{}{}
	return nil
}

func (c *Client) untrack(x interface{ Close() error }) {
	c.closersMu.Lock()
	defer c.closersMu.Unlock()
	delete(c.closers, x)
}

// conn returns a live connection, redialing the picked slot if its
// connection has failed.
func (c *Client) conn(ctx context.Context) (*netpoll.Conn, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if c.pin != nil {
		return c.pin.conn()
	}
	s := &c.slots[int(c.next.Add(1))%len(c.slots)]
	cn := s.conn.Load()
	if cn != nil {
		select {
		case <-cn.Done():
		default:
			return cn, nil
		}
	}
	return c.redial(ctx, s, cn)
}

// redial replaces the slot's connection old (nil at first) with a new one,
// unless another caller already has.
func (c *Client) redial(ctx context.Context, s *slot, old *netpoll.Conn) (*netpoll.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.conn.Load(); cur != old {
		if cur == nil {
			return nil, ErrClosed
		}
		return cur, nil
	}
	if c.closed.Load() {
		return nil, ErrClosed
	}
	cn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	if old != nil {
		old.Close()
	}
	s.conn.Store(cn)
	return cn, nil
}

// dial opens a connection and runs the handshake on it, within DialTimeout.
func (c *Client) dial(ctx context.Context) (*netpoll.Conn, error) {
	return c.dialWith(ctx, nil)
}

// dialWith is dial with netpoll options adjusted by tune (OnPush and
// Intercept for subscriber and MONITOR connections).
func (c *Client) dialWith(ctx context.Context, tune func(*netpoll.Options)) (*netpoll.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	nopts := netpoll.Options{
		Transport:   c.opts.Transport,
		TLS:         c.opts.TLSConfig,
		DialTimeout: c.opts.DialTimeout,
		KeepAlive:   c.opts.KeepAlive,
		MaxPending:  c.opts.MaxPending,
	}
	if tune != nil {
		tune(&nopts)
	}
	cn, err := netpoll.Dial(dctx, c.opts.Network, c.opts.Addr, nopts)
	if err != nil {
		return nil, fmt.Errorf("fastredis: connect: %w", err)
	}
	if err := c.handshake(dctx, cn); err != nil {
		cn.Close()
		return nil, err
	}
	return cn, nil
}

// Do runs any command by name, with its arguments flattened: strings,
// []byte, integers, floats and bools, and slices and string maps of those.
// It returns the whole reply, RESP3-aware. A null reply is returned with
// Nil; an error reply as an *Error.
//
// Transformers set with SetArgTransformer and SetReplyTransformer apply.
func (c *Client) Do(ctx context.Context, args ...any) (Reply, error) {
	name := commandName(args)
	if fn := c.argTransformer(name); fn != nil {
		rest, err := fn(args[1:])
		if err != nil {
			return Reply{}, err
		}
		args = append([]any{args[0]}, rest...)
	}
	if err := c.refuseOnShared(name, args); err != nil {
		return Reply{}, err
	}
	cmd, err := c.appendCommand(nil, args)
	if err != nil {
		return Reply{}, err
	}
	h := &replyHandler{command: name}
	blocking := blockingCommand(name, func() bool { return hasBlockArg(args) })
	if err := c.run(ctx, h, cmd, blocking); err != nil {
		return Reply{}, err
	}
	if h.err != nil {
		return Reply{}, h.err
	}
	if h.reply.IsNull() {
		return h.reply, Nil
	}
	if fn := c.replyTransformer(name); fn != nil {
		return fn(h.reply)
	}
	return h.reply, nil
}

// appendCommand encodes a command for Do, applying the key prefix where
// the command specifications say its arguments are keys (and to SORT's BY
// and GET patterns). With a prefix set, a command the specifications do not
// know is refused rather than sent unprefixed.
func (c *Client) appendCommand(dst []byte, args []any) ([]byte, error) {
	argv, err := flattenArgs(args)
	if err != nil {
		return dst, err
	}
	prefix := c.opts.KeyPrefix
	if prefix == "" {
		return encodeArgv(dst, argv, "", nil), nil
	}
	positions, err := keyspec.AppendPrefixPositions(nil, argv)
	if err != nil {
		return dst, fmt.Errorf("fastredis: cannot apply KeyPrefix to %s: %w", commandName(args), err)
	}
	return encodeArgv(dst, argv, prefix, positions), nil
}

// run sends an encoded command on one of the client's connections,
// applying ReadTimeout to a context without a deadline; or, blocking, on a
// dedicated connection.
func (c *Client) run(ctx context.Context, h netpoll.Handler, cmd []byte, blocking bool) error {
	encode := func(b []byte) []byte { return append(b, cmd...) }
	if blocking && c.pin == nil {
		return c.doBlocking(ctx, h, encode)
	}
	return c.run1(ctx, h, encode)
}

// run1 sends one command, encoded by encode, on a shared connection,
// applying ReadTimeout.
func (c *Client) run1(ctx context.Context, h netpoll.Handler, encode func([]byte) []byte) error {
	ctx, cancel := c.commandContext(ctx)
	defer cancel()
	cn, err := c.conn(ctx)
	if err != nil {
		return err
	}
	return cn.Do(ctx, h, 1, encode)
}

// commandContext applies ReadTimeout to a context without a deadline.
func (c *Client) commandContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.opts.ReadTimeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			return context.WithTimeout(ctx, c.opts.ReadTimeout)
		}
	}
	return ctx, func() {}
}

// replyHandler copies a whole reply out of the connection's buffer.
type replyHandler struct {
	command string
	reply   Reply
	err     *Error
}

func (h *replyHandler) Reply(_ int, v resp.Value) {
	if v.IsError() {
		h.err = newError(v, h.command)
		return
	}
	h.reply = newReply(v)
}

// commandName returns the upper-case name of a command for error messages.
func commandName(args []any) string {
	if len(args) == 0 {
		return ""
	}
	switch a := args[0].(type) {
	case string:
		return strings.ToUpper(a)
	case []byte:
		return strings.ToUpper(string(a))
	}
	return ""
}
