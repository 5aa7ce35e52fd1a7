package fastredis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Pub/sub.
//
// A PubSub receives messages on a connection of its own (not one of the
// client's shared connections, nor one of the dedicated pool), dialed with
// the client's options and handshake: authentication, protocol, name and
// database. Both protocols work: in RESP3 messages and acknowledgements
// arrive as pushes, in RESP2 as plain arrays.
//
// Options.KeyPrefix does not apply to channels, patterns or shard channels:
// they are sent as given (a channel is not a key).

// DefaultPubSubBufferSize is the number of messages a PubSub buffers for its
// reader unless PubSubOptions.BufferSize says otherwise.
const DefaultPubSubBufferSize = 1024

// PubSubOptions configure a subscriber.
type PubSubOptions struct {
	// BufferSize is the number of messages buffered for the reader of
	// Messages; DefaultPubSubBufferSize when zero or negative.
	BufferSize int
	// HealthCheckInterval, when positive, is how often the subscriber
	// connection is checked with a PING. A PING that fails, or whose reply
	// does not come back within Options.DialTimeout, closes the connection,
	// which is then re-established as after any loss. (An error reply to
	// the PING, such as NOPERM, still shows the connection alive.)
	HealthCheckInterval time.Duration
}

// Message is a message received by a PubSub.
type Message struct {
	// Kind is "message" (a channel subscription), "pmessage" (a pattern
	// subscription) or "smessage" (a shard channel subscription).
	Kind string
	// Channel is the channel the message was published to.
	Channel string
	// Pattern is the pattern that matched Channel, for a pmessage.
	Pattern string
	// Payload is the message, byte for byte (a Go string holds any bytes).
	Payload string
}

// PubSub is a subscriber: a connection in subscriber mode, its
// subscriptions, and the messages they bring. Its methods are safe for
// concurrent use. Create one with Client.NewPubSub, Client.Subscribe,
// Client.PSubscribe or Client.SSubscribe; Close it when done (closing the
// client closes it too).
//
// Slow consumers. The connection's reading side never waits for the reader
// of Messages: messages are buffered (PubSubOptions.BufferSize), and when
// the buffer is full the newest message, the one arriving, is dropped and
// counted in Dropped. A reader that falls behind therefore loses messages
// rather than stalling the connection (and the server's output buffer for
// it).
//
// Reconnects. When the connection is lost (not by Close), the PubSub emits
// EventClose (Event.Conn "pubsub") and reconnects as Options.RetryStrategy
// says (EventReconnecting before each attempt, EventError for a failed
// one), subscribes again to every channel, pattern and shard channel the
// server had acknowledged, and once the server has acknowledged those
// emits EventConnect and EventReady. Messages keep arriving on the same
// Messages channel; messages published while no connection was subscribed
// are lost (pub/sub keeps no history). When the strategy gives up, the
// PubSub ends: EventEnd, Messages is closed and Err returns an error
// matching ErrEnded. Calls made while reconnecting wait for the new
// connection, within their context; a Subscribe or Unsubscribe whose
// acknowledgements were still due when the connection was lost is sent
// again on the new one.
type PubSub struct {
	c       *Client
	opts    PubSubOptions
	msgs    chan Message
	dropped atomic.Uint64

	ctx    context.Context // cancelled by Close, or when the PubSub ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // run and healthCheck

	mu      sync.Mutex
	cur     *psConn       // the ready connection; nil while (re)connecting
	changed chan struct{} // closed and replaced when cur changes or the PubSub stops
	owner   *psConn       // the connection whose acknowledgements subs follows
	subs    [psClasses]map[string]struct{}
	stopped bool  // closed or ended: msgs is closed
	err     error // for Err
	stopErr error // what calls return once stopped

	// shards is set when this PubSub is a routed client's sharded
	// subscriber: a registry of connections to several nodes
	// (pubsub_sharded.go), with no connection of its own.
	shards *shardSet
	// part is set when this PubSub is one node's connection of a sharded
	// subscriber: its messages and its lost subscriptions go to the
	// registry.
	part *shardPart
}

// Subscription classes: channels, patterns, shard channels.
const (
	psChannels = iota
	psPatterns
	psShards
	psClasses
	psPing = -1 // the class of a PING
)

var (
	psSubscribe   = [psClasses]string{"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"}
	psUnsubscribe = [psClasses]string{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"}
	pingCommand   = resp.AppendBulkString(resp.AppendArrayHeader(nil, 1), "PING")
)

// errPubSubStopped is what an operation gets when the PubSub stops under it;
// callers replace it with stopErr.
var errPubSubStopped = errors.New("fastredis: pubsub stopped")

// NewPubSub connects a subscriber that is subscribed to nothing yet. ctx
// bounds connecting, as does Options.DialTimeout.
func (c *Client) NewPubSub(ctx context.Context, opts PubSubOptions) (*PubSub, error) {
	if c.router != nil {
		return nil, routedUnsupported("subscriptions")
	}
	return c.newPubSub(ctx, opts, nil)
}

// newPubSub is NewPubSub; part is set for one node's connection of a
// routed client's sharded subscriber.
func (c *Client) newPubSub(ctx context.Context, opts PubSubOptions, part *shardPart) (*PubSub, error) {
	if c.pin != nil {
		return nil, errPinnedView("subscriptions")
	}
	if c.closed.Load() {
		return nil, ErrClosed
	}
	ps := c.allocPubSub(opts)
	ps.part = part
	s, err := ps.connect(ctx, [psClasses][]string{})
	if err != nil {
		ps.cancel()
		return nil, err
	}
	if err := c.track(ps); err != nil {
		ps.cancel()
		s.cn.Close()
		return nil, err
	}
	ps.mu.Lock()
	if ps.stopped { // the client closed meanwhile
		ps.mu.Unlock()
		s.cn.Close()
		return nil, ErrClosed
	}
	ps.install(s)
	health := opts.HealthCheckInterval > 0
	ps.wg.Add(1)
	if health {
		ps.wg.Add(1)
	}
	ps.mu.Unlock()
	c.emit(Event{Type: EventConnect, Conn: "pubsub"})
	c.emit(Event{Type: EventReady, Conn: "pubsub", DB: c.DB()})
	go ps.run(s)
	if health {
		go ps.healthCheck()
	}
	return ps, nil
}

// allocPubSub returns a PubSub of c, with its options' defaults applied,
// not connected yet.
func (c *Client) allocPubSub(opts PubSubOptions) *PubSub {
	if opts.BufferSize <= 0 {
		opts.BufferSize = DefaultPubSubBufferSize
	}
	ps := &PubSub{
		c:       c,
		opts:    opts,
		msgs:    make(chan Message, opts.BufferSize),
		changed: make(chan struct{}),
	}
	ps.ctx, ps.cancel = context.WithCancel(context.Background())
	return ps
}

// Subscribe returns a new PubSub (default PubSubOptions) subscribed to
// channels, once the server has acknowledged every one. Without channels
// it is NewPubSub.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*PubSub, error) {
	return c.newSubscribed(ctx, psChannels, channels)
}

// PSubscribe returns a new PubSub (default PubSubOptions) subscribed to
// patterns, once the server has acknowledged every one.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*PubSub, error) {
	return c.newSubscribed(ctx, psPatterns, patterns)
}

// SSubscribe returns a new PubSub (default PubSubOptions) subscribed to
// shard channels, once the server has acknowledged every one.
//
// On a routed client (a cluster) the channels may be in any slots: the
// PubSub keeps one connection per master that serves some of them and
// follows each channel's slot when it moves (see the cluster package).
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*PubSub, error) {
	if c.router != nil {
		return c.routedSSubscribe(ctx, shardChannels)
	}
	return c.newSubscribed(ctx, psShards, shardChannels)
}

func (c *Client) newSubscribed(ctx context.Context, class int, names []string) (*PubSub, error) {
	ps, err := c.NewPubSub(ctx, PubSubOptions{})
	if err != nil {
		return nil, err
	}
	if len(names) > 0 {
		if _, err := ps.do(ctx, class, true, names); err != nil {
			ps.Close()
			return nil, err
		}
	}
	return ps, nil
}

// Subscribe subscribes to channels and waits until the server has
// acknowledged each of them. It returns the subscription count the last
// acknowledgement reports (in Redis, the connection's channels and patterns).
func (ps *PubSub) Subscribe(ctx context.Context, channels ...string) (int64, error) {
	return ps.do(ctx, psChannels, true, channels)
}

// PSubscribe subscribes to patterns (PSUBSCRIBE), as Subscribe does to
// channels.
func (ps *PubSub) PSubscribe(ctx context.Context, patterns ...string) (int64, error) {
	return ps.do(ctx, psPatterns, true, patterns)
}

// SSubscribe subscribes to shard channels (SSUBSCRIBE, Redis 7), as
// Subscribe does to channels. The count is of shard channels.
func (ps *PubSub) SSubscribe(ctx context.Context, shardChannels ...string) (int64, error) {
	if ps.shards != nil {
		if err := ps.usable(); err != nil {
			return 0, err
		}
		return ps.shards.subscribe(ctx, shardChannels)
	}
	return ps.do(ctx, psShards, true, shardChannels)
}

// Unsubscribe unsubscribes from channels, or from every channel when none
// is given, and waits for the server's acknowledgements. It returns the
// subscription count the last one reports.
func (ps *PubSub) Unsubscribe(ctx context.Context, channels ...string) (int64, error) {
	return ps.do(ctx, psChannels, false, channels)
}

// PUnsubscribe unsubscribes from patterns, or from every pattern when none
// is given, as Unsubscribe does from channels.
func (ps *PubSub) PUnsubscribe(ctx context.Context, patterns ...string) (int64, error) {
	return ps.do(ctx, psPatterns, false, patterns)
}

// SUnsubscribe unsubscribes from shard channels, or from every shard
// channel when none is given, as Unsubscribe does from channels.
func (ps *PubSub) SUnsubscribe(ctx context.Context, shardChannels ...string) (int64, error) {
	if ps.shards != nil {
		if err := ps.usable(); err != nil {
			return 0, err
		}
		return ps.shards.unsubscribe(ctx, shardChannels)
	}
	return ps.do(ctx, psShards, false, shardChannels)
}

// Messages returns the channel that delivers the messages. It is closed
// when the PubSub is closed (by Close or by closing the client) or ends;
// Err then says why.
func (ps *PubSub) Messages() <-chan Message { return ps.msgs }

// Dropped returns how many messages were dropped because the Messages
// buffer was full.
func (ps *PubSub) Dropped() uint64 { return ps.dropped.Load() }

// Err returns why Messages was closed: nil while it is open and after
// Close, ErrClosed when the client was closed, an error matching ErrEnded
// when reconnecting gave up.
func (ps *PubSub) Err() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.err
}

// Ping sends a PING on the subscriber connection and waits for its reply:
// a check that the connection and the server are alive. While the PubSub
// is reconnecting it waits for the new connection, within ctx.
func (ps *PubSub) Ping(ctx context.Context) error {
	if ps.shards != nil {
		if err := ps.usable(); err != nil {
			return err
		}
		return ps.shards.ping(ctx)
	}
	s, err := ps.conn(ctx)
	if err != nil {
		return err
	}
	return ps.stoppedErr(s.ping(ctx))
}

// Close closes the subscriber connection, stops reconnecting, and closes
// Messages. Calls in progress return ErrClosed. It is idempotent, and must
// not be called from Options.OnEvent.
func (ps *PubSub) Close() error {
	ps.mu.Lock()
	if ps.stopped {
		ps.mu.Unlock()
		return nil
	}
	if ps.c.closed.Load() {
		ps.err = ErrClosed
	}
	cur := ps.stop(ErrClosed)
	ps.mu.Unlock()
	ps.cancel()
	if cur != nil {
		cur.cn.Close()
	}
	if ps.shards != nil {
		ps.shards.close()
	}
	ps.wg.Wait()
	ps.c.untrack(ps)
	if ps.part != nil {
		ps.part.lost(true) // closed with its node's client: its channels move
	}
	return nil
}

// stop marks the PubSub stopped, closes Messages and wakes every waiter.
// It returns the connection that was ready, if any. Call with mu held.
func (ps *PubSub) stop(stopErr error) *psConn {
	cur := ps.cur
	ps.cur = nil
	ps.stopped = true
	ps.stopErr = stopErr
	close(ps.msgs)
	ps.broadcast()
	return cur
}

// broadcast wakes the calls waiting for a connection. Call with mu held.
func (ps *PubSub) broadcast() {
	close(ps.changed)
	ps.changed = make(chan struct{})
}

// install makes s the ready connection. Call with mu held.
func (ps *PubSub) install(s *psConn) {
	ps.cur = s
	ps.broadcast()
}

// stoppedErr replaces errPubSubStopped with what calls return once the
// PubSub has stopped.
func (ps *PubSub) stoppedErr(err error) error {
	if err != errPubSubStopped {
		return err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.stopErr != nil {
		return ps.stopErr
	}
	return ErrClosed
}

// usable returns the error calls get once the PubSub has stopped, or nil.
func (ps *PubSub) usable() error {
	if ps.c.closed.Load() {
		return ErrClosed
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.stopped {
		return ps.stopErr
	}
	return nil
}

// conn returns the ready connection, waiting (within ctx) while the PubSub
// reconnects.
func (ps *PubSub) conn(ctx context.Context) (*psConn, error) {
	for {
		if ps.c.closed.Load() {
			return nil, ErrClosed
		}
		ps.mu.Lock()
		if ps.stopped {
			err := ps.stopErr
			ps.mu.Unlock()
			return nil, err
		}
		s, changed := ps.cur, ps.changed
		ps.mu.Unlock()
		if s != nil {
			select {
			case <-s.cn.Done():
				// Lost: run is about to replace it.
			default:
				return s, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// do runs a subscribe-family command (sub) or an unsubscribe-family one
// for names of class, through reconnects.
func (ps *PubSub) do(ctx context.Context, class int, sub bool, names []string) (int64, error) {
	if ps.shards != nil {
		return 0, fmt.Errorf("fastredis: a cluster's shard subscriber takes shard channels only (SSubscribe); use the cluster client's Subscribe and PSubscribe for channels and patterns: %w", errors.ErrUnsupported)
	}
	command := psUnsubscribe[class]
	if sub {
		command = psSubscribe[class]
		if len(names) == 0 {
			return 0, fmt.Errorf("fastredis: %s needs at least one name", command)
		}
	}
	cmd, err := appendArgs(nil, []any{command, names})
	if err != nil {
		return 0, err
	}
	for {
		s, err := ps.conn(ctx)
		if err != nil {
			return 0, err
		}
		op := newPSOp(command, class, sub, len(names))
		err = s.send(ctx, op, cmd)
		if err == nil {
			err = s.wait(ctx, op)
		}
		switch {
		case err == nil:
			return op.count, nil
		case errors.Is(err, netpoll.ErrConnLost) && ctx.Err() == nil:
			// The connection was lost before every acknowledgement came:
			// send the command again on the next one.
		default:
			return 0, ps.stoppedErr(err)
		}
	}
}
