package fastredis

import (
	"context"
	"sync"
	"sync/atomic"
)

// Hooks.
//
// A Hook wraps what a client does, in the shape go-redis users know: each
// of its methods takes the next function of a chain and returns a function
// that does its work around a call to next (or instead of it: a hook that
// returns an error without calling next fails the call, and nothing is
// sent). Hooks are set with Options.Hooks or added with Client.AddHook; the
// first one set or added is the outermost, so it sees a call first and its
// outcome last.
//
//   - DialHook wraps each connection the client opens (shared, dedicated,
//     subscriber, MONITOR; for a cluster, every node's; for a sentinel
//     client, the data connections and those to the sentinels): the dial,
//     TLS and the handshake, with the address the connection goes to.
//   - ProcessHook wraps each command a caller starts: typed methods, Do,
//     Exec (a Cmd), blocking commands, commands on a Watch's Tx. A Script
//     is one call per command sent: EVALSHA, and EVAL after a NOSCRIPT. On
//     a cluster client it is one call per user call, whatever the
//     redirections (MOVED, ASK, TRYAGAIN retries happen inside next);
//     CommandInfo.Addr is the node that answered, empty for a command sent
//     to several nodes (KEYS, DBSIZE, MGET across slots, ...).
//   - ProcessPipelineHook wraps each Exec of a Pipeline or TxPipeline, which
//     its commands do not also go through ProcessHook.
//
// A hook may also implement EventHook to receive the client's events
// (connection lifecycle, offline queue, pub/sub, cluster topology,
// sentinel failovers) as HookEvents.
//
// With no hook, a command costs one atomic load and nil check more than
// before hooks existed. With hooks, the chain is built once per AddHook and
// calling it allocates nothing: the CommandInfo and PipelineInfo passed
// down the chain are views into pooled state, valid only until the hook
// function returns (copy what must be kept).
type Hook interface {
	DialHook(next DialHookFunc) DialHookFunc
	ProcessHook(next ProcessHookFunc) ProcessHookFunc
	ProcessPipelineHook(next ProcessPipelineHookFunc) ProcessPipelineHookFunc
}

// DialHookFunc opens a connection to addr ("host:port", or a unix socket
// path) and runs its handshake. Its error is the connection attempt's.
type DialHookFunc func(ctx context.Context, network, addr string) error

// ProcessHookFunc runs one command. Its error is the command's: a transport
// error, a server error reply (an *Error), or Nil for a null reply.
type ProcessHookFunc func(ctx context.Context, cmd *CommandInfo) error

// ProcessPipelineHookFunc runs a pipeline. Its error is Pipeline.Exec's.
type ProcessPipelineHookFunc func(ctx context.Context, p *PipelineInfo) error

// EventHook is implemented by a Hook that also wants the client's events.
// HandleEvent is called synchronously where the event happens, as
// Options.OnEvent is: it must be quick, safe for concurrent use, and must
// not call the client.
type EventHook interface {
	HandleEvent(ev HookEvent)
}

// hookRegistry holds a client's hooks. The clients that make up one
// logical client (a cluster's view and its node clients, a Watch's Tx)
// share it, so AddHook on one reaches them all, present and future.
type hookRegistry struct {
	mu    sync.Mutex
	hooks []Hook
	chain atomic.Pointer[hookChain] // nil while there is no hook
}

// hookChain is the chains built from the hooks at one time; it is never
// changed once published.
type hookChain struct {
	hooks    []Hook
	process  ProcessHookFunc
	pipeline ProcessPipelineHookFunc
	events   []EventHook
}

func newHookRegistry(hooks []Hook) *hookRegistry {
	r := new(hookRegistry)
	for _, h := range hooks {
		if h != nil {
			r.add(h)
		}
	}
	return r
}

// add appends h and publishes a new chain (copy on write).
func (r *hookRegistry) add(h Hook) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = append(r.hooks[:len(r.hooks):len(r.hooks)], h)
	ch := &hookChain{hooks: r.hooks, process: processBase, pipeline: pipelineBase}
	for i := len(r.hooks) - 1; i >= 0; i-- {
		if fn := r.hooks[i].ProcessHook(ch.process); fn != nil {
			ch.process = fn
		}
		if fn := r.hooks[i].ProcessPipelineHook(ch.pipeline); fn != nil {
			ch.pipeline = fn
		}
	}
	for _, h := range r.hooks {
		if eh, ok := h.(EventHook); ok {
			ch.events = append(ch.events, eh)
		}
	}
	r.chain.Store(ch)
}

// emit hands ev to the event hooks.
func (r *hookRegistry) emit(ev HookEvent) {
	if r == nil {
		return
	}
	ch := r.chain.Load()
	if ch == nil {
		return
	}
	for _, h := range ch.events {
		h.HandleEvent(ev)
	}
}

// hasEvents reports whether an event hook is set.
func (r *hookRegistry) hasEvents() bool {
	ch := r.chain.Load()
	return ch != nil && len(ch.events) > 0
}

// dial runs fn (a connection attempt to addr) through the dial hooks.
// Dials are rare: the chain is built for each.
func (r *hookRegistry) dial(ctx context.Context, network, addr string, fn DialHookFunc) error {
	ch := r.chain.Load()
	if ch == nil {
		return fn(ctx, network, addr)
	}
	for i := len(ch.hooks) - 1; i >= 0; i-- {
		if next := ch.hooks[i].DialHook(fn); next != nil {
			fn = next
		}
	}
	return fn(ctx, network, addr)
}

func processBase(ctx context.Context, ci *CommandInfo) error { return ci.run(ctx) }

func pipelineBase(ctx context.Context, pi *PipelineInfo) error {
	if pi.p == nil {
		return ErrNotRun
	}
	return pi.p.exec(ctx)
}

// AddHook adds h to the client's hooks, after (inside) those there are:
// commands started from now on go through it. It is safe to call while
// commands run. On a cluster client it reaches every node client, those
// there are and those made later; on a Tx, the client it came from.
func (c *Client) AddHook(h Hook) {
	if h == nil {
		return
	}
	c.hooks.add(h)
}
