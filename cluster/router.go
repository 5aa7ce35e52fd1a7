package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
)

// ErrCrossSlot is the error of a command whose keys hash to different
// slots, when the command cannot be split: it is never sent. (Hash tags put
// keys in one slot: "{user1}:name" and "{user1}:mail".)
var ErrCrossSlot = errors.New("fastredis/cluster: the command's keys are in different slots (use hash tags to put them in one)")

// ErrMaxRedirects is wrapped by the error of a command that used up
// Options.MaxRedirects; the error names the last redirection or failure.
var ErrMaxRedirects = errors.New("fastredis/cluster: too many redirections")

// argvPool holds the argument views of commands being routed.
var argvPool = sync.Pool{New: func() any { s := make([][]byte, 0, 16); return &s }}

// doRoute runs one command of the routed view (route.Router).
func (c *Client) doRoute(ctx context.Context, cmd route.Command) error {
	if c.closed.Load() {
		return fastredis.ErrClosed
	}
	ap := argvPool.Get().(*[][]byte)
	argv := cmd.Argv((*ap)[:0])
	err := c.route(ctx, cmd, argv)
	clear(argv)
	*ap = argv[:0]
	argvPool.Put(ap)
	return err
}

func (c *Client) route(ctx context.Context, cmd route.Command, argv [][]byte) error {
	if len(argv) == 0 {
		return fastredis.ErrEmptyCommand
	}
	info, err := keyspec.Route(argv)
	if err != nil {
		// A command the specs do not know (a module's): any master; a
		// MOVED takes it where its keys are.
		return c.runSlot(ctx, cmd, argv, 0, false, false)
	}
	switch info.Request {
	case keyspec.RequestAllShards, keyspec.RequestAllNodes:
		return c.fanOut(ctx, cmd, argv, info)
	case keyspec.RequestSpecial:
		return fmt.Errorf("fastredis/cluster: %s has a cursor per node: use ScanIter (every master), or run it on each node (Nodes, ForEachNode)", strings.ToUpper(string(argv[0])))
	}
	slot, keyed, err := keyspec.ArgvSlot(argv)
	switch {
	case errors.Is(err, keyspec.ErrCrossSlot) && info.Request == keyspec.RequestMultiShard:
		return c.split(ctx, cmd, argv, info)
	case errors.Is(err, keyspec.ErrCrossSlot):
		return fmt.Errorf("%w: %s", ErrCrossSlot, strings.ToUpper(string(argv[0])))
	case err != nil:
		keyed = false // malformed: a master will say what is wrong with it
	}
	return c.runSlot(ctx, cmd, argv, slot, keyed, info.ReadOnly)
}

// redirection is what an error reply asks the client to do.
type redirection struct {
	kind string // MOVED, ASK, TRYAGAIN, CLUSTERDOWN, READONLY, LOADING, MASTERDOWN; "" for none
	slot int
	addr string
}

func parseRedirection(err error) redirection {
	var e *fastredis.Error
	if !errors.As(err, &e) {
		return redirection{}
	}
	switch e.Prefix {
	case "MOVED", "ASK":
		// MOVED 3999 127.0.0.1:6381
		f := strings.Fields(e.Message)
		if len(f) != 2 {
			return redirection{}
		}
		slot, err := strconv.Atoi(f[0])
		if err != nil {
			return redirection{}
		}
		addr := f[1]
		if strings.HasPrefix(addr, ":") {
			addr = "" // an unknown endpoint: the caller uses the node it asked
		}
		return redirection{kind: e.Prefix, slot: slot, addr: addr}
	case "TRYAGAIN", "CLUSTERDOWN", "READONLY", "LOADING", "MASTERDOWN":
		return redirection{kind: e.Prefix}
	}
	return redirection{}
}

// runSlot runs a command on the node of slot (keyed) or any master,
// following redirections and retrying failures within the budget.
func (c *Client) runSlot(ctx context.Context, cmd route.Command, argv [][]byte, slot int, keyed, readOnly bool) error {
	var target *node
	asking := false
	tries := 0
	var last error
	for {
		if target == nil {
			n, err := c.pick(slot, keyed, readOnly)
			if err != nil {
				last = err
				c.requestRefresh("no node for slot")
				if werr := c.retryWait(ctx, &tries, argv, last); werr != nil {
					return werr
				}
				continue
			}
			target = n
		}
		err := cmd.Run(ctx, target.client, asking)
		asking = false
		if err != nil {
			if ctx.Err() != nil || c.closed.Load() || !c.retryable(err, target) {
				return err
			}
			last = fmt.Errorf("node %s: %w", target.addr, err)
			c.emit(Event{Type: EventNodeFailing, Addr: target.addr, Err: err})
			c.requestRefresh("node failing")
			target = nil
			if werr := c.retryWait(ctx, &tries, argv, last); werr != nil {
				return werr
			}
			continue
		}
		se := cmd.ServerError()
		if se == nil {
			return nil
		}
		rd := parseRedirection(se)
		switch rd.kind {
		case "":
			return nil // the error reply is the command's result
		case "MOVED", "ASK":
			tries++
			if tries > c.opts.MaxRedirects {
				return c.budgetError(argv, tries, se)
			}
			if target, asking, err = c.follow(rd, target); err != nil {
				return err
			}
		default:
			// TRYAGAIN (a migration is under way), CLUSTERDOWN (no quorum,
			// or slots unserved), READONLY (the master became a replica),
			// LOADING, MASTERDOWN: wait, then ask the map again.
			last = se
			if rd.kind != "TRYAGAIN" {
				c.requestRefresh(rd.kind)
				target = nil
			}
			if werr := c.retryWait(ctx, &tries, argv, se); werr != nil {
				return werr
			}
		}
	}
}

// follow acts on a MOVED (patching the slot) or an ASK, and returns the
// node to send to and whether ASKING goes first. from is the node that
// redirected (an ASK or MOVED to an unknown endpoint means it).
func (c *Client) follow(rd redirection, from *node) (*node, bool, error) {
	c.emit(Event{Type: EventRedirected, Reason: rd.kind, Slot: rd.slot, Addr: rd.addr})
	addr := c.opts.mapAddr(rd.addr)
	if rd.addr == "" {
		addr = from.addr
	}
	if rd.kind == "MOVED" {
		n, err := c.moved(rd.slot, addr)
		return n, false, err
	}
	n, err := c.nodeFor(addr)
	return n, true, err
}

// retryable reports whether a command that failed with err on n may be
// sent again. Commands that never reached the server may always be;
// commands whose connection was lost after they were written may have run,
// and are sent again unless NodeOptions.DisableResend says not to (the
// same rule as a single server's).
func (c *Client) retryable(err error, n *node) bool {
	switch {
	case errors.Is(err, fastredis.ErrClosed):
		return n.removed.Load() // a retired node's client: the slot is elsewhere now
	case errors.Is(err, fastredis.ErrMaxRetries), errors.Is(err, fastredis.ErrNotReady), errors.Is(err, fastredis.ErrEnded):
		return true // never sent: the node is unreachable
	case errors.Is(err, fastredis.ErrInvalidArgument), errors.Is(err, fastredis.ErrEmptyCommand):
		return false
	}
	var e *fastredis.Error
	if errors.As(err, &e) {
		return false
	}
	return !c.opts.NodeOptions.DisableResend
}

// retryWait counts a retry and waits the backoff before it, or returns the
// error that ends the command: the budget is spent or ctx ended.
func (c *Client) retryWait(ctx context.Context, tries *int, argv [][]byte, last error) error {
	*tries++
	if *tries > c.opts.MaxRedirects {
		return c.budgetError(argv, *tries-1, last)
	}
	t := time.NewTimer(backoff(*tries))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w (while retrying after: %v)", ctx.Err(), last)
	case <-c.ctx.Done():
		return fastredis.ErrClosed
	}
}

func (c *Client) budgetError(argv [][]byte, tries int, last error) error {
	return fmt.Errorf("%w: %s gave up after %d retries (MaxRedirects %d); last: %w",
		ErrMaxRedirects, strings.ToUpper(string(argv[0])), tries, c.opts.MaxRedirects, last)
}
