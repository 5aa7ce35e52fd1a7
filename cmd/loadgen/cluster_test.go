package main

import (
	"context"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// A cluster node given with -addr is found to be one (INFO cluster), and
// the load, fill included, goes to every master through the cluster
// client: each master holds a share of the keys and ran SETs and GETs.
func TestClusterTarget(t *testing.T) {
	t.Parallel()
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, SkipIfMissing: true})
	const keys = 3000
	s := runJSON(t, "-addr", rc.Addrs()[0], "-requests", "3000", "-clients", "4", "-pipeline", "2",
		"-warmup", "0", "-keys", "3000")
	if s.Requests != 3000 || s.Errors != 0 || s.FirstErr != "" {
		t.Fatalf("requests %d, errors %d (%q); want 3000, 0", s.Requests, s.Errors, s.FirstErr)
	}
	if !strings.Contains(s.Target, "cluster, 3 masters") {
		t.Errorf("target %q does not say it is a cluster of 3 masters", s.Target)
	}
	if s.Misses != 0 {
		t.Errorf("%d GET misses after the fill", s.Misses)
	}
	total := int64(0)
	for _, m := range rc.Masters() {
		c, err := fastredis.NewClient(fastredis.Options{Addr: m.Addr})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		n, err := c.DBSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		calls := commandCalls(t, c)
		if n < keys/6 || calls["GET"] == 0 || calls["SET"] == 0 {
			t.Errorf("master %s: %d keys, %d GETs, %d SETs: the load does not reach it", m.Addr, n, calls["GET"], calls["SET"])
		}
		total += n
	}
	if total != keys {
		t.Errorf("the masters hold %d keys, want %d", total, keys)
	}

	// -cluster with a URL naming more seeds, and a -command template.
	url := "redis://" + rc.Addrs()[1] + "?addr=" + rc.Addrs()[2]
	s = runJSON(t, "-cluster", "-url", url, "-command", "INCR n:__key__", "-requests", "500", "-warmup", "0", "-conns", "2")
	if s.Requests != 500 || s.Errors != 0 || !strings.Contains(s.Target, "cluster") {
		t.Errorf("-cluster -url: requests %d, errors %d (%q), target %q", s.Requests, s.Errors, s.FirstErr, s.Target)
	}
}
