package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrTxFailed is the outcome of a transaction that did not run because a
// key it watched changed (EXEC replied with a null). Nothing was applied;
// Client.WatchRetry runs the transaction again.
var ErrTxFailed = errors.New("fastredis: transaction not run: a watched key changed")

// ExecAbortError is the outcome of a transaction the server discarded
// because commands were refused while being queued (a wrong number of
// arguments, an unknown command): none of its commands ran. Errors holds the
// refusals, in order; Err is EXEC's own EXECABORT error.
type ExecAbortError struct {
	Err    *Error
	Errors []error
}

func (e *ExecAbortError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if len(e.Errors) > 0 {
		b.WriteString(" (")
		for i, err := range e.Errors {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(strings.TrimPrefix(err.Error(), "fastredis: "))
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns EXEC's error and the queueing errors, for errors.Is and
// errors.As.
func (e *ExecAbortError) Unwrap() []error {
	return append([]error{e.Err}, e.Errors...)
}

// TxUnknownError is the outcome of a transaction whose EXEC reply never
// arrived: the connection failed, or the context ended, after the
// transaction was sent. It may or may not have run; Err says why the reply
// was lost.
type TxUnknownError struct {
	Err error
}

func (e *TxUnknownError) Error() string {
	return "fastredis: transaction outcome unknown (no reply to EXEC; it may or may not have run): " + e.Err.Error()
}

func (e *TxUnknownError) Unwrap() error { return e.Err }

// TxPipeline returns a pipeline that runs as one transaction: Exec sends
// MULTI, the queued commands and EXEC contiguously on one of the client's
// shared connections, and returns the transaction's outcome: nil when it
// ran (each command's result or run-time error, such as WRONGTYPE, in its
// Future), an *ExecAbortError, ErrTxFailed (on a Tx, when a watched key
// changed), or a *TxUnknownError.
func (c *Client) TxPipeline() *Pipeline {
	return &Pipeline{c: c, tx: true}
}

// TxPipelined queues commands with fn on a new TxPipeline and runs it.
func (c *Client) TxPipelined(ctx context.Context, fn func(p *Pipeline)) error {
	p := c.TxPipeline()
	fn(p)
	return p.Exec(ctx)
}

// A Tx is a connection of its own, lent by Client.Watch for optimistic
// locking: WATCH, read, then a TxPipeline whose EXEC runs only if no watched
// key changed. It has every method of Client, and they all run on this
// connection; its TxPipeline and Pipeline do too. If the connection fails,
// its commands fail (the watches are gone with it): there is no redial.
//
// A Tx is valid until the function given to Watch returns.
type Tx struct {
	Client
}

// Watch runs fn with a connection of its own on which keys (the client's
// KeyPrefix applies) are watched, then gives the connection back. fn reads
// what it needs through the Tx and writes through tx.TxPipeline(), whose
// Exec returns ErrTxFailed if a watched key changed meanwhile. Watch
// returns what fn returns.
//
//	err := client.Watch(ctx, func(tx *fastredis.Tx) error {
//		n, err := tx.Get(ctx, "counter")
//		...
//		p := tx.TxPipeline()
//		p.Set("counter", next)
//		return p.Exec(ctx)
//	}, "counter")
//
// The connections come from a pool bounded by Options.MaxDedicatedConns.
func (c *Client) Watch(ctx context.Context, fn func(tx *Tx) error, keys ...string) error {
	if c.router != nil {
		return c.routedWatch(ctx, fn, keys)
	}
	if c.pin != nil {
		return errors.New("fastredis: Watch on a Tx: use Tx.Watch to watch more keys")
	}
	if c.closed.Load() {
		return ErrClosed
	}
	dc, err := c.acquireDedicated(ctx)
	if err != nil {
		return err
	}
	pin := &pinnedConn{cn: dc.cn}
	tx := &Tx{Client: Client{opts: c.opts, transform: c.transform, dedicated: c.dedicated, pin: pin, hooks: c.hooks, stats: c.stats, cache: c.cache}}
	tx.db.Store(c.db.Load())
	tx.curAddr.Store(c.curAddr.Load())
	reuse := false
	defer func() { c.releaseDedicated(dc, reuse) }()
	if len(keys) > 0 {
		if err := tx.Watch(ctx, keys...); err != nil {
			return err
		}
	}
	err = fn(tx)
	reuse = !pin.dirty.Load() && ctx.Err() == nil
	if reuse && pin.watching.Load() {
		reuse = tx.unwatch(ctx) == nil
	}
	tx.closed.Store(true) // later commands on tx fail with ErrClosed
	return err
}

// WatchRetry is Watch, run again while the transaction fails with
// ErrTxFailed (a watched key changed), up to attempts times in all. After
// the last attempt it returns an error that matches ErrTxFailed.
func (c *Client) WatchRetry(ctx context.Context, attempts int, fn func(tx *Tx) error, keys ...string) error {
	if attempts < 1 {
		return fmt.Errorf("fastredis: WatchRetry with %d attempts (want 1 or more)", attempts)
	}
	for range attempts {
		err := c.Watch(ctx, fn, keys...)
		if !errors.Is(err, ErrTxFailed) {
			return err
		}
	}
	return fmt.Errorf("fastredis: transaction failed %d times, a watched key changing each time: %w", attempts, ErrTxFailed)
}

// Watch watches more keys on the Tx's connection.
func (tx *Tx) Watch(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return errors.New("fastredis: WATCH needs at least one key")
	}
	a := tx.newArgs("WATCH")
	for _, k := range keys {
		a.key(k)
	}
	r := getResult(modeStatus, "WATCH")
	defer r.release()
	tx.pin.watching.Store(true)
	return tx.exec(ctx, a, r)
}

// Unwatch forgets every key the Tx watches.
func (tx *Tx) Unwatch(ctx context.Context) error {
	return tx.unwatch(ctx)
}

func (tx *Tx) unwatch(ctx context.Context) error {
	r := getResult(modeStatus, "UNWATCH")
	defer r.release()
	err := tx.exec(ctx, tx.newArgs("UNWATCH"), r)
	if err == nil {
		tx.pin.watching.Store(false)
	}
	return err
}
