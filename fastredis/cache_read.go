package fastredis

import (
	"context"
	"fmt"
	"time"

	"github.com/fastredis/fastredis/internal/keyspec"
)

// The cached reads serve a reply from the client's cache (Options.Cache)
// when it holds one, and otherwise read it from the server, tracked, and
// keep it. ttl bounds how long the client keeps it (0:
// CacheOptions.DefaultTTL); the key's TTL on the server and
// CacheOptions.MaxTTL bound it too, and an invalidation ends it at once.
// A null reply is cached too (Nil again on a hit). Error replies are not.
// Without Options.Cache they return an error; on a Tx they read through
// the Tx's connection, uncached. Process hooks do not see them.

// serverKey returns the key the server sees: with the client's KeyPrefix.
func (c *Client) serverKey(key string) string {
	if c.opts.KeyPrefix == "" {
		return key
	}
	return c.opts.KeyPrefix + key
}

// CachedGet is GET through the cache.
func (c *Client) CachedGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if c.cache == nil || c.router != nil || c.pin != nil {
		return c.cachedOther(ctx, kindGet, key, "", ttl, func(n *Client, asking bool) (string, error) {
			return n.cachedGet(ctx, key, ttl, asking)
		}, func() (string, error) { return c.Get(ctx, key) })
	}
	return c.cachedGet(ctx, key, ttl, false)
}

func (c *Client) cachedGet(ctx context.Context, key string, ttl time.Duration, asking bool) (string, error) {
	cc := c.cache
	sk := c.serverKey(key)
	if !asking {
		if v, null, hit := cc.getString(sk); hit {
			cc.hits.Add(1)
			if null {
				return "", Nil
			}
			return v, nil
		}
	}
	f := &cacheFetch{kind: kindGet, command: "GET"}
	if err := c.miss(ctx, ttl, f, []string{sk}, "", appendCommandArgs(nil, "GET", sk), asking); err != nil {
		return "", err
	}
	if f.null {
		return "", Nil
	}
	return f.val, nil
}

// getString returns the cached GET of key: a hot key (at the front of the
// LRU list) under the read lock, others under the lock.
func (cc *clientCache) getString(key string) (v string, null, hit bool) {
	cc.mu.RLock()
	if e := peek(cc, key, kindGet, ""); e != nil {
		v, null = e.val, e.null
		cc.mu.RUnlock()
		return v, null, true
	}
	cc.mu.RUnlock()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := lookup(cc, key, kindGet, ""); e != nil {
		return e.val, e.null, true
	}
	return "", false, false
}

// appendCachedGet appends the cached GET of key to dst, as getString finds
// it. It does not allocate beyond dst's growth.
func appendCachedGet[K string | []byte](cc *clientCache, dst []byte, key K) (_ []byte, null, hit bool) {
	var none K
	cc.mu.RLock()
	if e := peek(cc, key, kindGet, none); e != nil {
		dst = append(dst, e.val...)
		null = e.null
		cc.mu.RUnlock()
		return dst, null, true
	}
	cc.mu.RUnlock()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := lookup(cc, key, kindGet, none); e != nil {
		return append(dst, e.val...), e.null, true
	}
	return dst, false, false
}

// CachedGetAppend is GET through the cache, appending the value to dst. A
// hit allocates nothing (with a KeyPrefix, nothing for keys of up to 128
// bytes with it).
func (c *Client) CachedGetAppend(ctx context.Context, dst []byte, key string, ttl time.Duration) ([]byte, error) {
	cc := c.cache
	if cc == nil || c.router != nil || c.pin != nil {
		v, err := c.CachedGet(ctx, key, ttl)
		return append(dst, v...), err
	}
	var hit, null bool
	if p := c.opts.KeyPrefix; p == "" {
		dst, null, hit = appendCachedGet(cc, dst, key)
	} else {
		var buf [128]byte
		dst, null, hit = appendCachedGet(cc, dst, append(append(buf[:0], p...), key...))
	}
	if hit {
		cc.hits.Add(1)
		if null {
			return dst, Nil
		}
		return dst, nil
	}
	v, err := c.cachedGet(ctx, key, ttl, false)
	return append(dst, v...), err
}

// CachedMGet is MGET through the cache: the keys it holds come from it,
// the others from one MGET, each then cached on its own.
func (c *Client) CachedMGet(ctx context.Context, ttl time.Duration, keys ...string) ([]NullString, error) {
	out := make([]NullString, len(keys))
	if c.cache == nil || c.router != nil || c.pin != nil {
		switch {
		case c.pin != nil:
			return c.MGet(ctx, keys...)
		case c.router == nil:
			return nil, errCacheOff
		}
		for i, k := range keys { // a cluster: each key on its node
			v, err := c.CachedGet(ctx, k, ttl)
			switch {
			case err == nil:
				out[i] = NullString{Value: v, Valid: true}
			case err != Nil:
				return nil, err
			}
		}
		return out, nil
	}
	cc := c.cache
	var missing []int
	var skeys []string
	cc.mu.Lock()
	for i, k := range keys {
		sk := c.serverKey(k)
		if e := lookup(cc, sk, kindGet, ""); e != nil {
			out[i] = NullString{Value: e.val, Valid: !e.null}
			continue
		}
		missing = append(missing, i)
		skeys = append(skeys, sk)
	}
	cc.mu.Unlock()
	cc.hits.Add(int64(len(keys) - len(missing)))
	if len(missing) == 0 {
		return out, nil
	}
	f := &cacheFetch{kind: kindGet, command: "MGET", mget: true}
	if err := c.miss(ctx, ttl, f, skeys, "", appendCommandArgs(nil, append([]string{"MGET"}, skeys...)...), false); err != nil {
		return nil, err
	}
	for j, i := range missing {
		if j < len(f.nstrs) {
			out[i] = f.nstrs[j]
		}
	}
	return out, nil
}

// CachedHGet is HGET through the cache.
func (c *Client) CachedHGet(ctx context.Context, key, field string, ttl time.Duration) (string, error) {
	if c.cache == nil || c.router != nil || c.pin != nil {
		return c.cachedOther(ctx, kindHGet, key, field, ttl, func(n *Client, asking bool) (string, error) {
			return n.cachedHGet(ctx, key, field, ttl, asking)
		}, func() (string, error) { return c.HGet(ctx, key, field) })
	}
	return c.cachedHGet(ctx, key, field, ttl, false)
}

func (c *Client) cachedHGet(ctx context.Context, key, field string, ttl time.Duration, asking bool) (string, error) {
	e, err := c.cachedEntry(ctx, kindHGet, "HGET", key, field, ttl, asking, "HGET", c.serverKey(key), field)
	if err != nil {
		return "", err
	}
	if e.null {
		return "", Nil
	}
	return e.val, nil
}

// CachedHGetAll is HGETALL through the cache. The map is the caller's.
func (c *Client) CachedHGetAll(ctx context.Context, key string, ttl time.Duration) (map[string]string, error) {
	var strs []string
	var err error
	if c.cache == nil || c.router != nil || c.pin != nil {
		switch {
		case c.pin != nil:
			return c.HGetAll(ctx, key)
		case c.router == nil:
			return nil, errCacheOff
		}
		err = c.routeCached(ctx, [][]byte{[]byte("HGETALL"), []byte(c.serverKey(key))}, func(n *Client, asking bool) error {
			strs, err = n.cachedStrings(ctx, kindHGetAll, "HGETALL", key, ttl, asking)
			return err
		})
	} else {
		strs, err = c.cachedStrings(ctx, kindHGetAll, "HGETALL", key, ttl, false)
	}
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(strs)/2)
	for i := 0; i+1 < len(strs); i += 2 {
		m[strs[i]] = strs[i+1]
	}
	return m, nil
}

// CachedSMembers is SMEMBERS through the cache. The slice is the caller's.
func (c *Client) CachedSMembers(ctx context.Context, key string, ttl time.Duration) ([]string, error) {
	var strs []string
	var err error
	if c.cache == nil || c.router != nil || c.pin != nil {
		switch {
		case c.pin != nil:
			return c.SMembers(ctx, key)
		case c.router == nil:
			return nil, errCacheOff
		}
		err = c.routeCached(ctx, [][]byte{[]byte("SMEMBERS"), []byte(c.serverKey(key))}, func(n *Client, asking bool) error {
			strs, err = n.cachedStrings(ctx, kindSMember, "SMEMBERS", key, ttl, asking)
			return err
		})
	} else {
		strs, err = c.cachedStrings(ctx, kindSMember, "SMEMBERS", key, ttl, false)
	}
	if err != nil {
		return nil, err
	}
	return append([]string(nil), strs...), nil
}

// cachedStrings serves HGETALL or SMEMBERS; the slice is the cache's.
func (c *Client) cachedStrings(ctx context.Context, kind cacheKind, name, key string, ttl time.Duration, asking bool) ([]string, error) {
	e, err := c.cachedEntry(ctx, kind, name, key, "", ttl, asking, name, c.serverKey(key))
	if err != nil {
		return nil, err
	}
	return e.strs, nil // a null (never, for these commands) is empty
}

// cachedEntry serves a read of one key from the cache, or from the server
// (args, the command, with the server key), and returns what it holds.
func (c *Client) cachedEntry(ctx context.Context, kind cacheKind, name, key, sub string, ttl time.Duration, asking bool, args ...string) (*cacheEntry, error) {
	cc := c.cache
	sk := c.serverKey(key)
	if !asking {
		cc.mu.Lock()
		if e := lookup(cc, sk, kind, sub); e != nil {
			cp := *e // the fields read below never change once stored
			cc.mu.Unlock()
			cc.hits.Add(1)
			return &cp, nil
		}
		cc.mu.Unlock()
	}
	f := &cacheFetch{kind: kind, command: name}
	if err := c.miss(ctx, ttl, f, []string{sk}, sub, appendCommandArgs(nil, args...), asking); err != nil {
		return nil, err
	}
	return &cacheEntry{val: f.val, null: f.null, strs: f.strs}, nil
}

// DoCached runs a read-only command (flagged READONLY in the command
// specifications, not blocking, with at least one key) through the cache,
// as Do would: the same reply, Nil for a null. It refuses other commands.
// The reply is the caller's.
func (c *Client) DoCached(ctx context.Context, ttl time.Duration, args ...any) (Reply, error) {
	if c.pin != nil {
		return c.Do(ctx, args...)
	}
	if c.cache == nil && c.router == nil {
		return Reply{}, errCacheOff
	}
	enc, err := c.appendCommand(nil, args)
	if err != nil {
		return Reply{}, err
	}
	argv := parseArgv(enc, nil)
	cmd, err := keyspec.Find(argv)
	if err != nil {
		return Reply{}, fmt.Errorf("fastredis: DoCached %s: %w", commandName(args), err)
	}
	if !cmd.ReadOnly() || cmd.Blocking() {
		return Reply{}, fmt.Errorf("fastredis: DoCached %s: not a read-only command (only commands flagged READONLY and not blocking can be cached)", commandName(args))
	}
	pos, err := keyspec.AppendKeyPositions(nil, argv)
	if err != nil || len(pos) == 0 {
		return Reply{}, fmt.Errorf("fastredis: DoCached %s: the command reads no key, so no invalidation could end its entry", commandName(args))
	}
	var r Reply
	if c.router != nil {
		err = c.routeCached(ctx, argv, func(n *Client, asking bool) error {
			if n.cache == nil {
				return errCacheOff
			}
			r, err = n.doCached(ctx, ttl, commandName(args), enc, argv, pos, asking)
			return err
		})
	} else {
		r, err = c.doCached(ctx, ttl, commandName(args), enc, argv, pos, false)
	}
	if err != nil {
		return Reply{}, err
	}
	if r.IsNull() {
		return r, Nil
	}
	return r, nil
}

func (c *Client) doCached(ctx context.Context, ttl time.Duration, name string, enc []byte, argv [][]byte, pos []int, asking bool) (Reply, error) {
	cc := c.cache
	if !asking {
		cc.mu.Lock()
		if e := lookup(cc, argv[pos[0]], kindDo, enc); e != nil {
			r := e.reply
			cc.mu.Unlock()
			cc.hits.Add(1)
			return cloneReply(r), nil
		}
		cc.mu.Unlock()
	}
	keys := make([]string, 0, len(pos))
	for _, p := range pos {
		keys = appendUnique(keys, string(argv[p]))
	}
	f := &cacheFetch{kind: kindDo, command: name}
	if err := c.miss(ctx, ttl, f, keys, string(enc), enc, asking); err != nil {
		return Reply{}, err
	}
	return cloneReply(f.reply), nil
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// cachedOther serves a single-string cached read on a client that has no
// cache of its own: routed to a node's cache (a cluster), read uncached on
// a Tx (plain), or refused.
func (c *Client) cachedOther(ctx context.Context, kind cacheKind, key, field string, ttl time.Duration,
	node func(n *Client, asking bool) (string, error), plain func() (string, error)) (string, error) {
	switch {
	case c.pin != nil:
		return plain()
	case c.router == nil:
		return "", errCacheOff
	}
	argv := [][]byte{[]byte("GET"), []byte(c.serverKey(key))}
	if kind == kindHGet {
		argv = [][]byte{[]byte("HGET"), argv[1], []byte(field)}
	}
	var v string
	err := c.routeCached(ctx, argv, func(n *Client, asking bool) error {
		var err error
		v, err = node(n, asking)
		return err
	})
	return v, err
}
