package fastredis

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/redistest"
)

// newCacheClient starts a server of its own (so FLUSHALL and the like touch
// no other test) and returns a caching client and a plain one for the
// other side of the invalidations.
func newCacheClient(t testing.TB, co CacheOptions, tune ...func(*Options)) (c, other *Client) {
	t.Helper()
	srv := redistest.Start(t, redistest.Options{})
	opts := Options{Addr: srv.Addr, Cache: &co}
	for _, f := range tune {
		f(&opts)
	}
	return newCacheTestClient(t, opts), newCacheTestClient(t, Options{Addr: srv.Addr})
}

func newCacheTestClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c, err := NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func cacheDo(t testing.TB, c *Client, args ...any) Reply {
	t.Helper()
	r, err := c.Do(context.Background(), args...)
	if err != nil {
		t.Fatalf("Do%v: %v", args, err)
	}
	return r
}

// sync waits until every invalidation the server sent the client's
// connections before now has been handled: a reply comes after the pushes
// sent before it on the same connection.
func syncPushes(t testing.TB, c *Client) {
	t.Helper()
	for range c.shared {
		cacheDo(t, c, "PING")
	}
}

func TestCacheReads(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{})
	mustDo(t, other, "SET", "s", "v1")
	mustDo(t, other, "HSET", "h", "f", "hv", "g", "gv")
	mustDo(t, other, "SADD", "set", "a", "b")

	for i := range 2 { // a miss, then a hit
		if v, err := c.CachedGet(ctx, "s", 0); err != nil || v != "v1" {
			t.Fatalf("CachedGet #%d = %q, %v", i, v, err)
		}
		if b, err := c.CachedGetAppend(ctx, []byte("x="), "s", 0); err != nil || string(b) != "x=v1" {
			t.Fatalf("CachedGetAppend #%d = %q, %v", i, b, err)
		}
		if _, err := c.CachedGet(ctx, "missing", 0); err != Nil {
			t.Fatalf("CachedGet(missing) #%d: %v, want Nil", i, err)
		}
		if v, err := c.CachedHGet(ctx, "h", "f", 0); err != nil || v != "hv" {
			t.Fatalf("CachedHGet #%d = %q, %v", i, v, err)
		}
		if m, err := c.CachedHGetAll(ctx, "h", 0); err != nil || len(m) != 2 || m["g"] != "gv" {
			t.Fatalf("CachedHGetAll #%d = %v, %v", i, m, err)
		}
		if s, err := c.CachedSMembers(ctx, "set", 0); err != nil || len(s) != 2 {
			t.Fatalf("CachedSMembers #%d = %v, %v", i, s, err)
		}
		if r, err := c.DoCached(ctx, 0, "STRLEN", "s"); err != nil || r.Int != 2 {
			t.Fatalf("DoCached STRLEN #%d = %+v, %v", i, r, err)
		}
		ns, err := c.CachedMGet(ctx, 0, "s", "missing", "s2")
		if err != nil || len(ns) != 3 || ns[0] != (NullString{"v1", true}) || ns[1].Valid || ns[2].Valid {
			t.Fatalf("CachedMGet #%d = %v, %v", i, ns, err)
		}
	}
	st := c.CacheStats()
	// First round: GET s (Append hits it), GET missing, HGET, HGETALL,
	// SMEMBERS, STRLEN and MGET of s2 miss.
	if st.Misses != 7 || st.Hits != 13 || st.Entries != 7 || st.Bytes <= 0 {
		t.Fatalf("stats %+v, want 7 misses, 13 hits, 7 entries", st)
	}
	if m, _ := c.CachedHGetAll(ctx, "h", 0); m != nil {
		m["f"] = "changed" // the caller's copy
	}
	if v, _ := c.CachedHGet(ctx, "h", "f", 0); v != "hv" {
		t.Fatalf("HGET after the caller changed its map: %q", v)
	}
}

func TestCacheDoCachedRefuses(t *testing.T) {
	ctx := context.Background()
	c, _ := newCacheClient(t, CacheOptions{})
	for _, args := range [][]any{
		{"SET", "k", "v"},
		{"INCR", "k"},
		{"DBSIZE"},
		{"BLPOP", "k", 1},
		{"NOSUCHCOMMAND", "k"},
	} {
		if _, err := c.DoCached(ctx, 0, args...); err == nil || !strings.Contains(err.Error(), "DoCached") {
			t.Errorf("DoCached%v: %v, want a refusal", args, err)
		}
	}
	plain := newCacheTestClient(t, Options{Addr: c.opts.Addr})
	for name, err := range map[string]error{
		"CachedGet":       func() error { _, err := plain.CachedGet(ctx, "k", 0); return err }(),
		"CachedGetAppend": func() error { _, err := plain.CachedGetAppend(ctx, nil, "k", 0); return err }(),
		"CachedMGet":      func() error { _, err := plain.CachedMGet(ctx, 0, "k"); return err }(),
		"CachedHGet":      func() error { _, err := plain.CachedHGet(ctx, "k", "f", 0); return err }(),
		"CachedHGetAll":   func() error { _, err := plain.CachedHGetAll(ctx, "k", 0); return err }(),
		"CachedSMembers":  func() error { _, err := plain.CachedSMembers(ctx, "k", 0); return err }(),
		"DoCached":        func() error { _, err := plain.DoCached(ctx, 0, "GET", "k"); return err }(),
	} {
		if !errors.Is(err, errCacheOff) {
			t.Errorf("%s without Options.Cache: %v", name, err)
		}
	}
}

func TestCacheOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"resp2", Options{Protocol: 2, Cache: &CacheOptions{}}, "RESP3"},
		{"prefixes without bcast", Options{Cache: &CacheOptions{Prefixes: []string{"a:"}}}, "CacheBroadcast"},
		{"negative", Options{Cache: &CacheOptions{MaxBytes: -1}}, "negative"},
		{"mode", Options{Cache: &CacheOptions{Mode: 9}}, "Mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewClient: %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// Rule 1: a read whose key is invalidated while it is in flight is not
// kept. Two connections track the key; the write happens after the read's
// GET ran and before its reply is handled, and the invalidation reaches the
// other connection, which handles it while the read is still in flight.
func TestCacheInvalidationInFlight(t *testing.T) {
	ctx := context.Background()
	// The hook below blocks a connection's reader: each connection needs
	// a reader of its own (the gnet transport shares its event loops).
	c, other := newCacheClient(t, CacheOptions{}, func(o *Options) {
		o.PoolSize, o.Transport = 2, netpoll.TransportNetConn
	})
	other.Close()
	other = newTestClient(t, Options{Addr: c.opts.Addr, Transport: netpoll.TransportNetConn})
	mustDo(t, other, "SET", "k", "old")
	if v, _ := c.CachedGet(ctx, "k", 0); v != "old" { // tracked on one connection
		t.Fatalf("CachedGet = %q", v)
	}
	c.cache.flush() // locally only: that connection still tracks k

	gen := func() uint64 {
		c.cache.mu.Lock()
		defer c.cache.mu.Unlock()
		if ck := c.cache.keys["k"]; ck != nil {
			return ck.gen
		}
		return 0
	}
	var fired atomic.Bool
	cacheFetchHook = func(i int) {
		if i != 0 || !fired.CompareAndSwap(false, true) {
			return
		}
		// The GET ran (its reply is here); the read is still in flight.
		g := gen()
		if _, err := other.Do(ctx, "SET", "k", "new"); err != nil {
			t.Errorf("SET: %v", err)
		}
		for gen() == g { // the other connection's reader handles the push
			time.Sleep(time.Millisecond)
		}
	}
	t.Cleanup(func() { cacheFetchHook = nil })
	v, err := c.CachedGet(ctx, "k", 0) // the other connection
	if err != nil || v != "old" {
		t.Fatalf("CachedGet in flight = %q, %v (the value its GET read)", v, err)
	}
	cacheFetchHook = nil
	if st := c.CacheStats(); st.Discarded != 1 || st.Entries != 0 {
		t.Fatalf("stats %+v: the read in flight was kept", st)
	}
	if v, _ := c.CachedGet(ctx, "k", 0); v != "new" {
		t.Fatalf("CachedGet after = %q, want new", v)
	}
}

// Rule 2: what was read through a connection goes with it.
func TestCacheConnectionLost(t *testing.T) {
	ctx := context.Background()
	closed := make(chan struct{}, 1)
	c, other := newCacheClient(t, CacheOptions{}, func(o *Options) {
		o.OnEvent = func(e Event) {
			if e.Type == EventClose {
				closed <- struct{}{}
			}
		}
	})
	mustDo(t, other, "SET", "k", "v1")
	if v, _ := c.CachedGet(ctx, "k", 0); v != "v1" {
		t.Fatalf("CachedGet = %q", v)
	}
	id := mustDo(t, c, "CLIENT", "ID").Int
	mustDo(t, other, "CLIENT", "KILL", "ID", id)
	<-closed
	if st := c.CacheStats(); st.Entries != 0 {
		t.Fatalf("after the connection closed: %+v", st)
	}
	mustDo(t, other, "SET", "k", "v2") // no one is told
	if v, err := c.CachedGet(ctx, "k", 0); v != "v2" {
		t.Fatalf("CachedGet after reconnect = %q, %v", v, err)
	}
	// The new connection tracks again.
	mustDo(t, other, "SET", "k", "v3")
	syncPushes(t, c)
	if v, _ := c.CachedGet(ctx, "k", 0); v != "v3" {
		t.Fatalf("CachedGet after an invalidation on the new connection = %q", v)
	}
}

// Rule 3: FLUSHALL and FLUSHDB (a null invalidation) empty the cache.
func TestCacheFlush(t *testing.T) {
	ctx := context.Background()
	for _, cmd := range []string{"FLUSHALL", "FLUSHDB"} {
		t.Run(cmd, func(t *testing.T) {
			c, other := newCacheClient(t, CacheOptions{})
			mustDo(t, other, "MSET", "a", "1", "b", "2")
			c.CachedMGet(ctx, 0, "a", "b")
			if st := c.CacheStats(); st.Entries != 2 {
				t.Fatalf("stats %+v", st)
			}
			mustDo(t, other, cmd)
			syncPushes(t, c)
			if st := c.CacheStats(); st.Entries != 0 {
				t.Fatalf("after %s by another client: %+v", cmd, st)
			}
			if _, err := c.CachedGet(ctx, "a", 0); err != Nil {
				t.Fatalf("CachedGet after %s: %v", cmd, err)
			}
		})
	}
}

// Rule 4: a write by the client drops the keys it names before it returns,
// through every path.
func TestCacheReadYourWrites(t *testing.T) {
	ctx := context.Background()
	// Two connections: a write on one, the key tracked on the other, whose
	// invalidation the server sends but the client may not have read yet.
	c, other := newCacheClient(t, CacheOptions{}, func(o *Options) { o.PoolSize = 2 })
	for _, tc := range []struct {
		name  string
		write func(val string) error
	}{
		{"typed", func(v string) error { return c.Set(ctx, "k", v) }},
		{"Do", func(v string) error { _, err := c.Do(ctx, "SET", "k", v); return err }},
		{"Exec", func(v string) error {
			var cmd Cmd
			cmd.Reset("SET").Key("k").Arg(v)
			return c.Exec(ctx, &cmd)
		}},
		{"Pipeline", func(v string) error {
			return c.Pipelined(ctx, func(p *Pipeline) { p.Ping(); p.Set("k", v) })
		}},
		{"TxPipeline", func(v string) error {
			return c.TxPipelined(ctx, func(p *Pipeline) { p.Set("k", v) })
		}},
		{"Watch", func(v string) error {
			return c.Watch(ctx, func(tx *Tx) error {
				return tx.TxPipelined(ctx, func(p *Pipeline) { p.Set("k", v) })
			}, "k")
		}},
		{"Eval", func(v string) error {
			_, err := c.Eval(ctx, "return redis.call('SET', KEYS[1], ARGV[1])", []string{"k"}, v)
			return err
		}},
		{"blocking", func(v string) error {
			mustDo(t, other, "DEL", "src")
			mustDo(t, other, "RPUSH", "src", v)
			mustDo(t, c, "DEL", "k")
			_, err := c.Do(ctx, "BLMOVE", "src", "k", "LEFT", "RIGHT", 1)
			if err == nil {
				_, err = c.Do(ctx, "SET", "k", v) // a string again, for GET
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, v := range []string{"a-" + tc.name, "b-" + tc.name} {
				if _, err := c.CachedGet(ctx, "k", 0); err != nil && err != Nil {
					t.Fatal(err)
				}
				if err := tc.write(v); err != nil {
					t.Fatalf("write #%d: %v", i, err)
				}
				if got, err := c.CachedGet(ctx, "k", 0); got != v {
					t.Fatalf("CachedGet right after write #%d = %q, %v; want %q", i, got, err, v)
				}
			}
		})
	}
	t.Run("blocking list", func(t *testing.T) {
		mustDo(t, c, "DEL", "dst")
		mustDo(t, c, "RPUSH", "src", "x")
		if r, err := c.DoCached(ctx, 0, "LRANGE", "dst", 0, -1); err != nil || len(r.Elems) != 0 {
			t.Fatalf("LRANGE = %+v, %v", r, err)
		}
		if _, err := c.Do(ctx, "BLMOVE", "src", "dst", "LEFT", "RIGHT", 1); err != nil {
			t.Fatal(err)
		}
		if r, err := c.DoCached(ctx, 0, "LRANGE", "dst", 0, -1); err != nil || len(r.Elems) != 1 {
			t.Fatalf("LRANGE after BLMOVE = %+v, %v", r, err)
		}
	})
	t.Run("FLUSHDB", func(t *testing.T) {
		c.Set(ctx, "k", "v")
		c.CachedGet(ctx, "k", 0)
		mustDo(t, c, "FLUSHDB")
		if _, err := c.CachedGet(ctx, "k", 0); err != Nil {
			t.Fatalf("CachedGet after FLUSHDB: %v", err)
		}
	})
}

// Rule 5: the client-side TTL is bounded by the key's TTL on the server.
func TestCacheServerTTL(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{MaxTTL: 10 * time.Minute})
	mustDo(t, other, "SET", "short", "v", "PX", 300)
	mustDo(t, other, "SET", "long", "v")
	life := func(key string) time.Duration {
		c.cache.mu.Lock()
		defer c.cache.mu.Unlock()
		return time.Duration(c.cache.keys[key].entries[0].expire - c.cache.now())
	}
	for _, tc := range []struct {
		key      string
		ttl      time.Duration
		min, max time.Duration
	}{
		{"short", time.Hour, 0, 300 * time.Millisecond},         // the server's PTTL
		{"long", time.Minute, 50 * time.Second, time.Minute},    // ttl
		{"long2", 0, 50 * time.Second, DefaultCacheTTL},         // DefaultTTL (a null)
		{"long", 0, 50 * time.Second, DefaultCacheTTL},          // DefaultTTL (cached already)
		{"long3", time.Hour, 9 * time.Minute, 10 * time.Minute}, // MaxTTL
	} {
		c.CachedGet(ctx, tc.key, tc.ttl)
		if l := life(tc.key); l <= tc.min || l > tc.max {
			t.Errorf("%s with ttl %v lives %v, want (%v, %v]", tc.key, tc.ttl, l, tc.min, tc.max)
		}
	}
}

// Rule 6: CLIENT TRACKING on a shared connection is refused, with or
// without the cache.
func TestCacheClientTrackingRefused(t *testing.T) {
	ctx := context.Background()
	cached, plain := newCacheClient(t, CacheOptions{})
	for _, c := range []*Client{cached, plain} {
		p := c.Pipeline()
		f := p.ClientTracking(Off)
		p.Exec(ctx)
		var cmd Cmd
		cmd.Reset("CLIENT").Arg("TRACKING").Arg("OFF")
		for name, err := range map[string]error{
			"Do":       func() error { _, err := c.Do(ctx, "client", "tracking", "on"); return err }(),
			"typed":    c.ClientTracking(ctx, Off),
			"Exec":     c.Exec(ctx, &cmd),
			"Pipeline": f.Err(),
		} {
			if err == nil || !strings.Contains(err.Error(), "Options.Cache") {
				t.Errorf("cache %v, %s: %v, want a refusal naming Options.Cache", c.cache != nil, name, err)
			}
		}
	}
	// Tracking stayed on under the cache.
	if r := mustDo(t, cached, "CLIENT", "TRACKINGINFO"); !strings.Contains(r.Elems[1].Elems[0].Str, "on") {
		t.Fatalf("TRACKINGINFO: %+v", r)
	}
}

func TestCacheEviction(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{MaxBytes: 4096})
	val := strings.Repeat("x", 300)
	for i := range 40 {
		k := "k" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		mustDo(t, other, "SET", k, val)
		if v, err := c.CachedGet(ctx, k, 0); err != nil || v != val {
			t.Fatalf("CachedGet %s: %v", k, err)
		}
	}
	st := c.CacheStats()
	if st.Evictions == 0 || st.Bytes > 4096 || st.Entries >= 40 {
		t.Fatalf("stats %+v, want evictions within 4096 bytes", st)
	}
	// The most recent entry stays.
	c.CachedGet(ctx, "knb", 0)
	if st2 := c.CacheStats(); st2.Hits != st.Hits+1 {
		t.Fatalf("the most recent entry was evicted: %+v", st2)
	}
}

func TestCacheBroadcast(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{Mode: CacheBroadcast, Prefixes: []string{"p:"}}, func(o *Options) {
		o.KeyPrefix = "app:"
	})
	mustDo(t, other, "SET", "app:p:k", "v1")
	syncPushes(t, c) // BCAST: the SET's own invalidation comes first
	if v, _ := c.CachedGet(ctx, "p:k", 0); v != "v1" {
		t.Fatalf("CachedGet = %q", v)
	}
	if b, _ := c.CachedGetAppend(ctx, nil, "p:k", 0); string(b) != "v1" {
		t.Fatalf("CachedGetAppend = %q", b)
	}
	mustDo(t, other, "SET", "app:p:k", "v2")
	syncPushes(t, c)
	if v, _ := c.CachedGet(ctx, "p:k", 0); v != "v2" {
		t.Fatalf("CachedGet after a broadcast invalidation = %q", v)
	}
	if st := c.CacheStats(); st.Hits != 1 || st.Misses != 2 || st.Invalidations != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Concurrent misses of the same read share one fetch.
func TestCacheSharedMiss(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{}, func(o *Options) { o.Transport = netpoll.TransportNetConn })
	cacheDo(t, other, "SET", "k", "v")
	release := make(chan struct{})
	var fired atomic.Bool
	cacheFetchHook = func(i int) {
		if i == 0 && fired.CompareAndSwap(false, true) {
			<-release // the leader's read stays in flight
		}
	}
	t.Cleanup(func() { cacheFetchHook = nil })
	const n = 10
	errs := make(chan error, n+1)
	get := func() {
		v, err := c.CachedGet(ctx, "k", 0)
		if err == nil && v != "v" {
			err = errors.New("got " + v)
		}
		errs <- err
	}
	go get()
	waiting := func() int {
		c.cache.mu.Lock()
		defer c.cache.mu.Unlock()
		if ck := c.cache.keys["k"]; ck != nil && len(ck.shared) == 1 {
			return ck.shared[0].n
		}
		return -1
	}
	for waiting() < 0 { // the leader registered
		time.Sleep(time.Millisecond)
	}
	for range n {
		go get()
	}
	for waiting() < n { // every other miss joined it
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range n + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := c.CacheStats(); st.Misses != 1 || st.Hits != n {
		t.Fatalf("stats %+v, want 1 miss shared by %d", st, n)
	}
}

// A server without RESP3 cannot send invalidations: the handshake fails.
func TestCacheNeedsRESP3Server(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Config: []string{`rename-command HELLO ""`}})
	c, err := NewClient(Options{Addr: srv.Addr, Cache: &CacheOptions{}})
	if err == nil {
		c.Close()
		t.Fatal("NewClient with Cache against a server without HELLO succeeded")
	}
	if !strings.Contains(err.Error(), "RESP3") {
		t.Fatalf("NewClient: %v, want an error about RESP3", err)
	}
}

// A MULTI sent command by command on a Tx: the keys its commands name are
// dropped again when EXEC returns, so a read cached between a queued SET
// and EXEC (the old value) does not outlive the transaction.
func TestCacheTxExec(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{}, func(o *Options) { o.PoolSize = 2 })
	mustDo(t, other, "SET", "k", "old")
	err := c.Watch(ctx, func(tx *Tx) error {
		for _, args := range [][]any{{"MULTI"}, {"SET", "k", "new"}} {
			if _, err := tx.Do(ctx, args...); err != nil {
				return err
			}
		}
		if v, _ := c.CachedGet(ctx, "k", 0); v != "old" { // queued, not run: cached
			t.Errorf("CachedGet inside MULTI = %q", v)
		}
		_, err := tx.Do(ctx, "EXEC")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.CachedGet(ctx, "k", 0); v != "new" {
		t.Fatalf("CachedGet after EXEC = %q, want new", v)
	}
}

// An entry of a command that reads several keys goes when any of them
// changes.
func TestCacheMultiKeyEntry(t *testing.T) {
	ctx := context.Background()
	c, other := newCacheClient(t, CacheOptions{})
	mustDo(t, other, "SADD", "s1", "a", "b")
	mustDo(t, other, "SADD", "s2", "a")
	for i, want := range []int{1, 1, 2} {
		if i == 2 {
			mustDo(t, other, "SADD", "s2", "b")
			syncPushes(t, c)
		}
		r, err := c.DoCached(ctx, 0, "SINTER", "s1", "s2")
		if err != nil || len(r.Elems) != want {
			t.Fatalf("SINTER #%d = %+v, %v; want %d members", i, r, err, want)
		}
	}
	if st := c.CacheStats(); st.Hits != 1 || st.Misses != 2 || st.Invalidations != 1 {
		t.Fatalf("stats %+v", st)
	}
}
