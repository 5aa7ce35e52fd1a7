package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP, XREAD
// and XREADGROUP with BLOCK, WAIT, ...: the commands the specs flag
// BLOCKING) hold the connection they run on until they return. On the
// shared pipelined connection that would stall every other caller, so they
// run on a dedicated connection from the bounded pool instead (the one
// Watch borrows from). ReadTimeout does not apply to them: the command's own
// timeout, the context and Options.BlockingTimeout bound them. When the context ends first, the
// caller returns at once, and the connection is freed in the background
// with CLIENT UNBLOCK (the command then returns as if it had timed out),
// then a PING to make sure the reply has been read; a connection that
// cannot be freed that way is closed.

// blockingCommand reports whether a command blocks: always, or (XREAD,
// XREADGROUP) when blockArg reports a BLOCK argument.
func blockingCommand[T string | []byte](name T, blockArg func() bool) bool {
	var buf [16]byte
	if len(name) > len(buf) {
		return false
	}
	n := upperInto(buf[:], name)
	switch string(buf[:n]) {
	case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF":
		return true
	case "XREAD", "XREADGROUP":
		return blockArg()
	}
	return false
}

// hasBlockArg reports whether Do's arguments include BLOCK.
func hasBlockArg(args []any) bool {
	for _, a := range args[1:] {
		if s, ok := a.(string); ok && strings.EqualFold(s, "BLOCK") {
			return true
		}
		if b, ok := a.([]byte); ok && strings.EqualFold(string(b), "BLOCK") {
			return true
		}
	}
	return false
}

// block marks the command being built as blocking (the generated methods
// of BLOCKING commands call it).
func (a *argBuf) block() { a.blocking = true }

// doBlocking runs a blocking command on a dedicated connection. If that
// connection is lost while the command blocks, the command is sent again on
// a new one (with the same database), as a shared connection's commands are
// (see Reconnecting in the package documentation), within
// MaxRetriesPerRequest.
func (c *Client) doBlocking(ctx context.Context, h netpoll.Handler, encode func([]byte) []byte) error {
	return c.doBlockingN(ctx, h, 1, encode)
}

// doBlockingN is doBlocking for a request of several replies (ASKING and
// the command, in a cluster).
func (c *Client) doBlockingN(ctx context.Context, h netpoll.Handler, replies int, encode func([]byte) []byte) error {
	if cc := c.cache; cc != nil {
		w := scanWrites(encode) // read-your-writes: see cache_write.go
		defer cc.applyWrites(w, nil)
	}
	if c.closed.Load() {
		return ErrClosed
	}
	if c.opts.BlockingTimeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.opts.BlockingTimeout)
			defer cancel()
		}
	}
	failures := 0
	for {
		dc, err := c.acquireDedicated(ctx)
		if err == nil {
			err = dc.cn.Do(ctx, h, replies, encode)
			if err != nil && ctx.Err() != nil && dc.cn.Err() == nil {
				go c.unblock(dc)
				return c.noteErr(err)
			}
			c.releaseDedicated(dc, err == nil)
			if err == nil || !resendable(err) || c.opts.DisableResend {
				return err
			}
		} else if isServerError(err) || errors.Is(err, ErrClosed) {
			return err // refused by the server (a wrong password, say): no use trying again
		}
		// The server is gone, or the connection was: try again after the
		// retry strategy's delay, within the command's budget.
		failures++
		limit := c.opts.MaxRetriesPerRequest
		if ctx.Err() != nil || c.closed.Load() || limit == NoRetries {
			return err
		}
		if limit != UnlimitedRetries && failures > limit {
			return fmt.Errorf("%w (%d): %w", ErrMaxRetries, limit, err)
		}
		delay := c.opts.RetryStrategy(failures)
		if delay < 0 {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-c.done:
			t.Stop()
			return ErrClosed
		}
	}
}

// unblock frees a dedicated connection whose blocking command was
// abandoned, and gives it back to the pool (or closes it).
func (c *Client) unblock(dc *dedicatedConn) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.DialTimeout)
	defer cancel()
	reuse := false
	if _, err := c.ClientUnblock(ctx, dc.id); err == nil {
		// Replies come in order: PING's comes after the unblocked command's.
		_, err := call(ctx, dc.cn, "PING")
		reuse = err == nil
	}
	c.releaseDedicated(dc, reuse)
}
