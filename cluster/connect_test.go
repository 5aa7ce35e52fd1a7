package cluster

// Reaching the nodes: announced host names through NATMapper, per-node
// credentials, TLS.

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// Nodes announced by host name the client cannot resolve: NATMapper maps
// every announced address, including MOVED's.
func TestNATMap(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, AnnounceHostnames: true})
	var mapped atomic.Int64
	c := newTestClient(t, rc, Options{NATMapper: func(addr string) string {
		host, port, _ := strings.Cut(addr, ":")
		if strings.HasSuffix(host, ".redis.test") {
			mapped.Add(1)
			return "127.0.0.1:" + port
		}
		return addr
	}})
	for i := 0; i < 100; i++ {
		if err := c.Set(bg, "nat:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	if mapped.Load() == 0 {
		t.Fatal("no announced address was mapped: are host names announced?")
	}
	for _, sh := range c.Topology() {
		if !strings.HasPrefix(sh[0].Addr, "127.0.0.1:") {
			t.Errorf("an unmapped node: %v", sh[0])
		}
	}
	// Without the map, the client cannot reach the announced names.
	_, err := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{DialTimeout: time.Second}, RefreshInterval: -1})
	if err == nil {
		cl, _ := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{DialTimeout: time.Second}})
		defer cl.Close()
		ctx, cancel := context.WithTimeout(bg, time.Second)
		defer cancel()
		if err := cl.Set(ctx, "nat:x", 1); err == nil {
			t.Error("a client without NATMap reached nodes announced as unresolvable host names")
		}
	}
}

// Per-node credentials: Credentials is asked for each node's address.
func TestCredentialsPerNode(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, Password: "s3cret"})
	var mu sync.Mutex
	asked := map[string]bool{}
	c := newTestClient(t, rc, Options{Credentials: func(addr string) (string, string) {
		mu.Lock()
		asked[addr] = true
		mu.Unlock()
		return "", "s3cret"
	}})
	for i := 0; i < 50; i++ {
		if err := c.Set(bg, "cred:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	if n != 3 {
		t.Errorf("Credentials asked for %d addresses, want the 3 masters", n)
	}
	_, err := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{Password: "wrong"}})
	if err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestTLSCluster(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, TLS: true})
	c := newTestClient(t, rc, Options{Addrs: rc.TLSAddrs()[:1], NodeOptions: fastredis.Options{TLSConfig: rc.ClientTLSConfig()}})
	for i := 0; i < 50; i++ {
		k := "tls:" + strconv.Itoa(i)
		if err := c.Set(bg, k, i); err != nil {
			t.Fatal(err)
		}
	}
	tlsAddrs := map[string]bool{}
	for _, a := range rc.TLSAddrs() {
		tlsAddrs[a] = true
	}
	for _, sh := range c.Topology() {
		if !tlsAddrs[sh[0].Addr] {
			t.Errorf("node %s is not a TLS address", sh[0].Addr)
		}
	}
}
