package fastredis

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// TestKeyPrefix checks, through a second client without a prefix, which
// arguments got the prefix: exactly the keys the command specifications
// name, SORT's BY and GET patterns, and script KEYS; never KEYS or SCAN
// patterns, values or script arguments.
func TestKeyPrefix(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	raw := newTestClient(t, Options{Addr: srv.Addr})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "app:"})
	mustDo(t, raw, "FLUSHDB")

	keys := func() []string {
		r := mustDo(t, raw, "KEYS", "*")
		s, _ := r.Strings()
		sort.Strings(s)
		return s
	}

	mustDo(t, c, "SET", "a", "value-not-a-key")
	mustDo(t, c, "MSET", "b", "1", "c", "2")
	mustDo(t, c, "ZUNIONSTORE", "z", 2, "b-set", "c-set", "WEIGHTS", 1, 2)
	mustDo(t, c, "EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", 1, "scripted", "argv-not-a-key")
	mustDo(t, c, "RPUSH", "list", "1", "2")
	mustDo(t, c, "SET", "weight_1", "2")
	mustDo(t, c, "SET", "weight_2", "1")
	mustDo(t, c, "SORT", "list", "BY", "weight_*", "GET", "#", "STORE", "sorted")
	if err := c.Set(ctx, "typed", "x"); err != nil {
		t.Fatal(err)
	}
	var cmd Cmd
	if err := c.Exec(ctx, cmd.Reset("SET").Key("viacmd").Arg("x")); err != nil {
		t.Fatal(err)
	}
	want := []string{"app:a", "app:b", "app:c", "app:list", "app:scripted", "app:sorted", "app:typed", "app:viacmd", "app:weight_1", "app:weight_2"}
	if got := keys(); !slices.Equal(got, want) {
		t.Errorf("keys = %q\nwant   %q", got, want)
	}

	// SORT BY read the prefixed weights: list sorted by weight_N gives 2, 1.
	if r := mustDo(t, raw, "LRANGE", "app:sorted", 0, -1); len(r.Elems) != 2 || r.Elems[0].Str != "2" {
		t.Errorf("SORT BY with a prefixed pattern: %+v", r)
	}
	// KEYS and SCAN patterns are not keys: the caller writes the prefix.
	if r := mustDo(t, c, "KEYS", "app:w*"); len(r.Elems) != 2 {
		t.Errorf("KEYS pattern: %+v", r)
	}
	if r := mustDo(t, c, "SCAN", 0, "MATCH", "a", "COUNT", 1000); len(r.Elems[1].Elems) != 0 {
		t.Errorf("SCAN MATCH a (not prefixed, so no match) = %+v", r.Elems[1])
	}
	if r := mustDo(t, c, "SCAN", 0, "MATCH", "app:a", "COUNT", 1000); len(r.Elems[1].Elems) != 1 {
		t.Errorf("SCAN MATCH app:a = %+v", r.Elems[1])
	}
	// Reads go through the same prefix.
	if v, err := c.Get(ctx, "a"); err != nil || v != "value-not-a-key" {
		t.Errorf("Get = %q %v", v, err)
	}
	if _, err := c.Do(ctx, "NOSUCHCOMMAND", "k"); err == nil || !strings.Contains(err.Error(), "KeyPrefix") {
		t.Errorf("unknown command with a prefix: %v", err)
	}
}
