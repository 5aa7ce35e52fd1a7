package cluster

import (
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// TestCache: cached reads on a cluster go to each key's node and are kept
// in that node's cache; writes by the client and by another client
// invalidate them.
func TestCache(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{NodeOptions: fastredis.Options{Cache: &fastredis.CacheOptions{}}})
	other := newTestClient(t, rc, Options{})
	keys := []string{"cache:a", "cache:b", "cache:c", "cache:d", "cache:e", "cache:f"}
	for _, k := range keys {
		if err := other.Set(bg, k, "v1"); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		for _, k := range keys {
			if v, err := c.CachedGet(bg, k, time.Minute); err != nil || v != "v1" {
				t.Fatalf("CachedGet(%s) = %q, %v", k, v, err)
			}
		}
	}
	if st := c.CacheStats(); st.Misses != int64(len(keys)) || st.Hits != int64(len(keys)) || st.Entries != int64(len(keys)) {
		t.Fatalf("stats %+v", st)
	}
	caching := 0
	for _, n := range c.Nodes(Masters) {
		if n.CacheStats().Entries > 0 {
			caching++
		}
	}
	if caching < 2 {
		t.Fatalf("%d nodes cache the keys, want each its own", caching)
	}
	if r, err := c.DoCached(bg, 0, "STRLEN", keys[0]); err != nil || r.Int != 2 {
		t.Fatalf("DoCached = %+v, %v", r, err)
	}
	if ns, err := c.CachedMGet(bg, 0, keys...); err != nil || len(ns) != len(keys) || ns[5].Value != "v1" {
		t.Fatalf("CachedMGet = %v, %v", ns, err)
	}
	// A write of the client's own is seen at once.
	if err := c.Set(bg, keys[1], "mine"); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.CachedGet(bg, keys[1], 0); v != "mine" {
		t.Fatalf("CachedGet after the client's SET = %q", v)
	}
	// Another client's write arrives as an invalidation on that node.
	if err := other.Set(bg, keys[2], "theirs"); err != nil {
		t.Fatal(err)
	}
	// A node's reply comes after the pushes it sent before it on the same
	// connection (one per node client here).
	for _, n := range c.Nodes(Masters) {
		if _, err := n.Do(bg, "PING"); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := c.CachedGet(bg, keys[2], 0); v != "theirs" {
		t.Fatalf("CachedGet after another client's SET = %q", v)
	}
	if _, err := c.CachedGet(bg, "cache:missing", 0); err != fastredis.Nil {
		t.Fatalf("CachedGet(missing): %v, want Nil", err)
	}
}
