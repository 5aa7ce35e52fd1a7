package fastredisotel

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// maxCached bounds each cache of attributes below: addresses, databases
// and command names are few in practice, but Do takes any name.
const maxCached = 4096

// boundedCache holds values computed once per key, for lookups on every
// command: a read lock to find one, a write lock to add one. Past
// maxCached keys a value is computed each time and not kept.
type boundedCache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

// get returns k's value, computing it with compute the first time.
func (c *boundedCache[K, V]) get(k K, compute func(K) V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = compute(k)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[K]V)
	}
	if len(c.m) < maxCached {
		c.m[k] = v
	}
	c.mu.Unlock()
	return v
}

// opKey is what the attributes of an operation depend on: its name, its
// server's address and its database.
type opKey struct {
	op, addr string
	db       int
}

// serverCache maps a server address to its server.address and
// server.port attributes, parsed once.
type serverCache struct {
	c boundedCache[string, []attribute.KeyValue]
}

// get returns the attributes of addr: server.address and server.port for
// "host:port", server.address alone for a unix socket path, none for "".
func (c *serverCache) get(addr string) []attribute.KeyValue {
	if addr == "" {
		return nil
	}
	return c.c.get(addr, serverAttrs)
}

func serverAttrs(addr string) []attribute.KeyValue {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(addr)} // a unix socket
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(host)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(p)}
}

// namespaces holds db.namespace for the usual database indexes.
var namespaces = func() (kv [16]attribute.KeyValue) {
	for i := range kv {
		kv[i] = semconv.DBNamespace(strconv.Itoa(i))
	}
	return kv
}()

// namespace returns db.namespace for database db: its index as a string.
func namespace(db int) attribute.KeyValue {
	if db >= 0 && db < len(namespaces) {
		return namespaces[db]
	}
	return semconv.DBNamespace(strconv.Itoa(db))
}

// isError reports whether err fails the operation: a null reply (Nil) does
// not.
func isError(err error) bool {
	return err != nil && !errors.Is(err, fastredis.Nil)
}

// knownErrors names the errors of fastredis and netpoll for error.type,
// which wants low cardinality: their Go type (*errors.errorString) says
// nothing.
var knownErrors = []struct {
	err  error
	name string
}{
	{context.DeadlineExceeded, "timeout"},
	{netpoll.ErrSocketTimeout, "timeout"},
	{context.Canceled, "canceled"},
	{fastredis.ErrClosed, "closed"},
	{netpoll.ErrClosed, "closed"},
	{fastredis.ErrEnded, "ended"},
	{fastredis.ErrMaxRetries, "max_retries"},
	{fastredis.ErrNotReady, "not_ready"},
	{fastredis.ErrOfflineQueueFull, "offline_queue_full"},
	{fastredis.ErrTxFailed, "tx_failed"},
	{fastredis.ErrInvalidArgument, "invalid_argument"},
	{fastredis.ErrCrossSlotTx, "cross_slot"},
	{netpoll.ErrConnLost, "connection_lost"},
	{netpoll.ErrUnexpectedReply, "unexpected_reply"},
	{netpoll.ErrBadReply, "protocol_error"},
}

// errorAttrs returns error.type for err, and db.response.status_code too
// for a server error reply: its prefix ("ERR", "WRONGTYPE"), which is also
// its error.type, as the semantic conventions for Redis say.
func errorAttrs(err error) (errType attribute.KeyValue, status attribute.KeyValue, isStatus bool) {
	var se *fastredis.Error
	if errors.As(err, &se) && se.Prefix != "" {
		return semconv.ErrorTypeKey.String(se.Prefix), semconv.DBResponseStatusCode(se.Prefix), true
	}
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		return semconv.ErrorTypeKey.String("protocol_error"), attribute.KeyValue{}, false
	}
	var te *fastredis.TxUnknownError
	if errors.As(err, &te) {
		return semconv.ErrorTypeKey.String("tx_unknown"), attribute.KeyValue{}, false
	}
	for _, k := range knownErrors {
		if errors.Is(err, k.err) {
			return semconv.ErrorTypeKey.String(k.name), attribute.KeyValue{}, false
		}
	}
	return semconv.ErrorType(err), attribute.KeyValue{}, false
}
