package fastredis

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Connection lifecycle.
//
// Each of the client's shared connections is watched. When one is lost, the
// client emits EventClose and reconnects in the background: it waits as
// Options.RetryStrategy says (EventReconnecting, with the delay), dials and
// runs the handshake again (authentication, protocol, name, the current
// database), and emits EventConnect then EventReady; a failed attempt emits
// EventError and the next attempt follows. When the strategy gives up, the
// client ends (EventEnd): its commands fail with ErrEnded.
//
// Commands issued while no connection is ready wait (the offline queue,
// bounded by MaxOfflineCommands and MaxOfflineBytes) and are sent once one
// is; with DisableOfflineQueue they fail at once with ErrNotReady. A command
// waits through at most MaxRetriesPerRequest reconnect attempts; then it
// fails with ErrMaxRetries.
//
// When a command can be sent twice. A command whose reply was still owed
// when its connection dropped is sent again on the new connection (unless
// DisableResend). The server may have run it before the connection
// dropped, with its reply lost on the way: it then runs twice. That is
// harmless for reads and for idempotent writes (SET, DEL, HSET of fixed
// values), not for INCR, LPUSH, XADD with an automatic ID and the like: set
// DisableResend, or make the write idempotent, if that matters. A command
// that was never written (still queued when the connection dropped, or
// issued while offline) is sent once. A pipeline is resent only when none of
// its replies had arrived, as one batch; a pipeline cut off midway fails the
// commands whose replies did not arrive. A transaction (MULTI ... EXEC) is
// resent whole only when none of its replies had arrived: the server
// discards a transaction whose connection drops before EXEC, so it then runs
// at most once in effect, unless EXEC itself ran and only its reply was
// lost (then it runs twice, like any command). The same rules hold for
// ReconnectOnError's ReconnectAndResend on a single command. On a pipeline
// it resends only what did not run: the commands whose own replies were the
// error, and the transactions EXEC aborted because of it (see
// Pipeline.Exec).

// A command whose own reply is malformed (not RESP, or past a reader limit)
// fails with the protocol error (a *resp.ProtocolError, matching
// netpoll.ErrBadReply) and is never resent: the server may have run it. The
// connection is replaced, and commands queued behind it are resent as on
// any disconnect.

var (
	// ErrEnded is returned by commands of a client whose RetryStrategy gave
	// up reconnecting.
	ErrEnded = errors.New("fastredis: client ended: gave up reconnecting")
	// ErrMaxRetries is matched by the error of a command that waited
	// through MaxRetriesPerRequest reconnect attempts.
	ErrMaxRetries = errors.New("fastredis: reconnect attempts per request exhausted")
	// ErrNotReady is returned, with DisableOfflineQueue, by a command
	// issued while no connection is ready.
	ErrNotReady = errors.New("fastredis: no connection ready (the offline queue is disabled)")
	// ErrOfflineQueueFull is returned by a command that finds the offline
	// queue at MaxOfflineCommands or MaxOfflineBytes.
	ErrOfflineQueueFull = errors.New("fastredis: offline queue full")
)

// DefaultRetryStrategy waits min(n*50ms, 2s) before attempt n, plus up to
// 10% of random jitter (so that many clients do not reconnect in step),
// and never gives up.
func DefaultRetryStrategy(attempt int) time.Duration {
	d := min(time.Duration(attempt)*50*time.Millisecond, 2*time.Second)
	return d + rand.N(d/10+1)
}

// ReconnectAction is what ReconnectOnError asks for after an error reply.
type ReconnectAction int

const (
	// NoReconnect: the error is the command's result.
	NoReconnect ReconnectAction = iota
	// Reconnect drops the connection (in-flight commands are resent as on
	// any disconnect); the command still returns its error.
	Reconnect
	// ReconnectAndResend drops the connection and sends the command again
	// on the new one.
	ReconnectAndResend
)

// EventType says what happened to a connection.
type EventType int

const (
	// EventConnect: a connection was established (before its handshake).
	EventConnect EventType = iota + 1
	// EventReady: a connection completed its handshake and takes commands.
	EventReady
	// EventError: connecting or reconnecting failed (Err says why).
	EventError
	// EventClose: a ready connection was lost (Err says why).
	EventClose
	// EventReconnecting: a reconnect attempt (Attempt) comes after Delay.
	EventReconnecting
	// EventEnd: the client stopped reconnecting and will not be usable
	// again, because RetryStrategy gave up or Close was called.
	EventEnd
	// EventSelect: the client's database changed to DB (Client.Select).
	EventSelect
	// EventWarning: something is off but the connection works (Err says
	// what): a password given for a server that has none.
	EventWarning
)

var eventNames = [...]string{"", "connect", "ready", "error", "close", "reconnecting", "end", "select", "warning"}

func (t EventType) String() string {
	if t > 0 && int(t) < len(eventNames) {
		return eventNames[t]
	}
	return "event(?)"
}

// Event is a connection lifecycle event, passed to Options.OnEvent.
type Event struct {
	Type EventType
	// Conn names the connection: "shared 0" (its index in the pool),
	// "pubsub", "monitor".
	Conn    string
	Err     error
	Attempt int           // EventReconnecting, EventError: the attempt number
	Delay   time.Duration // EventReconnecting: the wait before the attempt
	DB      int           // EventSelect, EventReady: the database
}

// emit hands an event to OnEvent and the Logger.
func (c *Client) emit(ev Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(ev)
	}
	if c.hooks != nil && c.hooks.hasEvents() {
		c.hooks.emit(c.hookEventOf(ev))
	}
	lg := c.opts.Logger
	if lg == nil {
		return
	}
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("conn", ev.Conn), slog.String("addr", c.opts.Addr)}
	switch ev.Type {
	case EventError, EventClose, EventWarning:
		level = slog.LevelWarn
		attrs = append(attrs, slog.Any("err", ev.Err))
	case EventReconnecting:
		attrs = append(attrs, slog.Int("attempt", ev.Attempt), slog.Duration("delay", ev.Delay))
	case EventSelect, EventReady:
		attrs = append(attrs, slog.Int("db", ev.DB))
	case EventEnd:
		if ev.Err != nil {
			level = slog.LevelError
			attrs = append(attrs, slog.Any("err", ev.Err))
		}
	}
	lg.LogAttrs(context.Background(), level, "fastredis: "+ev.Type.String(), attrs...)
}

// Status is the state of a client's connections.
type Status string

const (
	StatusConnecting   Status = "connecting"   // not yet connected (LazyConnect, or the first dial)
	StatusReady        Status = "ready"        // every shared connection is ready
	StatusReconnecting Status = "reconnecting" // at least one shared connection is being re-established
	StatusEnded        Status = "end"          // closed, or given up
)

// Select switches the client to database db: every shared connection runs
// SELECT, and every connection made from now on (reconnects, dedicated
// connections) selects db in its handshake. It emits EventSelect if the
// database changes (selecting the current one sends nothing). Commands
// running concurrently with Select may run in either database: call it
// before use, or between phases of work. On a Tx it selects on the Tx's
// connection only (which is then closed rather than reused).
func (c *Client) Select(ctx context.Context, db int) error {
	if c.router != nil {
		return routedUnsupported("SELECT (a cluster has database 0 only)")
	}
	if db < 0 {
		return errors.New("fastredis: SELECT of a negative database")
	}
	if c.pin != nil {
		_, err := c.Do(ctx, "SELECT", db)
		return err
	}
	prev := c.db.Swap(int64(db))
	if prev == int64(db) {
		return nil // nothing changes: no SELECT, no EventSelect
	}
	for i := range c.shared {
		cn := c.shared[i].conn.Load()
		if cn == nil || cn.Err() != nil {
			continue // its reconnect selects db
		}
		if _, err := call(ctx, cn, "SELECT", db); err != nil {
			if isServerError(err) {
				c.db.Store(prev) // refused (out of range, say): nothing changed
				return err
			}
			cn.Close() // a connection in doubt is redialed, selecting db
		}
	}
	c.dedicated.closeIdle() // idle dedicated connections have the old database
	if c.cache != nil {
		c.cache.flush() // what it holds was read from the old database
	}
	c.emit(Event{Type: EventSelect, Conn: "client", DB: db})
	return nil
}
