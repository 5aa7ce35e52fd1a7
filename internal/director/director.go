// Package director is the seam through which a client that decides where
// to connect (sentinel) steers a fastredis.Client: the address of every
// (re)dial, a check of each new connection's role, and, around a failover,
// holding new commands, draining what was sent, and moving every
// connection at once. fastredis keeps doing everything else: reconnects,
// the offline queue, resends, pub/sub, transactions. Users never see this
// package; fastredis sets its functions when it is initialised.
package director

import (
	"context"
	"time"
)

// Director decides where a client's connections go.
type Director interface {
	// Addr returns the address ("host:port") the next connection dials.
	Addr(ctx context.Context) (string, error)
	// Check is called after a connection's handshake with the role the
	// server reports (ROLE: "master", "slave", "sentinel"); an error drops
	// the connection, and the dial counts as failed.
	Check(ctx context.Context, addr, role string) error
}

// NewClient returns a *fastredis.Client (as any) whose connections go where
// d says, from a fastredis.Options (its Addr names the target in events).
var NewClient func(opts any, d Director) (any, error)

// Hold makes new commands of client wait, as in the offline queue, until
// Release or Switch; commands already sent complete normally.
var Hold func(client any)

// Release ends a Hold.
var Release func(client any)

// Switch moves every connection of client: with replicas > 0, it first
// sends WAIT replicas timeout on each shared connection, after everything
// sent on it (so what the old server acknowledged has reached that many
// replicas, or timeout passed); then it closes every connection, shared and
// dedicated, so they redial (through the Director), wakes reconnects that
// wait out a backoff, and ends any Hold. It returns the smallest count WAIT
// reported (-1 without WAIT, or when no connection was ready).
var Switch func(ctx context.Context, client any, replicas int, timeout time.Duration) (int, error)

// Drain sends WAIT replicas timeout on each shared connection of client,
// after everything sent on it, and returns the smallest count WAIT reported
// (-1 when no connection was ready): what the server acknowledged has then
// reached that many replicas. Commands held by Hold stay held.
var Drain func(ctx context.Context, client any, replicas int, timeout time.Duration) (int, error)

// Redial wakes the reconnect loops of client that wait out a backoff, so
// they dial now (the Director has a new address).
var Redial func(client any)

// NewSentinel makes a sentinel client (a fastredis.UniversalClient) for
// fastredis.NewUniversalClient, from the master name, the sentinels and
// the data nodes' fastredis.Options. Set by the sentinel package when it is
// linked in, so fastredis does not import it.
var NewSentinel func(masterName string, sentinels []string, nodeOptions any) (any, error)
