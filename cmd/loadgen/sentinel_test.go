package main

import (
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// A load through sentinels reaches the master they name.
func TestSentinelTarget(t *testing.T) {
	t.Parallel()
	g := redistest.StartSentinel(t, redistest.SentinelOptions{SkipIfMissing: true})
	s := runJSON(t, "-sentinel", strings.Join(g.SentinelAddrs(), ","), "-master", g.MasterName(),
		"-requests", "2000", "-clients", "4", "-warmup", "0", "-keys", "1000")
	if s.Requests != 2000 || s.Errors != 0 || s.FirstErr != "" {
		t.Fatalf("requests %d, errors %d (%q); want 2000, 0", s.Requests, s.Errors, s.FirstErr)
	}
	if !strings.Contains(s.Target, g.Master().Addr) {
		t.Errorf("target %q does not name the master %s", s.Target, g.Master().Addr)
	}
	// The same through a go-redis style URL.
	url := "redis://" + g.SentinelAddrs()[0] + "?master_name=" + g.MasterName() + "&addr=" + g.SentinelAddrs()[1]
	s = runJSON(t, "-url", url, "-requests", "500", "-warmup", "0", "-keys", "100")
	if s.Requests != 500 || s.Errors != 0 || !strings.Contains(s.Target, "via sentinels") {
		t.Errorf("-url with master_name: requests %d, errors %d (%q), target %q", s.Requests, s.Errors, s.FirstErr, s.Target)
	}
	for _, bad := range [][]string{
		{"-sentinel", g.SentinelAddrs()[0]},
		{"-master", "mymaster"},
		{"-sentinel", g.SentinelAddrs()[0], "-master", "m", "-addr", "127.0.0.1:1"},
	} {
		if _, err := parseFlags(bad); err == nil || !isUsage(err) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}
