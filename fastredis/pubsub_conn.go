package fastredis

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// deliver hands a message to the reader, or drops it if the buffer is
// full. It runs on the connection's reading side.
func (ps *PubSub) deliver(m Message) {
	if ps.part != nil {
		ps.part.deliver(m) // to the sharded subscriber the user reads
		return
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.stopped {
		return
	}
	select {
	case ps.msgs <- m:
	default:
		n := ps.dropped.Add(1)
		ps.c.stats.pubsubDropped.Add(1)
		ps.c.emitHook(HookEvent{Type: HookEventPubSubDropped, Conn: "pubsub", Count: int(n)})
	}
}

// psConn is one subscriber connection. Every command on it after the
// handshake is written with Send, in the order of its queue of operations
// awaiting replies; every reply and push it receives is handled here
// (onPush, intercept) and matched to that queue in order. Messages and
// pushes that answer nothing (a shard channel unsubscribed by the server)
// are not in the queue.
type psConn struct {
	ps     *PubSub
	cn     *netpoll.Conn
	live   atomic.Bool   // the handshake is over: replies are ours
	sendMu chan struct{} // a lock (held when full) keeping the queue in the order of the wire

	// Guarded by ps.mu.
	queue  []*psOp
	reason error // why the PubSub closed it (health check), for EventClose
}

// psOp is a command awaiting its replies: a subscribe-family command
// awaits one acknowledgement per name; an unsubscribe without names, one
// per subscription of its class (or a single one when there are none); a
// PING, its reply.
type psOp struct {
	command   string
	class     int  // psChannels, psPatterns, psShards or psPing
	sub       bool // a subscribe command (else an unsubscribe)
	remaining int  // acknowledgements still due; -1: not known yet
	count     int64
	err       error
	done      chan struct{} // closed when complete
}

func newPSOp(command string, class int, sub bool, names int) *psOp {
	op := &psOp{command: command, class: class, sub: sub, remaining: names, done: make(chan struct{})}
	if names == 0 {
		op.remaining = -1 // unsubscribe from all: known at the first acknowledgement
	}
	return op
}

// send queues op and writes its command, encoded in cmd.
func (s *psConn) send(ctx context.Context, op *psOp, cmd []byte) error {
	select {
	case s.sendMu <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sendMu }()
	ps := s.ps
	ps.mu.Lock()
	s.queue = append(s.queue, op)
	ps.mu.Unlock()
	err := s.cn.Send(ctx, func(b []byte) []byte { return append(b, cmd...) })
	if err != nil {
		// Not written, so no reply will come: it is still the last of the
		// queue, which only this (serialised) sender appends to.
		ps.mu.Lock()
		if n := len(s.queue); n > 0 && s.queue[n-1] == op {
			s.queue = s.queue[:n-1]
		}
		ps.mu.Unlock()
	}
	return err
}

// wait waits for op's replies. It returns the connection's error (matching
// netpoll.ErrConnLost) if the connection is lost first, and
// errPubSubStopped if the PubSub stops.
func (s *psConn) wait(ctx context.Context, op *psOp) error {
	select {
	case <-op.done:
		return op.err
	case <-s.cn.Done():
	case <-ctx.Done():
	case <-s.ps.ctx.Done():
	}
	select {
	case <-op.done:
		return op.err
	default:
	}
	switch {
	case s.ps.ctx.Err() != nil:
		return errPubSubStopped
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return s.cn.Err()
}

// ping sends a PING and waits for its reply.
func (s *psConn) ping(ctx context.Context) error {
	op := newPSOp("PING", psPing, false, 1)
	if err := s.send(ctx, op, pingCommand); err != nil {
		return err
	}
	return s.wait(ctx, op)
}

// onPush receives RESP3 pushes: messages and acknowledgements.
func (s *psConn) onPush(v resp.Value) {
	if s.live.Load() {
		s.handle(v)
	}
}

// intercept receives every other reply once the handshake is over: RESP2
// messages and acknowledgements, PING replies, error replies.
func (s *psConn) intercept(v resp.Value) bool {
	if !s.live.Load() {
		return false // a handshake reply, for its request
	}
	s.handle(v)
	return true
}

// handle dispatches a reply or push. It runs on the reading side: it only
// copies out and never blocks.
func (s *psConn) handle(v resp.Value) {
	t := v.Type()
	if (t == resp.Array || t == resp.Push) && v.Len() >= 1 {
		it := v.Iter()
		it.Next()
		if head := it.Value(); isStringValue(head) {
			n := v.Len()
			switch string(head.Bytes()) {
			case "message", "smessage":
				if n == 3 {
					kind := "message"
					if string(head.Bytes()) == "smessage" {
						kind = "smessage"
					}
					it.Next()
					channel := it.Value().String()
					it.Next()
					s.ps.deliver(Message{Kind: kind, Channel: channel, Payload: it.Value().String()})
					return
				}
			case "pmessage":
				if n == 4 {
					it.Next()
					pattern := it.Value().String()
					it.Next()
					channel := it.Value().String()
					it.Next()
					s.ps.deliver(Message{Kind: "pmessage", Channel: channel, Pattern: pattern, Payload: it.Value().String()})
					return
				}
			case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
				if n == 3 {
					class, sub := ackClass(head.Bytes())
					it.Next()
					name := it.Value()
					it.Next()
					count, _ := it.Value().Int()
					s.ack(class, sub, name, count)
					return
				}
			}
		}
		if t == resp.Push {
			return // a push of another kind (an invalidation): not for us
		}
	}
	s.reply(v)
}

func isStringValue(v resp.Value) bool {
	switch v.Type() {
	case resp.BulkString, resp.SimpleString, resp.VerbatimString:
		return true
	}
	return false
}

// ackClass maps an acknowledgement's kind to its class and direction.
func ackClass(kind []byte) (class int, sub bool) {
	switch string(kind) {
	case "subscribe":
		return psChannels, true
	case "unsubscribe":
		return psChannels, false
	case "psubscribe":
		return psPatterns, true
	case "punsubscribe":
		return psPatterns, false
	case "ssubscribe":
		return psShards, true
	}
	return psShards, false // sunsubscribe
}

// ack applies an acknowledgement to the subscriptions and to the operation
// awaiting it, if it is the first of the queue (an acknowledgement nobody
// awaits, such as a sunsubscribe the server sends on its own, only updates
// the subscriptions).
func (s *psConn) ack(class int, sub bool, name resp.Value, count int64) {
	ps := s.ps
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.owner != s {
		return
	}
	set := ps.subs[class]
	var op *psOp
	if len(s.queue) > 0 && s.queue[0].class == class && s.queue[0].sub == sub {
		op = s.queue[0]
		if op.remaining < 0 {
			// Unsubscribe from all: one acknowledgement per subscription
			// the server has (which set mirrors), or one for none.
			op.remaining = max(len(set), 1)
		}
	}
	if !name.IsNull() {
		switch {
		case sub:
			set[name.String()] = struct{}{}
		case op == nil && class == psShards && ps.part != nil:
			// The server ended a shard subscription by itself: its slot
			// moved. The sharded subscriber places it again.
			delete(set, string(name.Bytes()))
			ps.part.ended(name.String())
		case op == nil && class == psShards && ps.c.director != nil:
			// The server ended a shard subscription by itself: its slot
			// moved. A directed client (a cluster's shard subscriber) keeps
			// it and reconnects, through its director, to the slot's new
			// owner, where every subscription is made again.
			s.reason = fmt.Errorf("fastredis: the server ended the subscription to %q (its slot moved)", name.String())
			go s.cn.Close()
		default:
			delete(set, string(name.Bytes()))
		}
	}
	if op != nil {
		op.count = count
		if op.remaining--; op.remaining == 0 {
			s.pop()
		}
	}
}

// reply completes the first operation of the queue with a reply that is
// not an acknowledgement: a PING's, or an error.
func (s *psConn) reply(v resp.Value) {
	ps := s.ps
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(s.queue) == 0 {
		return // answers nothing we sent: dropped
	}
	op := s.queue[0]
	switch {
	case v.IsError():
		op.err = newError(v, op.command)
	case op.class != psPing:
		return // not an answer to a subscribe-family command: dropped
	}
	s.pop()
}

// pop completes the first operation of the queue. Call with ps.mu held.
func (s *psConn) pop() {
	op := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	close(op.done)
}
