package sentinel

import (
	"context"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// NodeOptions.Dialer reaches the sentinels and the data nodes; the
// sentinels authenticate through SentinelCredentialsProvider, the data
// nodes through NodeOptions.CredentialsProvider; NodeOptions.OnConnect
// runs on data-node connections, the new master's after a failover too.
func TestConnectHooks(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{Password: "data-pw", SentinelPassword: "sentinel-pw"})
	var mu sync.Mutex
	var dialed []string
	var sentinelCreds, nodeCreds, hooked atomic.Int64
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(),
		SentinelPassword: "ignored",
		SentinelCredentialsProvider: func(context.Context) (string, string, error) {
			sentinelCreds.Add(1)
			return "", "sentinel-pw", nil
		},
		NodeOptions: fastredis.Options{
			Password: "ignored",
			CredentialsProvider: func(context.Context) (string, string, error) {
				nodeCreds.Add(1)
				return "", "data-pw", nil
			},
			Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
				mu.Lock()
				dialed = append(dialed, addr)
				mu.Unlock()
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			},
			OnConnect: func(ctx context.Context, cn *fastredis.Conn) error {
				hooked.Add(1)
				return cn.ClientSetName(ctx, "hooked")
			},
		}})
	if err := c.Set(bg, "hooks:k", "v"); err != nil {
		t.Fatal(err)
	}
	eq := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	name, err := c.ClientGetName(bg)
	if err != nil {
		t.Fatal(err)
	}
	eq("the data connection's name", name, "hooked")
	wasDialed := func(addr string) bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(dialed, addr)
	}
	if !wasDialed(g.SentinelAddrs()[0]) {
		t.Errorf("the Dialer never reached the first sentinel %s", g.SentinelAddrs()[0])
	}
	old := g.Master().Addr
	if !wasDialed(old) {
		t.Errorf("the Dialer never reached the master %s", old)
	}
	if sentinelCreds.Load() == 0 || nodeCreds.Load() == 0 || hooked.Load() == 0 {
		t.Fatalf("sentinel provider %d, node provider %d, OnConnect %d calls: want each at least 1",
			sentinelCreds.Load(), nodeCreds.Load(), hooked.Load())
	}

	// After a failover the client reaches the new master through the same
	// hooks.
	before := hooked.Load()
	promoted := g.Failover(t)
	if err := c.Set(bg, "hooks:k2", "v"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.Addr() != promoted.Addr {
		if time.Now().After(deadline) {
			t.Fatalf("the client is on %s, not the new master %s", c.Addr(), promoted.Addr)
		}
		if err := c.Set(bg, "hooks:k2", "v"); err != nil {
			t.Fatal(err)
		}
	}
	if !wasDialed(promoted.Addr) {
		t.Errorf("the Dialer never reached the new master %s", promoted.Addr)
	}
	if hooked.Load() == before {
		t.Error("OnConnect did not run on the new master's connection")
	}
	name, err = c.ClientGetName(bg)
	if err != nil {
		t.Fatal(err)
	}
	eq("the new master's connection name", name, "hooked")
}
