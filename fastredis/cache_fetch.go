package fastredis

import (
	"context"
	"errors"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// errCacheOff is the error of a cached read on a client without a cache.
var errCacheOff = errors.New("fastredis: cached read on a client without Options.Cache")

// cacheFetch receives the replies of a cache miss: ASKING (in a cluster,
// when redirected), CLIENT CACHING YES (CacheOptIn), the read, and PTTL of
// each key, all in one write on one connection.
type cacheFetch struct {
	kind    cacheKind
	command string
	mget    bool // the read is MGET: nstrs
	pre     int  // replies before the read's
	got     int  // replies received

	err   error // the first error reply
	null  bool
	val   string
	strs  []string
	nstrs []NullString
	reply Reply
	pttl  []int64 // milliseconds, or -1 (no expiry) or -2 (no key)
}

// cacheFetchHook, set by tests only, sees each reply of a miss as it
// arrives, on the connection's reading side.
var cacheFetchHook func(i int)

func (f *cacheFetch) Reply(i int, v resp.Value) {
	f.got++
	if cacheFetchHook != nil {
		cacheFetchHook(i - f.pre)
	}
	switch {
	case v.IsError():
		if f.err == nil {
			f.err = newError(v, f.command)
		}
	case i < f.pre:
	case i == f.pre:
		f.decode(v)
	default:
		f.pttl[i-f.pre-1], _ = v.Int()
	}
}

// decode copies the read's reply out.
func (f *cacheFetch) decode(v resp.Value) {
	if f.kind == kindDo {
		f.reply = newReply(v)
		return
	}
	if v.IsNull() {
		f.null = true
		return
	}
	switch {
	case f.mget:
		f.nstrs = decodeNullStrings(v)
	case f.kind == kindGet || f.kind == kindHGet:
		f.val = v.String()
	default: // HGETALL, SMEMBERS: arrays, sets, maps of strings
		f.strs = make([]string, 0, v.Len()*elementsPerEntry(v.Type()))
		it := v.Iter()
		for it.Next() {
			f.strs = append(f.strs, it.Value().String())
		}
	}
}

// ttlFor returns the client-side TTL of a read asked for ttl.
func (cc *clientCache) ttlFor(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		ttl = cc.opts.DefaultTTL
	}
	if m := cc.opts.MaxTTL; m > 0 && ttl > m {
		ttl = m
	}
	return ttl
}

// miss reads through the server what the cache lacks: cmd (encoded) reads
// keys (server keys, prefixed); f says how to decode it. It stores what it
// read, one entry per key for MGET and one for all keys otherwise, unless
// asking (a cluster's ASK redirection: the read is made once, not
// tracked). It returns f's error or the transport's.
func (c *Client) miss(ctx context.Context, ttl time.Duration, f *cacheFetch, keys []string, sub string, cmd []byte, asking bool) error {
	cc := c.cache
	shareable := !asking && !f.mget
	if shareable {
		if e, err := cc.join(ctx, f.kind, keys[0], sub); e != nil || err != nil {
			if err != nil {
				return err
			}
			f.val, f.null, f.strs, f.reply = e.val, e.null, e.strs, e.reply
			return nil
		}
	}
	cc.misses.Add(1)
	batch := make([]byte, 0, len(cmd)+64+24*len(keys))
	if asking {
		batch = append(batch, "*1\r\n$6\r\nASKING\r\n"...)
		f.pre++
	}
	if cc.opts.Mode == CacheOptIn {
		batch = append(batch, "*3\r\n$6\r\nCLIENT\r\n$7\r\nCACHING\r\n$3\r\nYES\r\n"...)
		f.pre++
	}
	batch = append(batch, cmd...)
	for _, k := range keys {
		batch = resp.AppendArrayHeader(batch, 2)
		batch = resp.AppendBulkString(batch, "PTTL")
		batch = resp.AppendBulkString(batch, k)
	}
	f.pttl = make([]int64, len(keys))
	cks, gens, epoch := cc.begin(keys)
	var sf *sharedFetch
	if shareable {
		sf = cc.share(cks[0], f.kind, sub)
	}
	var stored *cacheEntry
	start := cc.now()
	var trip tripInfo
	err := c.roundTripConn(ctx, c.readDeadline(ctx), f, f.pre+1+len(keys), len(batch),
		func(b []byte) []byte { return append(b, batch...) }, func() bool { return f.got > 0 }, &trip)
	if err == nil && f.err == nil && !asking {
		life := int64(cc.ttlFor(ttl))
		if f.mget {
			for i := range keys {
				e := &cacheEntry{kind: kindGet, cn: trip.conn, expire: start + boundTTL(life, f.pttl[i])}
				if i < len(f.nstrs) {
					e.val, e.null = f.nstrs[i].Value, !f.nstrs[i].Valid
				}
				cc.store(e, cks[i:i+1], gens[i:i+1], epoch) // MGET is not shared
			}
		} else {
			for _, p := range f.pttl {
				life = boundTTL(life, p)
			}
			e := &cacheEntry{kind: f.kind, sub: sub, val: f.val, null: f.null, strs: f.strs, reply: f.reply,
				cn: trip.conn, expire: start + life}
			if cc.store(e, cks, gens, epoch) {
				stored = e
			}
		}
	}
	cc.end(cks, sf, stored)
	if err != nil {
		return err
	}
	return f.err
}

// boundTTL bounds life (nanoseconds) by a key's PTTL.
func boundTTL(life, pttl int64) int64 {
	if pttl >= 0 {
		return min(life, pttl*int64(time.Millisecond))
	}
	return life
}

// appendCommandArgs encodes a command of strings.
func appendCommandArgs(dst []byte, args ...string) []byte {
	dst = resp.AppendArrayHeader(dst, len(args))
	for _, a := range args {
		dst = resp.AppendBulkString(dst, a)
	}
	return dst
}

// cloneReply deep-copies the slices of r (its strings are immutable).
func cloneReply(r Reply) Reply {
	if r.Elems != nil {
		elems := make([]Reply, len(r.Elems))
		for i, e := range r.Elems {
			elems[i] = cloneReply(e)
		}
		r.Elems = elems
	}
	if r.Attrs != nil {
		attrs := make([]Reply, len(r.Attrs))
		for i, e := range r.Attrs {
			attrs[i] = cloneReply(e)
		}
		r.Attrs = attrs
	}
	return r
}

// join waits for a miss of the same read already in flight, if there is
// one, and returns what it stored. It returns nil (the caller fetches for
// itself) when there is none, or when that one stored nothing: its key
// was invalidated meanwhile, maybe by a write this caller made before it
// started, so its value cannot be trusted.
func (cc *clientCache) join(ctx context.Context, kind cacheKind, key, sub string) (*cacheEntry, error) {
	cc.mu.Lock()
	var sf *sharedFetch
	if ck := cc.keys[key]; ck != nil {
		for _, x := range ck.shared {
			if x.kind == kind && x.sub == sub {
				sf = x
				sf.n++
				break
			}
		}
	}
	cc.mu.Unlock()
	if sf == nil {
		return nil, nil
	}
	select {
	case <-sf.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if sf.e != nil {
		cc.hits.Add(1)
	}
	return sf.e, nil
}

// share registers a miss of one key as shared by concurrent misses.
func (cc *clientCache) share(ck *cacheKey, kind cacheKind, sub string) *sharedFetch {
	sf := &sharedFetch{kind: kind, sub: sub, done: make(chan struct{})}
	cc.mu.Lock()
	ck.shared = append(ck.shared, sf)
	cc.mu.Unlock()
	return sf
}
