package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// sharedConn is one of the client's shared connections through its life: a
// goroutine (run) watches the ready connection, and when it is lost
// reconnects as the retry strategy says. Commands take the ready connection
// without locking (conn); while there is none they wait in the offline
// queue (acquire).
type sharedConn struct {
	c    *Client
	name string                       // "shared 0", for events
	conn atomic.Pointer[netpoll.Conn] // the ready connection, or nil

	mu           sync.Mutex
	state        Status        // StatusConnecting, StatusReady, StatusReconnecting or StatusEnded
	started      bool          // run is running (a lazy one starts it on first use)
	changed      chan struct{} // closed and replaced whenever the state or attempts change
	attempts     int64         // connection attempts so far, failed or not
	lastErr      error         // why the last attempt failed, or the last connection was lost
	waiting      int           // commands in the offline queue
	waitingBytes int           // and their encoded size
}

func (s *sharedConn) init(c *Client, i int) {
	s.c, s.name, s.state, s.changed = c, "shared "+strconv.Itoa(i), StatusConnecting, make(chan struct{})
}

// broadcast wakes the commands waiting on the connection. Call with mu held.
func (s *sharedConn) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ready installs a connection. Call with mu held.
func (s *sharedConn) ready(cn *netpoll.Conn) {
	s.conn.Store(cn)
	s.state, s.lastErr = StatusReady, nil
	s.attempts++
	s.broadcast()
}

// start runs the connection's lifecycle goroutine, from cn (nil: connect first).
// Call with mu held.
func (s *sharedConn) start(cn *netpoll.Conn) {
	s.started = true
	s.c.wg.Add(1)
	go s.run(cn)
}

// run watches the connection, reconnecting when it is lost, until the
// client closes or the retry strategy gives up.
func (s *sharedConn) run(cn *netpoll.Conn) {
	defer s.c.wg.Done()
	c := s.c
	initial := cn == nil // LazyConnect: the first connection, at once
	for {
		if cn == nil {
			if cn = s.reconnect(initial); cn == nil {
				return
			}
			initial = false
		}
		select {
		case <-cn.Done():
		case <-c.done:
			return
		}
		if c.closed.Load() {
			return
		}
		err := cn.Err()
		if c.cache != nil {
			c.cache.connLost(cn) // its tracking is gone with it
		}
		s.mu.Lock()
		s.conn.CompareAndSwap(cn, nil)
		s.state = StatusReconnecting
		s.lastErr = err // the cause ErrMaxRetries wraps if no dial fails after it
		s.broadcast()
		s.mu.Unlock()
		c.emit(Event{Type: EventClose, Conn: s.name, Err: err})
		cn = nil
	}
}

// reconnect dials until it succeeds (returning the ready connection), the
// client closes, or the strategy gives up (nil for both). The initial
// connection of a lazy client tries once at once before following the
// strategy.
func (s *sharedConn) reconnect(initial bool) *netpoll.Conn {
	c := s.c
	_, seen := c.redialState()
	for attempt := 1; ; attempt++ {
		if initial {
			if cn := s.dialOnce(0); cn != nil {
				return cn
			}
			if c.closed.Load() {
				return nil
			}
			initial = false
		}
		delay := c.opts.RetryStrategy(attempt)
		if delay < 0 {
			s.mu.Lock()
			s.state = StatusEnded
			cause := s.lastErr
			s.broadcast()
			s.mu.Unlock()
			c.emit(Event{Type: EventEnd, Conn: s.name, Err: cause})
			return nil
		}
		wake, gen := c.redialState()
		if gen != seen {
			delay, seen = 0, gen // told to dial now (a director has a new address)
		}
		c.emit(Event{Type: EventReconnecting, Conn: s.name, Attempt: attempt, Delay: delay})
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-wake:
				t.Stop()
				_, seen = c.redialState()
			case <-c.done:
				t.Stop()
				return nil
			}
		}
		if cn := s.dialOnce(attempt); cn != nil || c.closed.Load() {
			return cn
		}
	}
}

// dialOnce makes one connection attempt: the ready connection, or nil
// (EventError, unless the client is closing).
func (s *sharedConn) dialOnce(attempt int) *netpoll.Conn {
	c := s.c
	cn, err := c.dial(c.ctx)
	if err == nil {
		s.mu.Lock()
		if c.closed.Load() {
			s.mu.Unlock()
			cn.Close()
			return nil
		}
		s.ready(cn)
		s.mu.Unlock()
		if attempt > 0 {
			c.stats.reconnects.Add(1)
		}
		c.emit(Event{Type: EventConnect, Conn: s.name})
		c.emit(Event{Type: EventReady, Conn: s.name, DB: c.DB()})
		return cn
	}
	if c.closed.Load() {
		return nil
	}
	s.mu.Lock()
	s.attempts++
	s.lastErr = err
	s.broadcast()
	s.mu.Unlock()
	c.emit(Event{Type: EventError, Conn: s.name, Err: err, Attempt: attempt})
	return nil
}

// acquire returns the ready connection for a command of size
// encoded bytes, waiting in the offline queue while there is none. *budget
// is the attempt count when the command first had to wait (-1 before): it
// fails once more than MaxRetriesPerRequest attempts have failed since.
func (s *sharedConn) acquire(ctx context.Context, size int, budget *int64) (*netpoll.Conn, error) {
	if cn := s.readyConn(); cn != nil {
		return cn, nil
	}
	c := s.c
	s.mu.Lock()
	defer s.mu.Unlock()
	if *budget < 0 {
		*budget = s.attempts
	}
	for {
		switch {
		case c.closed.Load():
			return nil, ErrClosed
		case s.state == StatusEnded:
			if s.lastErr != nil {
				return nil, fmt.Errorf("%w: %w", ErrEnded, s.lastErr)
			}
			return nil, ErrEnded
		}
		if cn := s.conn.Load(); cn != nil && alive(cn) {
			return cn, nil
		}
		if !s.started {
			s.start(nil) // LazyConnect: the first command connects
		}
		if c.opts.DisableOfflineQueue {
			return nil, ErrNotReady
		}
		limit, failed := int64(c.opts.MaxRetriesPerRequest), s.attempts-*budget
		if limit == NoRetries && (failed > 0 || s.state == StatusReconnecting) || limit != UnlimitedRetries && failed > max(limit, 0) {
			what := strconv.Itoa(c.opts.MaxRetriesPerRequest)
			if limit == NoRetries {
				what = "NoRetries: the connection is down"
			}
			if cause := s.lastCause(); cause != nil {
				return nil, fmt.Errorf("%w (%s): %w", ErrMaxRetries, what, cause)
			}
			return nil, fmt.Errorf("%w (%s)", ErrMaxRetries, what)
		}
		if s.waiting >= c.opts.MaxOfflineCommands || s.waitingBytes+size > c.opts.MaxOfflineBytes {
			return nil, fmt.Errorf("%w (%d commands, %d bytes waiting)", ErrOfflineQueueFull, s.waiting, s.waitingBytes)
		}
		s.waiting++
		s.waitingBytes += size
		ch := s.changed
		w, wb := s.waiting, s.waitingBytes
		s.mu.Unlock()
		c.emitHook(HookEvent{Type: HookEventOfflineQueue, Conn: s.name, Count: w, Bytes: wb})
		var err error
		select {
		case <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		case <-c.done:
			err = ErrClosed
		}
		s.mu.Lock()
		s.waiting--
		s.waitingBytes -= size
		if c.hooks.hasEvents() {
			w, wb := s.waiting, s.waitingBytes
			s.mu.Unlock()
			c.emitHook(HookEvent{Type: HookEventOfflineQueue, Conn: s.name, Count: w, Bytes: wb})
			s.mu.Lock()
		}
		if err != nil {
			return nil, err
		}
	}
}

// lastCause is why the shared connection has no ready connection: the last failed
// attempt, or the loss of the connection, which the lifecycle goroutine may
// not have taken in yet. Call with mu held.
func (s *sharedConn) lastCause() error {
	if s.lastErr != nil {
		return s.lastErr
	}
	if cn := s.conn.Load(); cn != nil {
		return cn.Err()
	}
	return nil
}

// readyConn returns the connection if it is ready, without locking.
func (s *sharedConn) readyConn() *netpoll.Conn {
	if cn := s.conn.Load(); cn != nil && alive(cn) {
		return cn
	}
	return nil
}

// status reports the state.
func (s *sharedConn) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// roundTrip sends a request (replies replies, size encoded bytes) on one of
// the client's shared connections and waits for its replies, through
// reconnects: a request whose connection is lost before any of its replies
// arrived (answered reports whether one has; nil for single replies) is
// sent again on the next connection, unless DisableResend. ReconnectOnError
// applies to handlers that hold a server error. If trip is not nil, it
// says whether the request was ever handed to a connection, and which
// connection answered.
//
// deadline (zero for none) bounds the request besides ctx: it is how
// ReadTimeout applies without allocating a context per command.
func (c *Client) roundTrip(ctx context.Context, deadline time.Time, h netpoll.Handler, replies, size int, encode func([]byte) []byte, answered func() bool, trip *tripInfo) error {
	cc := c.cache
	if cc == nil {
		return c.roundTripConn(ctx, deadline, h, replies, size, encode, answered, trip)
	}
	w := scanWrites(encode) // read-your-writes: see cache_write.go
	err := c.roundTripConn(ctx, deadline, h, replies, size, encode, answered, trip)
	cc.applyWrites(w, c.pin)
	return err
}

// roundTripConn is roundTrip without the cache's write tracking.
func (c *Client) roundTripConn(ctx context.Context, deadline time.Time, h netpoll.Handler, replies, size int, encode func([]byte) []byte, answered func() bool, trip *tripInfo) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if c.pin != nil {
		if trip != nil {
			trip.sent = true
		}
		cn, err := c.pin.conn()
		if err != nil {
			return err
		}
		if trip != nil {
			trip.conn = cn
		}
		return doOn(ctx, cn, deadline, h, replies, encode, trip)
	}
	if len(c.shared) == 0 {
		return routedUnsupported("a connection of its own") // a routed view: never reached
	}
	if err := c.waitHold(ctx); err != nil {
		return err
	}
	s := &c.shared[int(c.next.Add(1))%len(c.shared)]
	budget := int64(-1)
	waitCtx := ctx // for waiting offline: ctx, bounded by deadline too
	for {
		cn := s.readyConn()
		if cn == nil {
			if !deadline.IsZero() && waitCtx == ctx {
				var cancel context.CancelFunc
				waitCtx, cancel = context.WithDeadline(ctx, deadline)
				defer cancel()
			}
			var err error
			if cn, err = s.acquire(waitCtx, size, &budget); err != nil {
				return c.noteErr(err)
			}
		}
		if trip != nil {
			trip.sent, trip.conn = true, cn
		}
		err := doOn(ctx, cn, deadline, h, replies, encode, trip)
		if err == nil {
			if !c.reconnectOnError(cn, h) {
				return nil
			}
			continue // ReconnectAndResend
		}
		if !resendable(err) || ctx.Err() != nil || c.closed.Load() ||
			c.opts.DisableResend || c.opts.MaxRetriesPerRequest == NoRetries || (answered != nil && answered()) {
			return c.noteErr(err)
		}
	}
}

// doOn hands the request to cn: as buffers written from the caller's
// memory when trip says the command has large arguments and cn can
// (netpoll's DoBuffers), else encoded into cn's batch.
func doOn(ctx context.Context, cn *netpoll.Conn, deadline time.Time, h netpoll.Handler, replies int, encode func([]byte) []byte, trip *tripInfo) error {
	if trip != nil && trip.args != nil && cn.WritesBuffers() {
		return cn.DoBuffers(ctx, deadline, h, replies, trip.args.buffers())
	}
	return cn.DoDeadline(ctx, deadline, h, replies, encode)
}

// tripInfo is what roundTrip reports about a request besides its error,
// and what it may need to know about it.
type tripInfo struct {
	sent bool          // it was handed to a connection
	conn *netpoll.Conn // the last connection it was handed to
	args *argBuf       // the command, when it is written from buffers (argBuf.vectored)
}

// resendable reports whether a command that failed with err may be sent
// again on a new connection: its connection was lost before its reply came.
// A command whose own reply was malformed (netpoll.ErrBadReply) is not: the
// server may well have run it, and running it twice (an INCR applied twice,
// with no error) is worse than reporting the protocol error.
func resendable(err error) bool {
	return errors.Is(err, netpoll.ErrConnLost) && !errors.Is(err, netpoll.ErrBadReply)
}

// readDeadline is the deadline ReadTimeout gives a command whose context
// has none (zero otherwise).
func (c *Client) readDeadline(ctx context.Context) time.Time {
	if c.opts.ReadTimeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			return time.Now().Add(c.opts.ReadTimeout)
		}
	}
	return time.Time{}
}

// resettable is a handler holding a server error, which can be cleared for
// a resend.
type resettable interface {
	serverError() *Error
	resetError()
}

func (r *result) serverError() *Error {
	e, _ := r.err.(*Error)
	return e
}

func (r *result) resetError() { r.err = nil }

func (h *replyHandler) serverError() *Error { return h.err }
func (h *replyHandler) resetError()         { h.err = nil }

// reconnectOnError applies Options.ReconnectOnError to the error reply h
// holds, if any: it drops the connection when asked, and reports whether
// the command is to be sent again.
func (c *Client) reconnectOnError(cn *netpoll.Conn, h netpoll.Handler) bool {
	policy := c.opts.ReconnectOnError
	if policy == nil {
		return false
	}
	rh, ok := h.(resettable)
	if !ok {
		return false
	}
	e := rh.serverError()
	if e == nil {
		return false
	}
	switch policy(e) {
	case Reconnect:
		cn.Close()
	case ReconnectAndResend:
		cn.Close()
		rh.resetError()
		return true
	}
	return false
}

// alive reports whether cn is open, without locking it.
func alive(cn *netpoll.Conn) bool {
	select {
	case <-cn.Done():
		return false
	default:
		return true
	}
}
