package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fastredis/fastredis/internal/director"
	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Version is the library version reported to servers with CLIENT SETINFO.
const Version = "0.1.0"

// Client is a client for one Redis server, safe for concurrent use by any
// number of goroutines. Commands from concurrent callers share a few
// pipelined connections (Options.PoolSize): they leave in batches and their
// replies come back in order. Lost connections are re-established in the
// background (see Reconnecting in the package documentation).
type Client struct {
	opts      Options
	shared    []sharedConn
	next      atomic.Uint32
	closed    atomic.Bool
	db        atomic.Int64 // the database every connection selects
	transform *transformerSet
	dedicated *dedicatedPool
	pin       *pinnedConn              // set on a Tx's view of its own connection
	router    route.Router             // set on a routed view (a cluster): commands go to it
	readOnly  bool                     // a cluster replica's client: every connection sends READONLY
	director  director.Director        // set on a directed client (sentinel): it picks each dial's address
	hold      atomic.Pointer[holdGate] // set while a director holds new commands
	redial    redialSignal             // wakes reconnect loops waiting out a backoff

	ctx    context.Context // cancelled by Close: ends dials and waits
	cancel context.CancelFunc
	done   <-chan struct{}
	wg     sync.WaitGroup // the shared connections' lifecycle goroutines

	cache   *clientCache           // Options.Cache, or nil; shared with a Tx
	hooks   *hookRegistry          // shared with a Tx, and a cluster's node clients
	stats   *clientStats           // shared with a Tx
	curAddr atomic.Pointer[string] // a directed client: the address its last connection dialed

	closersMu sync.Mutex
	closers   map[interface{ Close() error }]struct{} // subscribers and monitors, closed with the client
}

// NewClient validates opts and connects. It returns an error if the options
// are invalid, or if the server cannot be reached or refuses the handshake
// (a wrong password, say); the error never contains the password. With
// LazyConnect it does not connect: the first command does, and waits for it.
//
// Connecting takes at most DialTimeout for all of PoolSize connections; to
// bound it otherwise (a deadline for the whole startup, a signal to give
// up), use NewClientContext.
func NewClient(opts Options) (*Client, error) {
	return NewClientContext(context.Background(), opts)
}

// newClient makes a client for valid opts, not connected yet.
func newClient(opts Options) *Client {
	c := &Client{
		opts:      opts,
		shared:    make([]sharedConn, opts.PoolSize),
		transform: new(transformerSet),
		dedicated: newDedicatedPool(opts.MaxDedicatedConns),
		hooks:     opts.hooksRegistry(),
		stats:     new(clientStats),
	}
	c.opts.hooks = nil
	if opts.Cache != nil {
		c.cache = newClientCache(*opts.Cache)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.done = c.ctx.Done()
	c.db.Store(int64(opts.DB))
	for i := range c.shared {
		c.shared[i].init(c, i)
	}
	return c
}

// NewClientContext is NewClient with a context that bounds connecting and
// the handshakes, on top of DialTimeout. If ctx ends before the client is
// ready, NewClientContext closes what it opened and returns an error that
// matches ctx.Err() (errors.Is), at once, whatever the server does. The
// client does not keep ctx: cancelling it later does not affect the client,
// nor its reconnects. With LazyConnect, ctx has nothing to bound.
func NewClientContext(ctx context.Context, opts Options) (*Client, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := newClient(opts)
	if opts.LazyConnect {
		return c, nil
	}
	if err := c.connectAll(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// connectAll connects every shared connection, within DialTimeout in all and within
// ctx. An error after ctx ended says so, whatever the dial or the
// handshake made of it (net's "operation was canceled" does not match
// context.Canceled).
func (c *Client) connectAll(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	for i := range c.shared {
		s := &c.shared[i]
		cn, err := c.dial(dctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %w", err, ctxErr)
			}
			return err
		}
		s.mu.Lock()
		s.ready(cn)
		s.start(cn)
		s.mu.Unlock()
		c.emit(Event{Type: EventConnect, Conn: s.name})
		c.emit(Event{Type: EventReady, Conn: s.name, DB: c.opts.DB})
	}
	return nil
}

// Options returns the options the client was created with, defaults filled
// in. Its Hooks are those of the options, without those AddHook added.
func (c *Client) Options() Options { return c.opts }

// hooksRegistry returns the registry the options carry (a node client's,
// shared with its cluster's view) or a new one with Hooks.
func (o *Options) hooksRegistry() *hookRegistry {
	if o.hooks != nil {
		return o.hooks
	}
	return newHookRegistry(o.Hooks)
}

// serverAddr is the address of the server the client's commands go to:
// for a directed client (sentinel) the one its last connection dialed;
// for a routed view (cluster) none until a node has answered.
func (c *Client) serverAddr() string {
	if c.router != nil {
		return "" // a routed view: known once a node has answered
	}
	if c.director != nil {
		if a := c.curAddr.Load(); a != nil {
			return *a
		}
	}
	return c.opts.Addr
}

// DB returns the database the client's connections select.
func (c *Client) DB() int { return int(c.db.Load()) }

// Status reports the state of the client's shared connections: ready when
// all are, reconnecting while any is being re-established, connecting
// before the first connection (LazyConnect), end after Close or when the
// retry strategy gave up.
func (c *Client) Status() Status {
	if c.closed.Load() {
		return StatusEnded
	}
	if c.pin != nil {
		if _, err := c.pin.conn(); err != nil {
			return StatusEnded
		}
		return StatusReady
	}
	st := StatusReady
	for i := range c.shared {
		switch s := c.shared[i].status(); s {
		case StatusEnded:
			return StatusEnded
		case StatusReconnecting:
			st = s
		case StatusConnecting:
			if st == StatusReady {
				st = s
			}
		}
	}
	return st
}

// Close closes the client's connections. Commands in flight fail; later ones
// return ErrClosed. It is idempotent.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) || c.pin != nil {
		return nil // a Tx's view owns no connections
	}
	c.cancel()
	c.dedicated.close()
	c.closersMu.Lock()
	closers := c.closers
	c.closers = nil
	c.closersMu.Unlock()
	for cl := range closers {
		cl.Close()
	}
	for i := range c.shared {
		s := &c.shared[i]
		s.mu.Lock()
		cn := s.conn.Swap(nil)
		s.state = StatusEnded
		s.broadcast()
		s.mu.Unlock()
		if cn != nil {
			cn.Close()
		}
	}
	c.wg.Wait()
	c.emit(Event{Type: EventEnd, Conn: "client"})
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

// dial opens a shared connection and runs the handshake on it, within
// DialTimeout. Only shared connections have the SocketTimeout: the others
// wait legitimately (blocking commands, subscribers).
func (c *Client) dial(ctx context.Context) (*netpoll.Conn, error) {
	if c.cache != nil {
		return c.dialTracking(ctx)
	}
	if c.opts.SocketTimeout <= 0 {
		return c.dialWith(ctx, true, nil)
	}
	return c.dialWith(ctx, true, func(o *netpoll.Options) { o.SocketTimeout = c.opts.SocketTimeout })
}

// dialWith is dial with netpoll options adjusted by tune (OnPush and
// Intercept for subscriber and MONITOR connections). A connection that
// serves commands (shared, dedicated) runs Options.OnConnect after the
// handshake.
func (c *Client) dialWith(ctx context.Context, serving bool, tune func(*netpoll.Options)) (*netpoll.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	nopts := netpoll.Options{
		Transport:   c.opts.Transport,
		TLS:         c.opts.TLSConfig,
		DialTimeout: c.opts.DialTimeout,
		KeepAlive:   c.opts.KeepAlive,
		MaxPending:  c.opts.MaxPending,
		Dialer:      c.opts.Dialer,
		SpinWait:    c.opts.SpinWait,
	}
	if tune != nil {
		tune(&nopts)
	}
	network, addr := c.opts.Network, c.opts.Addr
	if c.director != nil {
		a, err := c.director.Addr(dctx)
		if err != nil {
			return nil, fmt.Errorf("fastredis: connect: %w", err)
		}
		network, addr = "tcp", a
	}
	nopts.Counters = &c.stats.bytes
	var cn *netpoll.Conn
	err := c.hooks.dial(dctx, network, addr, func(ctx context.Context, network, addr string) error {
		var err error
		cn, err = c.dialConn(ctx, network, addr, nopts, serving)
		return err
	})
	if err != nil {
		c.stats.dialErrors.Add(1)
		if cn != nil {
			cn.Close() // a dial hook failed a connection that was made
		}
		return nil, err
	}
	if cn == nil {
		return nil, errors.New("fastredis: connect: a dial hook did not call next")
	}
	return cn, nil
}

// dialConn connects to addr and runs the handshake, and OnConnect for a
// connection that serves commands: the end of the dial hook chain.
func (c *Client) dialConn(ctx context.Context, network, addr string, nopts netpoll.Options, serving bool) (*netpoll.Conn, error) {
	cn, err := netpoll.Dial(ctx, network, addr, nopts)
	if err != nil {
		return nil, fmt.Errorf("fastredis: connect: %w", err)
	}
	if err := c.handshake(ctx, cn); err != nil {
		cn.Close()
		return nil, err
	}
	if c.director != nil {
		if err := c.checkDirected(ctx, cn, addr); err != nil {
			cn.Close()
			return nil, err
		}
		c.curAddr.Store(&addr)
	}
	if serving && c.opts.OnConnect != nil {
		if err := c.runOnConnect(ctx, cn); err != nil {
			cn.Close()
			return nil, err
		}
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
	if ch := c.hooks.chain.Load(); ch != nil {
		ci := c.getInfo("")
		ci.enc, ci.h, ci.blocking = cmd, h, blocking
		err = ch.process(ctx, ci)
		ci.release()
		// The hooks saw the server's error or Nil; Do returns them below.
		serverErr := (h.err != nil && err == error(h.err)) || (err == Nil && h.reply.IsNull())
		if err != nil && !serverErr {
			return Reply{}, err
		}
	} else if err := c.run(ctx, h, cmd, blocking, nil); err != nil {
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
func (c *Client) run(ctx context.Context, h netpoll.Handler, cmd []byte, blocking bool, info *CommandInfo) error {
	encode := func(b []byte) []byte { return append(b, cmd...) }
	if c.router != nil {
		return c.routeEncoded(ctx, h, encode, blocking, info)
	}
	if blocking && c.pin == nil {
		return c.doBlocking(ctx, h, encode)
	}
	return c.run1(ctx, h, len(cmd), encode)
}

// run1 sends one command (size encoded bytes) on a shared connection,
// applying ReadTimeout.
func (c *Client) run1(ctx context.Context, h netpoll.Handler, size int, encode func([]byte) []byte) error {
	return c.roundTrip(ctx, c.readDeadline(ctx), h, 1, size, encode, nil, nil)
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
