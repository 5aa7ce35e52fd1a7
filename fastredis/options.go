package fastredis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// Defaults for Options fields left zero.
const (
	DefaultAddr                 = "localhost:6379"
	DefaultDialTimeout          = 5 * time.Second
	DefaultPoolSize             = 1
	DefaultMaxLoadingWait       = 60 * time.Second
	DefaultMaxDedicatedConns    = 10
	DefaultMaxRetriesPerRequest = 20
	DefaultMaxOfflineCommands   = 10_000
	DefaultMaxOfflineBytes      = 64 << 20

	// NoRetries, as MaxRetriesPerRequest, fails a command at the first
	// disconnect; UnlimitedRetries makes it wait however long it takes.
	NoRetries        = -1
	UnlimitedRetries = math.MaxInt
)

// Options configures a Client. The zero value connects to localhost:6379 over
// RESP3 (falling back to RESP2 on servers that lack HELLO).
type Options struct {
	// Network is "tcp" or "unix". Empty means "unix" when Addr starts with
	// "/" and "tcp" otherwise.
	Network string
	// Addr is host:port ([v6addr]:port for IPv6), or a unix socket path.
	// Default DefaultAddr.
	Addr string

	// Username and Password authenticate (AUTH, or HELLO ... AUTH). An empty
	// Username with a Password authenticates the default user. Neither ever
	// appears in an error or a log line.
	Username string
	Password string
	// CredentialsProvider, when set, is called for the user name and
	// password at every handshake: the first connection, every reconnect,
	// and every dedicated, subscriber and MONITOR connection. Rotated
	// passwords and short-lived tokens then work without a new client. It
	// overrides Username and Password (an empty username means the default
	// user; an empty password, no AUTH). Its error fails that connection
	// attempt with a *HandshakeError (Step "CredentialsProvider") wrapping
	// it; a reconnect loop keeps trying as after any failed dial. It runs
	// within DialTimeout, may be called concurrently, and must not call the
	// client.
	CredentialsProvider func(ctx context.Context) (username, password string, err error)
	// DB is the database selected on every connection. Default 0.
	DB int
	// ClientName is set with CLIENT SETNAME on every connection.
	ClientName string
	// Protocol is 3 (RESP3, the default; RESP2 is used when the server does
	// not know HELLO) or 2.
	Protocol int
	// DisableIdentity skips CLIENT SETINFO lib-name and lib-ver.
	DisableIdentity bool

	// Dialer, when set, opens every connection instead of a net.Dialer
	// (a proxy, a tunnel, a custom socket): it gets the dial context, with
	// DialTimeout applied, and the network and address of Network and Addr
	// (or of the node a cluster or sentinel client picked). TLSConfig, when
	// set, still wraps what it returns, and KeepAlive is its business. The
	// gnet transport takes over the descriptor of a *net.TCPConn or
	// *net.UnixConn; any other net.Conn (a wrapper) is read and written
	// through its own methods by the net.Conn transport, unless Transport
	// is TransportGnet, which is then an error. A nil net.Conn with a nil
	// error fails the attempt (netpoll.ErrNilConn).
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// OnConnect, when set, runs on every new connection that serves
	// commands (the shared ones, each reconnect, the dedicated connections
	// of Watch and blocking commands) after the handshake and before any
	// caller's command: CLIENT NO-EVICT, CLIENT SETINFO, a SET or a script
	// load. Commands run through cn go to that connection alone, are never
	// queued behind callers' and never sent again. An error closes the
	// connection and fails that attempt (wrapped in an *OnConnectError); a
	// reconnect loop keeps trying. Subscriber and MONITOR connections do
	// not run it. It runs within DialTimeout; cn is valid only during the
	// call.
	OnConnect func(ctx context.Context, cn *Conn) error

	// DialTimeout bounds connecting and the handshake. Default
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// SocketTimeout, when positive, drops a shared connection on which
	// replies have been owed that long with no byte arriving (a hung server,
	// a silently dead network): it reconnects, and its commands are resent
	// as after any disconnect. Keep it above your slowest command. It does
	// not apply to blocking commands, subscribers or MONITOR.
	SocketTimeout time.Duration
	// BlockingTimeout, when positive, bounds how long a blocking command
	// (BLPOP, XREAD BLOCK, ...) whose context has no deadline waits for its
	// reply; keep it above the commands' own timeouts. Default: no bound
	// besides the context.
	BlockingTimeout time.Duration
	// ReadTimeout bounds each command that is called with a context without
	// a deadline. Zero means no timeout; the context still applies.
	ReadTimeout time.Duration
	// KeepAlive is the TCP keepalive period; negative disables it.
	KeepAlive time.Duration
	// MaxLoadingWait bounds how long connecting waits while the server is
	// loading its dataset. Default DefaultMaxLoadingWait.
	MaxLoadingWait time.Duration

	// TLSConfig enables TLS (rediss://).
	TLSConfig *tls.Config
	// KeyPrefix is prepended to every key of every command, where the
	// command specifications say an argument is a key.
	KeyPrefix string
	// PoolSize is how many pipelined connections the client keeps to the
	// server; commands spread over them. One connection pipelines any number
	// of concurrent callers, so a few are plenty. Default DefaultPoolSize.
	PoolSize int
	// Transport selects how connections move bytes (see netpoll).
	Transport netpoll.Transport
	// SpinWait is the most a lone caller, reading its own reply on an
	// otherwise idle connection (the net.Conn transport's direct reads),
	// polls the socket before it sleeps: on a near server that saves the
	// thread's wake-up, most of a serial round trip. The budget adapts to
	// how fast replies come, so a far server or a slow command soon stops
	// the polling. Negative disables it; it is off with GOMAXPROCS 1.
	// Default netpoll.DefaultSpinWait (200µs).
	SpinWait time.Duration
	// MaxPending bounds the commands awaiting replies per connection.
	MaxPending int
	// MaxDedicatedConns bounds the connections the client opens besides its
	// shared ones, for work that must hold a connection to itself (Watch,
	// blocking commands). A caller that finds them all in use waits for one,
	// as long as its context allows. Default DefaultMaxDedicatedConns.
	MaxDedicatedConns int

	// Connection lifecycle (see Reconnecting in the package documentation).

	// RetryStrategy says how long to wait before reconnect attempt n (1, 2,
	// ...) after a connection is lost, or, returning a negative duration,
	// that the client gives up: it ends, and its commands fail with
	// ErrEnded. Default DefaultRetryStrategy.
	RetryStrategy func(attempt int) time.Duration
	// MaxRetriesPerRequest is how many reconnect attempts a command waits
	// through (while queued offline, or to be resent) before it fails with
	// an error matching ErrMaxRetries. 0 means DefaultMaxRetriesPerRequest;
	// NoRetries fails a command at the first disconnect; UnlimitedRetries
	// never gives up.
	MaxRetriesPerRequest int
	// DisableResend makes commands whose replies were owed when their
	// connection dropped fail with the connection's error, instead of
	// being sent again after the reconnect (see Reconnecting in the package
	// documentation for when a command can run twice).
	DisableResend bool
	// ReconnectOnError decides, for an error reply, whether to reconnect
	// (READONLY after a failover, say) and whether to resend the command.
	// It applies to single commands (typed methods, Do, Cmd), not to the
	// many replies of a pipeline. Nil: never.
	ReconnectOnError func(err *Error) ReconnectAction
	// DisableOfflineQueue makes commands issued while no connection is
	// ready fail at once with ErrNotReady, instead of waiting for one.
	DisableOfflineQueue bool
	// MaxOfflineCommands and MaxOfflineBytes bound the commands waiting
	// for a connection (per connection of the pool); past either, a command
	// fails with ErrOfflineQueueFull. Defaults DefaultMaxOfflineCommands and
	// DefaultMaxOfflineBytes.
	MaxOfflineCommands int
	MaxOfflineBytes    int
	// LazyConnect makes NewClient return without connecting: the first
	// command connects.
	LazyConnect bool
	// OnEvent receives the client's connection events (see Event). It is
	// called synchronously from the goroutine where the event happens
	// (several may call it at once), so it must be quick, safe for
	// concurrent use, and must not call the client.
	OnEvent func(Event)
	// Logger receives the same events as log records. Nil: silent.
	Logger *slog.Logger

	// Cache, when set, turns on client-side caching with RESP3 tracking
	// for the cached reads (CachedGet, DoCached, ...): see CacheOptions and
	// "Client-side caching" in the README. It needs Protocol 3.
	Cache *CacheOptions

	// Hooks wrap dialing, commands and pipelines, and receive events (see
	// Hook); the first is the outermost. Client.AddHook adds more later.
	Hooks []Hook

	// hooks is the registry a client made from these options shares with
	// the clients it makes (a cluster's node clients, set through
	// route.ShareHooks); nil in the options a user writes.
	hooks *hookRegistry
}

// validate checks o and fills in defaults. Its errors never mention the
// password.
func (o *Options) validate() error {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Network == "" {
		o.Network = "tcp"
		if strings.HasPrefix(o.Addr, "/") {
			o.Network = "unix"
		}
	}
	switch o.Network {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return fmt.Errorf("fastredis: unknown network %q (want tcp or unix)", o.Network)
	}
	if o.Protocol == 0 {
		o.Protocol = 3
	}
	var errs []error
	if o.Protocol != 2 && o.Protocol != 3 {
		errs = append(errs, fmt.Errorf("protocol %d (want 2 or 3)", o.Protocol))
	}
	if o.MaxRetriesPerRequest < NoRetries {
		errs = append(errs, fmt.Errorf("MaxRetriesPerRequest %d (want NoRetries, 0 for the default, or more)", o.MaxRetriesPerRequest))
	}
	if o.DB < 0 {
		errs = append(errs, fmt.Errorf("db %d is negative", o.DB))
	}
	if o.DialTimeout < 0 || o.ReadTimeout < 0 || o.MaxLoadingWait < 0 || o.SocketTimeout < 0 || o.BlockingTimeout < 0 {
		errs = append(errs, errors.New("negative timeout"))
	}
	if o.PoolSize < 0 || o.MaxPending < 0 || o.MaxDedicatedConns < 0 || o.MaxOfflineCommands < 0 || o.MaxOfflineBytes < 0 {
		errs = append(errs, errors.New("negative pool size or pending limit"))
	}
	if o.Cache != nil {
		co := *o.Cache // the caller's stays as it is
		if err := co.validate(o.Protocol); err != nil {
			errs = append(errs, err)
		}
		co.Prefixes = append([]string(nil), co.Prefixes...)
		o.Cache = &co
	}
	if strings.ContainsAny(o.ClientName, " \r\n") {
		errs = append(errs, fmt.Errorf("client name %q contains a space or line break", o.ClientName))
	}
	if len(errs) > 0 {
		return fmt.Errorf("fastredis: invalid options: %w", errors.Join(errs...))
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.MaxLoadingWait == 0 {
		o.MaxLoadingWait = DefaultMaxLoadingWait
	}
	if o.PoolSize == 0 {
		o.PoolSize = DefaultPoolSize
	}
	if o.MaxDedicatedConns == 0 {
		o.MaxDedicatedConns = DefaultMaxDedicatedConns
	}
	if o.RetryStrategy == nil {
		o.RetryStrategy = DefaultRetryStrategy
	}
	if o.MaxRetriesPerRequest == 0 {
		o.MaxRetriesPerRequest = DefaultMaxRetriesPerRequest
	}
	if o.MaxOfflineCommands == 0 {
		o.MaxOfflineCommands = DefaultMaxOfflineCommands
	}
	if o.MaxOfflineBytes == 0 {
		o.MaxOfflineBytes = DefaultMaxOfflineBytes
	}
	return nil
}
