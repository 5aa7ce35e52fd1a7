package fastredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fastredis/fastredis/internal/keyspec"
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
		if ps.part != nil {
			ps.part.lost(false)
		}
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
		if ps.part != nil {
			want = ps.part.wanted() // what the sharded subscriber still places here
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
			if ps.part != nil {
				ps.part.ready()
			}
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
	if ps.part != nil {
		ps.part.lost(true)
	}
}

// connect dials a subscriber connection and subscribes it to want, waiting
// for the acknowledgements. A subscription the server refuses (an *Error,
// such as NOPERM) is dropped and reported with EventError; the connection
// is kept.
func (ps *PubSub) connect(ctx context.Context, want [psClasses][]string) (*psConn, error) {
	s := &psConn{ps: ps, sendMu: make(chan struct{}, 1)}
	cn, err := ps.c.dialWith(ctx, false, func(o *netpoll.Options) {
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
	type pending struct {
		op    *psOp
		names []string
	}
	ops := make([]pending, 0, psClasses)
	for class, names := range want {
		for _, group := range subscribeGroups(class, names) {
			command := psSubscribe[class]
			cmd, err := appendArgs(nil, []any{command, group})
			if err == nil {
				op := newPSOp(command, class, true, len(group))
				if err = s.send(ctx, op, cmd); err == nil {
					ops = append(ops, pending{op, group})
					continue
				}
			}
			cn.Close()
			return nil, err
		}
	}
	for _, p := range ops {
		op := p.op
		if err := s.wait(ctx, op); err != nil {
			if isServerError(err) {
				ps.c.emit(Event{Type: EventError, Conn: "pubsub", Err: err})
				if ps.part != nil && op.class == psShards {
					ps.part.refused(p.names, err)
				}
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

// subscribeGroups splits the names of a resubscription into commands:
// shard channels one command per slot (a cluster node refuses SSUBSCRIBE
// across slots), the other classes one command for all.
func subscribeGroups(class int, names []string) [][]string {
	if len(names) == 0 {
		return nil
	}
	if class != psShards || len(names) == 1 {
		return [][]string{names}
	}
	bySlot := map[int][]string{}
	var order []int
	for _, n := range names {
		slot := keyspec.Slot(n)
		if _, ok := bySlot[slot]; !ok {
			order = append(order, slot)
		}
		bySlot[slot] = append(bySlot[slot], n)
	}
	groups := make([][]string, 0, len(order))
	for _, slot := range order {
		groups = append(groups, bySlot[slot])
	}
	return groups
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
