package fastredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// run watches the ready connection s and reconnects when it is lost, until
// the PubSub stops.
func (ps *PubSub) run(s *psConn) {
	defer ps.wg.Done()
	for {
		select {
		case <-s.cn.Done():
		case <-ps.ctx.Done():
			return
		}
		err := s.cn.Err()
		ps.mu.Lock()
		if ps.stopped {
			ps.mu.Unlock()
			return
		}
		if s.reason != nil {
			err = s.reason
		}
		if ps.cur == s {
			ps.cur = nil
			ps.broadcast()
		}
		want := ps.snapshot()
		ps.mu.Unlock()
		ps.c.emit(Event{Type: EventClose, Conn: "pubsub", Err: err})
		if s = ps.reconnect(want); s == nil {
			return
		}
	}
}

// snapshot returns the names of the current subscriptions, by class. Call
// with mu held.
func (ps *PubSub) snapshot() [psClasses][]string {
	var want [psClasses][]string
	for class, set := range ps.subs {
		for name := range set {
			want[class] = append(want[class], name)
		}
	}
	return want
}

// reconnect connects again and subscribes to want, as the retry strategy
// says. It returns the new ready connection, or nil when the PubSub stops
// or the strategy gives up.
func (ps *PubSub) reconnect(want [psClasses][]string) *psConn {
	c := ps.c
	var lastErr error
	for attempt := 1; ; attempt++ {
		delay := c.opts.RetryStrategy(attempt)
		if delay < 0 {
			ps.end(lastErr)
			return nil
		}
		c.emit(Event{Type: EventReconnecting, Conn: "pubsub", Attempt: attempt, Delay: delay})
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ps.ctx.Done():
				t.Stop()
				return nil
			}
		}
		s, err := ps.connect(ps.ctx, want)
		if err == nil {
			ps.mu.Lock()
			if ps.stopped {
				ps.mu.Unlock()
				s.cn.Close()
				return nil
			}
			ps.install(s)
			ps.mu.Unlock()
			c.emit(Event{Type: EventConnect, Conn: "pubsub"})
			c.emit(Event{Type: EventReady, Conn: "pubsub", DB: c.DB()})
			n := 0
			for _, names := range want {
				n += len(names)
			}
			c.emitHook(HookEvent{Type: HookEventResubscribed, Conn: "pubsub", Count: n})
			return s
		}
		if ps.ctx.Err() != nil {
			return nil
		}
		lastErr = err
		c.emit(Event{Type: EventError, Conn: "pubsub", Err: err, Attempt: attempt})
	}
}

// end stops the PubSub because reconnecting gave up.
func (ps *PubSub) end(cause error) {
	err := ErrEnded
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrEnded, cause)
	}
	ps.mu.Lock()
	if ps.stopped {
		ps.mu.Unlock()
		return
	}
	ps.err = err
	ps.stop(err)
	ps.mu.Unlock()
	ps.cancel()
	ps.c.untrack(ps)
	ps.c.emit(Event{Type: EventEnd, Conn: "pubsub", Err: cause})
}

// connect dials a subscriber connection and subscribes it to want, waiting
// for the acknowledgements. A subscription the server refuses (an *Error,
// such as NOPERM) is dropped and reported with EventError; the connection
// is kept.
func (ps *PubSub) connect(ctx context.Context, want [psClasses][]string) (*psConn, error) {
	s := &psConn{ps: ps, sendMu: make(chan struct{}, 1)}
	cn, err := ps.c.dialWith(ctx, func(o *netpoll.Options) {
		o.OnPush = s.onPush
		o.Intercept = s.intercept
	})
	if err != nil {
		return nil, err
	}
	s.cn = cn
	ps.mu.Lock()
	ps.owner = s
	for class := range ps.subs {
		ps.subs[class] = map[string]struct{}{}
	}
	ps.mu.Unlock()
	s.live.Store(true) // from here on, every reply is the PubSub's
	ops := make([]*psOp, 0, psClasses)
	for class, names := range want {
		if len(names) == 0 {
			continue
		}
		command := psSubscribe[class]
		cmd, err := appendArgs(nil, []any{command, names})
		if err == nil {
			op := newPSOp(command, class, true, len(names))
			if err = s.send(ctx, op, cmd); err == nil {
				ops = append(ops, op)
				continue
			}
		}
		cn.Close()
		return nil, err
	}
	for _, op := range ops {
		if err := s.wait(ctx, op); err != nil {
			if isServerError(err) {
				ps.c.emit(Event{Type: EventError, Conn: "pubsub", Err: err})
				continue
			}
			cn.Close()
			if err == errPubSubStopped {
				err = ErrClosed
			}
			return nil, err
		}
	}
	return s, nil
}

// healthCheck PINGs the ready connection every HealthCheckInterval and
// closes it when the PING fails or its reply is late.
func (ps *PubSub) healthCheck() {
	defer ps.wg.Done()
	t := time.NewTicker(ps.opts.HealthCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ps.ctx.Done():
			return
		}
		ps.mu.Lock()
		s := ps.cur
		ps.mu.Unlock()
		if s == nil {
			continue // reconnecting
		}
		ctx, cancel := context.WithTimeout(ps.ctx, ps.c.opts.DialTimeout)
		err := s.ping(ctx)
		cancel()
		if err == nil || isServerError(err) || errors.Is(err, netpoll.ErrConnLost) || ps.ctx.Err() != nil {
			// A server error is a reply: the connection is alive. A lost
			// one is run's to handle.
			continue
		}
		ps.mu.Lock()
		if s.reason == nil {
			s.reason = fmt.Errorf("fastredis: pubsub health check failed: %w", err)
		}
		ps.mu.Unlock()
		s.cn.Close() // run reconnects
	}
}
