package redistest

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSentinelGroup(t *testing.T) {
	start := time.Now()
	g := StartSentinel(t, SentinelOptions{})
	t.Logf("a master, 2 replicas and 3 sentinels ready in %v", time.Since(start).Round(time.Millisecond))
	m := g.Master()
	if m == nil || len(g.Replicas()) != 2 || len(g.SentinelAddrs()) != 3 {
		t.Fatalf("master %v, %d replicas, %d sentinels", m, len(g.Replicas()), len(g.SentinelAddrs()))
	}
	ctx := context.Background()
	if role := g.role(ctx, m.Addr); role != "master" {
		t.Fatalf("the master's ROLE is %q", role)
	}
	for _, r := range g.Replicas() {
		if role := g.role(ctx, r.Addr); role != "slave" {
			t.Fatalf("replica %s's ROLE is %q", r.Addr, role)
		}
	}

	// A forced failover moves the master, and every sentinel agrees.
	newMaster := g.Failover(t)
	if newMaster == nil || newMaster == m {
		t.Fatalf("failover: new master %v, old %s", newMaster, m.Addr)
	}

	// A sentinel stopped and started again rejoins.
	s := g.Sentinels()[0]
	s.Stop()
	s.Start(t)
	g.WaitHealthy(t)

	// kill -9 of the master leads to a failover; the killed master comes
	// back as a replica.
	killed := g.KillMaster()
	next := g.WaitFailover(t, killed.Addr)
	if next == killed {
		t.Fatal("the killed master is still the master")
	}
	killed.Restart(t)
	g.WaitHealthy(t)
	if role := g.role(ctx, killed.Addr); role != "slave" {
		t.Errorf("the restarted master's ROLE is %q, want slave", role)
	}
}

func TestSentinelPasswords(t *testing.T) {
	g := StartSentinel(t, SentinelOptions{Password: "data", SentinelPassword: "watch", Replicas: 1, Sentinels: 1})
	ctx := context.Background()
	rc, err := dialResp(ctx, g.SentinelAddrs()[0], "")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := rc.do("SENTINEL", "MASTERS"); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("a sentinel without its password: %v", err)
	}
	if _, err := g.MasterAddr(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSentinelHostnames(t *testing.T) {
	g := StartSentinel(t, SentinelOptions{AnnounceHostnames: true, Replicas: 1})
	addr, err := g.MasterAddr(context.Background())
	if err != nil || !strings.HasPrefix(addr, "localhost:") {
		t.Fatalf("GET-MASTER-ADDR-BY-NAME with announced host names = %q, %v", addr, err)
	}
	if g.Master() == nil {
		t.Fatal("Master() does not find the node behind the host name")
	}
}
