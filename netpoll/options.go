package netpoll

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// Transport selects how a Conn moves bytes.
type Transport int

const (
	// TransportAuto is the net.Conn transport: on this kind of machine it
	// is faster than the event loops at every concurrency measured (see
	// the README's "How fast").
	TransportAuto Transport = iota
	// TransportGnet uses the process-wide gnet event loops. It cannot do
	// TLS. It costs no goroutine per connection: for thousands of mostly
	// idle connections.
	TransportGnet
	// TransportNetConn uses a net.Conn with a reader and a writer
	// goroutine, and lets a caller that finds the connection idle read its
	// own reply (direct reads).
	TransportNetConn
)

func (t Transport) String() string {
	switch t {
	case TransportAuto:
		return "auto"
	case TransportGnet:
		return "gnet"
	case TransportNetConn:
		return "netconn"
	}
	return "invalid"
}

// Defaults for Options fields left zero.
const (
	DefaultDialTimeout     = 5 * time.Second
	DefaultKeepAlive       = 15 * time.Second
	DefaultMaxPending      = 8192
	DefaultMaxPendingBytes = 64 << 20
)

// Options configures a Conn. The zero value is usable.
type Options struct {
	// Transport picks the transport; TransportAuto by default.
	Transport Transport
	// TLS, when set, wraps the connection in TLS (and so selects the
	// net.Conn transport).
	TLS *tls.Config
	// Dialer, when set, opens the connection instead of a net.Dialer: a
	// proxy, an SSH tunnel, a custom socket setup, a test that counts dials.
	// It gets the dial context (DialTimeout applies) and must honour it.
	// KeepAlive is then the Dialer's business. TLS, when set, wraps what it
	// returns. The gnet transport needs the *net.TCPConn or *net.UnixConn
	// itself (it takes over the descriptor): with TransportAuto any other
	// net.Conn uses the net.Conn transport, with TransportGnet it is an
	// error. A nil net.Conn with a nil error is an error.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// DialTimeout bounds connecting (and the TLS handshake); the dial
	// context's deadline applies too. Default DefaultDialTimeout.
	DialTimeout time.Duration
	// KeepAlive is the TCP keepalive period; negative disables it. Default
	// DefaultKeepAlive. TCP_NODELAY is always on.
	KeepAlive time.Duration
	// MaxPending bounds the requests awaiting replies. A caller past it waits
	// (its context still applies). Default DefaultMaxPending. The queue
	// holding them starts small and grows to this bound only while that many
	// are in flight (see queue).
	MaxPending int
	// MaxPendingBytes bounds the encoded bytes not yet written. A caller past
	// it waits; a single request larger than the bound is still accepted
	// when nothing else is pending. Default DefaultMaxPendingBytes.
	MaxPendingBytes int
	// NoDirectReads keeps the net.Conn transport's reader goroutine reading
	// at all times, rather than letting a caller that finds the
	// connection idle read its own reply (see direct.go). For comparing
	// the two; there is no other reason to set it.
	NoDirectReads bool
	// SpinWait is the most a caller reading its own reply (direct reads)
	// polls the socket before it sleeps in the Go poller; the budget
	// adapts to how fast replies come (spin.go). Negative disables
	// polling; it is off anyway with GOMAXPROCS 1. Default DefaultSpinWait.
	SpinWait time.Duration
	// MaxBulkLen, MaxAggregateLen and MaxDepth bound what the server may
	// send (see resp.Reader). Zero means resp's defaults. A reply past a
	// bound closes the connection with an error wrapping a resp error.
	MaxBulkLen      int64
	MaxAggregateLen int64
	MaxDepth        int
	// OnPush receives RESP3 push messages (pub/sub messages, client-side
	// caching invalidations), which answer no request. v is valid only
	// during the call, which runs on the reading goroutine and must not
	// block. Without OnPush, push messages are dropped.
	OnPush func(v resp.Value)
	// Intercept, when set, sees every reply that is not a push before it is
	// matched to a request; returning true consumes it. It is for
	// connections whose server sends replies no request asked for: RESP2
	// subscriber mode, MONITOR. Same rules as OnPush.
	Intercept func(v resp.Value) bool
	// SocketTimeout, when positive, closes the connection (cause
	// ErrSocketTimeout) once replies have been owed for that long without a
	// byte arriving: a server that hangs, or a network that silently drops
	// the connection. Leave it 0 on connections that legitimately wait
	// (blocking commands, subscribers).
	SocketTimeout time.Duration
	// Counters, when set, receives the bytes this connection reads and
	// writes: one atomic add per read from the socket and per batch
	// written, never per request. Several connections may share one.
	Counters *Counters
}

// Counters counts the bytes moved by the connections that share it.
type Counters struct {
	Read    atomic.Int64 // bytes read from the socket
	Written atomic.Int64 // bytes handed to the socket
}

func (o *Options) withDefaults() (Options, error) {
	opts := *o
	switch {
	case opts.Transport < TransportAuto || opts.Transport > TransportNetConn:
		return opts, errors.New("netpoll: unknown transport")
	case opts.Transport == TransportGnet && opts.TLS != nil:
		return opts, errors.New("netpoll: the gnet transport cannot do TLS; use TransportNetConn or TransportAuto")
	case opts.DialTimeout < 0, opts.MaxPending < 0, opts.MaxPendingBytes < 0,
		opts.MaxBulkLen < 0, opts.MaxAggregateLen < 0, opts.MaxDepth < 0:
		return opts, errors.New("netpoll: negative limit in Options")
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.KeepAlive == 0 {
		opts.KeepAlive = DefaultKeepAlive
	}
	if opts.MaxPending == 0 {
		opts.MaxPending = DefaultMaxPending
	}
	if opts.MaxPendingBytes == 0 {
		opts.MaxPendingBytes = DefaultMaxPendingBytes
	}
	if opts.SpinWait == 0 {
		opts.SpinWait = DefaultSpinWait
	}
	if opts.Transport == TransportAuto {
		opts.Transport = TransportNetConn
	}
	return opts, nil
}
