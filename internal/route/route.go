// Package route is the seam between the single-server client (fastredis)
// and clients that decide which server runs each command (cluster).
//
// A routed client is a fastredis.Client whose commands, typed methods, Do
// and Exec alike, are encoded as usual and then handed to a Router instead
// of a connection. The Router reads the command (Argv), picks a node (a
// plain *fastredis.Client of its own) and runs it there (Run), as often as
// redirections need; or splits it, runs the parts, and hands the caller a
// reply it composed (Deliver). So the generated methods exist once, and the
// cluster package imports fastredis, never the reverse. Users never see this
// package: it is internal, and what fastredis gives it (NewClient) is set by
// fastredis itself when it is initialised.
package route

import (
	"context"
)

// Command is one command of a routed client, in flight. fastredis
// implements it; it is valid until Router.Route returns.
type Command interface {
	// Argv appends the command's arguments (the name first) to dst, as
	// views into the command's buffers. An argument of 8 KiB or more that
	// is kept by reference appears as its bytes as well.
	Argv(dst [][]byte) [][]byte

	// Blocking reports whether the command blocks (BLPOP, XREAD BLOCK,
	// WAIT): it runs on one of the node's dedicated connections.
	Blocking() bool

	// Run sends the command to node, a *fastredis.Client, and waits for its
	// reply, which goes to the caller's result. With asking, ASKING is
	// written just before it, in the same write on the same connection, so
	// no other caller's command comes between them. The error is the
	// transport's (the node is unreachable, the context ended, ...); a
	// server error reply is ServerError.
	Run(ctx context.Context, node any, asking bool) error

	// ServerError is the error reply the last Run got (a *fastredis.Error),
	// or nil. Run clears it first.
	ServerError() error

	// Deliver hands the caller a reply the router composed (the merged
	// replies of a command split by slot, or sent to every node), encoded
	// in RESP. A server error among them is a RESP error in the reply.
	Deliver(reply []byte) error
}

// Router runs the commands of a routed client.
type Router interface {
	Route(ctx context.Context, cmd Command) error
}

// NewClient returns a *fastredis.Client (as any) whose commands go to r.
// template carries the options that shape commands (KeyPrefix,
// ReadTimeout, Protocol for decoding); it never connects. Set by fastredis.
var NewClient func(r Router, template any) (any, error)

// NewNode returns a plain *fastredis.Client (as any) for one node, from a
// fastredis.Options; with readOnly its connections send READONLY (a replica
// that serves reads). Set by fastredis.
var NewNode func(opts any, readOnly bool) (any, error)

// CallMany runs several commands on node as one pipelined batch and
// appends each reply (errors included) to replies[i], or returns the
// transport error. The split path uses it: one batch per node, not one
// round trip per slot. Set by fastredis.
var CallMany func(ctx context.Context, node any, argvs [][][]byte, replies [][]byte) ([][]byte, error)

// NewCluster makes a cluster client (a fastredis.UniversalClient) from seed
// addresses and the nodes' fastredis.Options, for
// fastredis.NewUniversalClient. Set by the cluster package when it is
// linked in, so fastredis does not import it.
var NewCluster func(addrs []string, nodeOptions any) (any, error)

// Call runs one command given as arguments on node (a *fastredis.Client)
// and returns its reply, RESP-encoded (appended to dst), or the transport
// error. A server error is a RESP error in the reply. With asking, ASKING
// goes just before it, as for Command.Run. The fan-out and split paths use
// it. Set by fastredis.
var Call func(ctx context.Context, node any, dst []byte, argv [][]byte, asking bool) ([]byte, error)

// Batch is a pipeline of a routed client, in flight: commands indexed from
// 0, each with a result of its own. fastredis implements it; it is valid
// until BatchRouter.RouteBatch returns.
type Batch interface {
	Len() int
	// Skip reports whether command i is not to be sent (it failed while
	// being queued; its result holds why).
	Skip(i int) bool
	// Argv appends command i's arguments to dst, as views.
	Argv(i int, dst [][]byte) [][]byte
	// Run sends the commands idx, in order, as one batch on node (a
	// *fastredis.Client), ASKING before those whose asking is true, and
	// waits for their replies, which go to their results. It returns how
	// many of the commands got a reply, and the transport error. Runs on
	// different nodes may go on concurrently; a command is in one Run at a
	// time.
	Run(ctx context.Context, node any, idx []int, asking []bool) (answered int, err error)
	// ServerError is the error reply command i got in its last Run, or nil.
	ServerError(i int) error
	// Deliver hands command i a reply the router composed (RESP-encoded).
	Deliver(i int, reply []byte) error
	// Fail gives command i err as its result.
	Fail(i int, err error)
}

// BatchRouter runs the pipelines of a routed client.
type BatchRouter interface {
	RouteBatch(ctx context.Context, b Batch) error
}

// Tx is a transaction of a routed client (MULTI, its commands, EXEC), in
// flight, whose keys are all in one slot. fastredis implements it.
type Tx interface {
	// Run writes the whole transaction on node as one batch (ASKING first,
	// with asking: it holds until EXEC) and waits for its replies, which go
	// to the commands' results. answered reports whether any reply came.
	Run(ctx context.Context, node any, asking bool) (answered bool, err error)
	// Redirection is the MOVED, ASK, TRYAGAIN or CLUSTERDOWN error a command
	// got while being queued (EXEC then aborted), or nil.
	Redirection() error
}

// TxRouter runs the transactions of a routed client.
type TxRouter interface {
	RouteTx(ctx context.Context, slot int, keyed bool, tx Tx) error
}

// WatchRouter lends WATCH a node: the master of the watched keys' slot.
type WatchRouter interface {
	// WatchNode returns the node (a *fastredis.Client) serving slot.
	WatchNode(ctx context.Context, slot int) (any, error)
	// Redirected reports whether err (WATCH's) is a redirection the
	// router has acted on, so WATCH may be tried again.
	Redirected(err error) bool
}

// ShardRouter places the shard channels of a routed client's subscribers
// (SSubscribe). fastredis keeps the registry (which channels the user
// wants, where each is subscribed) and one subscriber connection per node;
// the router says which node serves a slot's channels now. A Router that
// implements it makes Client.SSubscribe work across slots.
type ShardRouter interface {
	// ShardNode returns the node (a plain *fastredis.Client) of the master
	// that serves slot, and its address. With refresh, the router reads the
	// topology again first (as often as its refresh limits allow).
	ShardNode(ctx context.Context, slot int, refresh bool) (addr string, node any, err error)
	// Resubscribed reports that channels, subscribed before, were
	// subscribed again on the node at addr, and why (an event for users).
	Resubscribed(addr string, channels []string, reason string)
}

// ShareHooks returns opts (a fastredis.Options) carrying the hooks of from
// (a *fastredis.Client): a client made from them shares the hook registry,
// so hooks added to either later reach both. The cluster package uses it
// for its node clients, the sentinel package for its sentinel connections.
// Set by fastredis.
var ShareHooks func(from any, opts any) any

// EmitEvent hands ev (a fastredis.HookEvent) to the event hooks of client
// (a *fastredis.Client). Set by fastredis.
var EmitEvent func(client any, ev any)

// NewHooks returns opts (a fastredis.Options) carrying a hook registry
// made from its Hooks, which ShareHooks and EmitEvent accept as from and
// client: for a client kind that needs its clients to share hooks before
// the first exists. Set by fastredis.
var NewHooks func(opts any) any
