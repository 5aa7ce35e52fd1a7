package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Client-side caching keeps the replies of read commands in the client and
// serves them again without a round trip, for as long as the server has not
// said that their keys changed. The server says so with RESP3 invalidation
// pushes (CLIENT TRACKING), which every shared connection of a caching
// client turns on in its handshake. The cache is one for the client,
// whatever its PoolSize, with one byte budget.
//
// What keeps it correct:
//
//   - a read in flight (sent, reply not yet stored) whose key is
//     invalidated meanwhile is not stored: every key carries a generation,
//     bumped by each invalidation, and a read stores its value only if the
//     generations it saw before it was written to the socket are unchanged;
//   - what was read through a connection is dropped when that connection
//     is lost (the server forgets its tracking with it, so invalidations
//     for it would never come);
//   - a null invalidation (FLUSHALL, FLUSHDB) empties the cache;
//   - a command of this client that is not read-only drops the keys it
//     names before it returns (read-your-writes), through any path;
//   - an entry lives at most its TTL, the key's TTL on the server, and
//     CacheOptions.MaxTTL.

// CacheMode says which reads the server tracks for the cache.
type CacheMode uint8

const (
	// CacheOptIn tracks only the reads the cached methods make (CLIENT
	// TRACKING ON OPTIN, and CLIENT CACHING YES before each of them): the
	// server remembers only the keys the cache holds.
	CacheOptIn CacheMode = iota
	// CacheBroadcast has the server announce every change of a key that
	// starts with one of CacheOptions.Prefixes (CLIENT TRACKING ON BCAST),
	// whoever read it: no per-key memory on the server, more invalidation
	// traffic on the client.
	CacheBroadcast
)

// DefaultCacheMaxBytes is the byte budget of a cache whose MaxBytes is 0.
const DefaultCacheMaxBytes = 64 << 20

// DefaultCacheTTL is the client-side TTL of a cached read given ttl 0 with
// no CacheOptions.DefaultTTL.
const DefaultCacheTTL = time.Minute

// CacheOptions turns on client-side caching (Options.Cache). It needs RESP3
// (Protocol 3, the default).
type CacheOptions struct {
	// MaxBytes bounds the memory of the cache: keys, values and a fixed
	// overhead per entry. The least recently used entries go first.
	// Default DefaultCacheMaxBytes.
	MaxBytes int64
	// Mode is CacheOptIn (the default) or CacheBroadcast.
	Mode CacheMode
	// Prefixes are the key prefixes CacheBroadcast tracks (with the
	// client's KeyPrefix in front); none means every key. Only for
	// CacheBroadcast.
	Prefixes []string
	// DefaultTTL is the client-side TTL of a cached read called with ttl
	// 0. Default DefaultCacheTTL.
	DefaultTTL time.Duration
	// MaxTTL, when positive, bounds every client-side TTL.
	MaxTTL time.Duration
}

// validate checks o and fills in defaults.
func (o *CacheOptions) validate(protocol int) error {
	var errs []error
	if protocol == 2 {
		errs = append(errs, errors.New("Cache needs RESP3 (Protocol 3): the server sends invalidations as RESP3 pushes"))
	}
	if o.MaxBytes < 0 || o.DefaultTTL < 0 || o.MaxTTL < 0 {
		errs = append(errs, errors.New("Cache: negative MaxBytes, DefaultTTL or MaxTTL"))
	}
	switch o.Mode {
	case CacheOptIn:
		if len(o.Prefixes) > 0 {
			errs = append(errs, errors.New("Cache: Prefixes need Mode CacheBroadcast"))
		}
	case CacheBroadcast:
	default:
		errs = append(errs, fmt.Errorf("Cache: unknown Mode %d", o.Mode))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultCacheMaxBytes
	}
	if o.DefaultTTL == 0 {
		o.DefaultTTL = DefaultCacheTTL
	}
	return nil
}

// trackingArgs returns the CLIENT TRACKING command a connection sends.
func (o *CacheOptions) trackingArgs(keyPrefix string) []any {
	args := []any{"CLIENT", "TRACKING", "ON"}
	if o.Mode == CacheOptIn {
		return append(args, "OPTIN")
	}
	args = append(args, "BCAST")
	for _, p := range o.Prefixes {
		args = append(args, "PREFIX", keyPrefix+p)
	}
	if len(o.Prefixes) == 0 && keyPrefix != "" {
		args = append(args, "PREFIX", keyPrefix)
	}
	return args
}

// CacheStats are counters of a client's cache (Client.CacheStats).
type CacheStats struct {
	Hits          int64 // reads served from the cache
	Misses        int64 // reads sent to the server
	Evictions     int64 // entries dropped to stay within MaxBytes
	Invalidations int64 // entries dropped because their key changed, or their connection was lost
	Discarded     int64 // reads not kept: their key changed, or their connection was lost, while they were in flight
	Entries       int64 // entries held now
	Bytes         int64 // their size, as counted against MaxBytes
}

// CacheStats returns the counters of the client's cache; all zero without
// Options.Cache.
func (c *Client) CacheStats() CacheStats {
	cc := c.cache
	if cc == nil {
		return CacheStats{}
	}
	cc.mu.Lock()
	n, b := cc.entries, cc.bytes
	cc.mu.Unlock()
	return CacheStats{
		Hits: cc.hits.Load(), Misses: cc.misses.Load(), Evictions: cc.evictions.Load(),
		Invalidations: cc.invalidations.Load(), Discarded: cc.discarded.Load(), Entries: n, Bytes: b,
	}
}

// cacheKind says which read an entry holds.
type cacheKind uint8

const (
	kindGet     cacheKind = iota // GET (and each key of MGET): val, or null
	kindHGet                     // HGET key sub: val, or null
	kindHGetAll                  // HGETALL: strs, alternating fields and values
	kindSMember                  // SMEMBERS: strs
	kindDo                       // DoCached, sub is the encoded command: reply
)

// entryOverhead is what an entry costs besides its strings, for MaxBytes.
const entryOverhead = 160

// clientCache is a client's cache.
type clientCache struct {
	opts CacheOptions
	base time.Time // monotonic origin of expiry times

	mu      sync.RWMutex // a hit at the front of the LRU list needs only RLock (peek)
	keys    map[string]*cacheKey
	lru     cacheEntry // sentinel: lru.next is the most recently used
	entries int64
	bytes   int64
	epoch   uint64 // bumped when everything is invalidated at once

	hits, misses, evictions, invalidations, discarded atomic.Int64
}

// cacheKey is what the cache knows of one server key: the entries that
// read it and the reads of it in flight.
type cacheKey struct {
	name    string
	entries []*cacheEntry
	flights int    // reads in flight
	gen     uint64 // bumped by each invalidation
	shared  []*sharedFetch
}

// sharedFetch is a miss in flight that concurrent misses of the same read
// wait for rather than send their own.
type sharedFetch struct {
	kind cacheKind
	sub  string
	done chan struct{} // closed when it ends
	e    *cacheEntry   // what it stored, if it did: set before done is closed
	n    int           // misses waiting for it (for tests)
}

// cacheEntry is one cached reply.
type cacheEntry struct {
	kind   cacheKind
	sub    string      // HGET's field; DoCached's encoded command
	keys   []*cacheKey // the keys it read
	val    string
	null   bool
	strs   []string
	reply  Reply
	cn     *netpoll.Conn // the connection whose tracking covers it
	expire int64         // nanoseconds since base
	size   int64

	prev, next *cacheEntry
}

func newClientCache(o CacheOptions) *clientCache {
	cc := &clientCache{opts: o, base: time.Now(), keys: make(map[string]*cacheKey)}
	cc.lru.prev, cc.lru.next = &cc.lru, &cc.lru
	return cc
}

// now returns the time in the units of cacheEntry.expire.
func (cc *clientCache) now() int64 { return int64(time.Since(cc.base)) }

// lookup returns the live entry of kind and sub for key, moved to the
// front of the LRU list, or nil. Call with mu held. It does not allocate.
func lookup[K string | []byte](cc *clientCache, key K, kind cacheKind, sub K) *cacheEntry {
	e := find(cc, key, kind, sub)
	if e == nil {
		return nil
	}
	if e.expire <= cc.now() || !alive(e.cn) {
		cc.remove(e)
		return nil
	}
	if cc.lru.next != e {
		e.unlink()
		cc.pushFront(e)
	}
	return e
}

// find returns the entry of kind and sub for key, live or not. Call with
// mu held, for reading at least.
func find[K string | []byte](cc *clientCache, key K, kind cacheKind, sub K) *cacheEntry {
	ck := cc.keys[string(key)]
	if ck == nil {
		return nil
	}
	for _, e := range ck.entries {
		if e.kind == kind && e.sub == string(sub) {
			return e
		}
	}
	return nil
}

// peek is lookup for a reader holding mu's read lock: it returns the live
// entry of kind and sub for key when it is already at the front of the LRU
// list (a hot key), and nil otherwise: then the caller takes the lock and
// calls lookup, which may move or remove entries. It does not allocate.
func peek[K string | []byte](cc *clientCache, key K, kind cacheKind, sub K) *cacheEntry {
	e := find(cc, key, kind, sub)
	if e == nil || cc.lru.next != e || e.expire <= cc.now() || !alive(e.cn) {
		return nil
	}
	return e
}

func (e *cacheEntry) unlink() {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (cc *clientCache) pushFront(e *cacheEntry) {
	e.prev, e.next = &cc.lru, cc.lru.next
	cc.lru.next.prev = e
	cc.lru.next = e
}

// remove drops e from the cache. Call with mu held.
func (cc *clientCache) remove(e *cacheEntry) {
	if e.prev == nil {
		return // removed already
	}
	e.unlink()
	cc.entries--
	cc.bytes -= e.size
	for _, k := range e.keys {
		for i, x := range k.entries {
			if x == e {
				last := len(k.entries) - 1
				k.entries[i] = k.entries[last]
				k.entries[last] = nil
				k.entries = k.entries[:last]
				break
			}
		}
		cc.forget(k)
	}
}

// forget deletes k from the map once nothing refers to it. Call with mu
// held.
func (cc *clientCache) forget(k *cacheKey) {
	if len(k.entries) == 0 && k.flights == 0 && cc.keys[k.name] == k {
		delete(cc.keys, k.name)
	}
}

// invalidate drops what was read from key and marks its reads in flight
// stale. It does not allocate.
func invalidate[K string | []byte](cc *clientCache, key K) {
	cc.mu.Lock()
	if ck := cc.keys[string(key)]; ck != nil {
		ck.gen++
		n := len(ck.entries)
		for len(ck.entries) > 0 {
			cc.remove(ck.entries[len(ck.entries)-1])
		}
		cc.invalidations.Add(int64(n))
	}
	cc.mu.Unlock()
}

// flush drops everything and marks every read in flight stale.
func (cc *clientCache) flush() {
	cc.mu.Lock()
	cc.epoch++
	n := cc.entries
	for e := cc.lru.next; e != &cc.lru; {
		next := e.next
		cc.remove(e)
		e = next
	}
	cc.mu.Unlock()
	cc.invalidations.Add(n)
}

// connLost drops what was read through cn, which is closed: the server
// dropped its tracking with it.
func (cc *clientCache) connLost(cn *netpoll.Conn) {
	cc.mu.Lock()
	var n int64
	for e := cc.lru.next; e != &cc.lru; {
		next := e.next
		if e.cn == cn {
			cc.remove(e)
			n++
		}
		e = next
	}
	cc.mu.Unlock()
	cc.invalidations.Add(n)
}

// onPush handles the pushes of a shared connection: invalidations.
func (cc *clientCache) onPush(v resp.Value) {
	it := v.Iter()
	if !it.Next() || !strings.EqualFold(string(it.Value().Bytes()), "invalidate") || !it.Next() {
		return
	}
	keys := it.Value()
	if keys.IsNull() {
		cc.flush() // FLUSHALL, FLUSHDB
		return
	}
	ki := keys.Iter()
	for ki.Next() {
		invalidate(cc, ki.Value().Bytes())
	}
}

// store adds e for keys, unless an invalidation came after gens (the
// generations the read saw before it was sent) or epoch, or e's
// connection is gone. It evicts to stay within MaxBytes.
func (cc *clientCache) store(e *cacheEntry, keys []*cacheKey, gens []uint64, epoch uint64) bool {
	e.size = entryOverhead + int64(len(e.val)+len(e.sub))
	for _, s := range e.strs {
		e.size += int64(len(s)) + 16
	}
	e.size += replySize(e.reply)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	ok := epoch == cc.epoch && alive(e.cn) && e.size <= cc.opts.MaxBytes
	for i, k := range keys {
		e.size += int64(len(k.name))
		if k.gen != gens[i] || cc.keys[k.name] != k {
			ok = false
		}
	}
	if !ok {
		cc.discarded.Add(1)
		return false
	}
	// An entry of the same read (a concurrent miss) is replaced.
	for _, x := range keys[0].entries {
		if x.kind == e.kind && x.sub == e.sub {
			cc.remove(x)
			break
		}
	}
	e.keys = keys
	for _, k := range keys {
		k.entries = append(k.entries, e)
	}
	cc.pushFront(e)
	cc.entries++
	cc.bytes += e.size
	for cc.bytes > cc.opts.MaxBytes && cc.lru.prev != &cc.lru {
		cc.remove(cc.lru.prev)
		cc.evictions.Add(1)
	}
	return true
}

// replySize estimates the memory of a Reply.
func replySize(r Reply) int64 {
	n := int64(len(r.Str))
	for _, e := range r.Elems {
		n += 64 + replySize(e)
	}
	for _, e := range r.Attrs {
		n += 64 + replySize(e)
	}
	return n
}

// begin registers a read of keys, before it is sent: it returns their
// cacheKeys, the generations they have now, and the epoch.
func (cc *clientCache) begin(keys []string) ([]*cacheKey, []uint64, uint64) {
	cks := make([]*cacheKey, len(keys))
	gens := make([]uint64, len(keys))
	cc.mu.Lock()
	for i, name := range keys {
		ck := cc.keys[name]
		if ck == nil {
			ck = &cacheKey{name: name}
			cc.keys[name] = ck
		}
		ck.flights++
		cks[i], gens[i] = ck, ck.gen
	}
	epoch := cc.epoch
	cc.mu.Unlock()
	return cks, gens, epoch
}

// end unregisters a read that begin registered, and ends sf (when not
// nil) with e, the entry it stored, or nil.
func (cc *clientCache) end(keys []*cacheKey, sf *sharedFetch, e *cacheEntry) {
	cc.mu.Lock()
	if sf != nil {
		if e != nil && e.prev != nil {
			sf.e = e // still cached: not invalidated since it was stored
		}
		k := keys[0]
		for i, x := range k.shared {
			if x == sf {
				k.shared = append(k.shared[:i], k.shared[i+1:]...)
				break
			}
		}
		close(sf.done)
	}
	for _, k := range keys {
		k.flights--
		cc.forget(k)
	}
	cc.mu.Unlock()
}

// dialTracking dials a shared connection of a caching client: its pushes
// go to the cache, and it turns tracking on before it serves commands.
func (c *Client) dialTracking(ctx context.Context) (*netpoll.Conn, error) {
	cc := c.cache
	cn, err := c.dialWith(ctx, true, func(o *netpoll.Options) {
		o.SocketTimeout = c.opts.SocketTimeout
		o.OnPush = cc.onPush
	})
	if err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	if _, err := call(tctx, cn, cc.opts.trackingArgs(c.opts.KeyPrefix)...); err != nil {
		cn.Close()
		return nil, handshakeError("CLIENT TRACKING", err)
	}
	return cn, nil
}
