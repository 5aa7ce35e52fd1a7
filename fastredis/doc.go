// Package fastredis is a Redis client for one server: every command typed,
// automatic pipelining of concurrent callers over a few shared connections,
// and no allocations on the hot path.
//
// The examples run against a real server: each shows one part of the API,
// with the output it prints.
//
// # Connecting
//
// NewClient connects with Options; ParseURL turns a redis://, rediss:// or
// unix:// URL into Options. A Client is safe for any number of goroutines:
// their commands share Options.PoolSize pipelined connections (default 1),
// leaving in batches and completing in order, so there is no pool to size
// for concurrency. Close the client when done. The examples of NewClient
// and ParseURL show both.
//
//	client, err := fastredis.NewClient(fastredis.Options{Addr: "localhost:6379"})
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//	err = client.Set(ctx, "greeting", "hello")
//	v, err := client.Get(ctx, "greeting")
//
// Three hooks, which a URL cannot carry, shape every new connection:
// Options.CredentialsProvider (user and password asked at each handshake,
// for rotating passwords and tokens), Options.Dialer (the net.Conn, from a
// proxy or a tunnel) and Options.OnConnect (commands on the connection
// before it serves callers, through a Conn).
//
// # Commands
//
// Every Redis command and subcommand has a typed method, generated from the
// Redis command specs: required arguments are parameters, optional ones an
// options struct given last (left out for none; a pointer, nil for none,
// where a list of values comes last), and results Go values. Values are
// `any` (string, []byte, numbers, bool; no allocation), durations are
// time.Duration and Unix times time.Time, sent in the unit the command
// takes (example: Client.Set). Client.Do runs any
// command by name, flattening maps and slices, and returns a Reply. A reused
// Cmd, run with Client.Exec, runs any command without allocating; its reply
// is a resp.Value view (examples: Client.Do, Client.Exec).
//
// Commands that change the state of the connection they run on (MULTI,
// WATCH, SUBSCRIBE, MONITOR, HELLO, ...) have APIs of their own and are
// refused on the shared connections. Blocking commands (BLPOP, XREAD BLOCK,
// WAIT, ...) run on dedicated connections, so they never hold up other
// callers (example: Client.BLPop).
//
// Cmdable is an interface of every typed command method, generated with
// them; UniversalClient adds the rest of a client (Do, pipelines, Watch,
// Subscribe, scripts, iterators, Close). Client satisfies both, Tx
// satisfies Cmdable, and the cluster and sentinel clients will satisfy
// both: code written against them moves from one server to a cluster by
// changing the constructor, NewUniversalClient (example: Cmdable, with a
// fake for tests).
//
// # Pipelines and transactions
//
// Client.Pipeline queues commands and runs them in one round trip with
// Pipeline.Exec. Each queued command returns a Future that holds its own
// result or error; Exec returns an error only when the batch as a whole
// could not run. Client.TxPipeline runs its commands as one MULTI/EXEC
// transaction; Client.Watch and Client.WatchRetry lend a connection for
// optimistic locking with WATCH (examples: Client.Pipeline,
// Client.TxPipeline, Client.WatchRetry).
//
// # Scripts
//
// NewScript defines a Lua script once; Client.RunScript and its typed forms
// call it with EVALSHA, falling back to EVAL when the server does not have it
// (example: NewScript). Redis functions are typed commands (FCall, FCallRO).
//
// # Pub/sub, MONITOR and scanning
//
// Client.Subscribe, PSubscribe and SSubscribe return a PubSub whose Messages
// channel delivers messages, resubscribing after a reconnect
// (example: Client.Subscribe). Client.Monitor streams MONITOR events
// (example: Client.Monitor). ScanIter, HScanIter, SScanIter and ZScanIter
// walk the SCAN family as iterators (example: Client.ScanIter).
//
// # Errors
//
// A server error is an *Error with the reply's Prefix (ERR, WRONGTYPE,
// WRONGPASS, ...), Message and Command; a null reply is Nil, tested with
// errors.Is. A lost connection matches netpoll.ErrConnLost; a context that
// ends returns its error at once, and the late reply can never reach another
// caller. Transactions report *ExecAbortError, ErrTxFailed and
// *TxUnknownError. No error contains a password (example: Error).
//
// # Reconnecting
//
// Each shared connection is watched. When one is lost, the client reconnects
// in the background as Options.RetryStrategy says, runs the handshake again
// (authentication, protocol, name, database) and reports each step to
// Options.OnEvent and Options.Logger; when the strategy gives up, the client
// ends and its commands fail with ErrEnded. Commands issued while no
// connection is ready wait in a bounded offline queue (or fail at once with
// ErrNotReady under Options.DisableOfflineQueue); a command waits through at
// most Options.MaxRetriesPerRequest reconnect attempts.
//
// A command whose reply was still owed when its connection dropped is sent
// again on the new connection, unless Options.DisableResend is set. The
// server may have run it before the connection dropped, with the reply lost
// on the way: it then runs twice. That is harmless for reads and idempotent
// writes, not for INCR, LPUSH or XADD with an automatic ID. A command never
// written is sent once. A pipeline or a transaction is resent, whole, only
// when none of its replies had arrived; a pipeline cut off midway fails the
// commands whose replies did not arrive (example: Options, lifecycle).
//
// # Hooks and stats
//
// Hooks (Options.Hooks, Client.AddHook) wrap every dial, command and
// pipeline in go-redis's shape, and an EventHook receives the events of
// every client kind as HookEvents: see Hook. With no hook a command pays one
// atomic load; a hook that keeps nothing allocates nothing. Client.Stats
// reports the connections by state, requests in flight, the offline queue,
// dedicated connections, reconnects, timeouts and bytes moved, from atomic
// counters (example: Client.AddHook, Client.Stats).
//
// # Client-side caching
//
// Options.Cache turns RESP3 tracking on for every shared connection and
// keeps the replies of the cached reads (CachedGet, CachedGetAppend,
// CachedMGet, CachedHGet, CachedHGetAll, CachedSMembers, DoCached) in one
// cache for the client, with a byte budget, until the server invalidates
// their keys. A read invalidated in flight is not kept, a lost connection
// drops what it read, FLUSHALL empties the cache, and the client's own
// writes drop their keys before they return (example: Client.CachedGet).
//
// # Key prefix
//
// Options.KeyPrefix is put before every key: exactly the arguments the
// command specs call keys, plus SORT's BY and GET patterns and script KEYS,
// never KEYS or SCAN patterns or pub/sub channels. Under a prefix, Do refuses
// a command the specs do not know rather than send it unprefixed.
//
// The client builds on two packages of this module: netpoll (pipelined
// connections) and resp (the wire format). redistest starts real servers for
// tests.
package fastredis
