package cluster

// Connection hooks on every node: Dialer, credentials providers, OnConnect.

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// addrCounter counts calls by node address.
type addrCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *addrCounter) add(addr string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == nil {
		a.n = map[string]int{}
	}
	a.n[addr]++
}

func (a *addrCounter) count(addr string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[addr]
}

func (a *addrCounter) missing(addrs []string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, addr := range addrs {
		if a.n[addr] == 0 {
			out = append(out, addr)
		}
	}
	return out
}

// NodeOptions' Dialer, CredentialsProvider and OnConnect reach every node,
// masters and replicas, and the subscriber; NodeCredentialsProvider is
// asked with each node's address and wins over Credentials and
// NodeOptions.CredentialsProvider.
func TestConnectHooksEveryNode(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, Password: "s3cret"})
	wrong := func(context.Context) (string, string, error) { return "", "", errors.New("template provider asked") }
	tests := []struct {
		name string
		set  func(o *Options, creds *addrCounter)
	}{
		{"NodeOptions.CredentialsProvider", func(o *Options, creds *addrCounter) {
			o.NodeOptions.CredentialsProvider = func(context.Context) (string, string, error) {
				creds.add("any")
				return "", "s3cret", nil
			}
		}},
		{"NodeCredentialsProvider", func(o *Options, creds *addrCounter) {
			o.NodeOptions.CredentialsProvider = wrong
			o.Credentials = func(string) (string, string) { return "", "wrong" }
			o.NodeCredentialsProvider = func(_ context.Context, addr string) (string, string, error) {
				creds.add(addr)
				return "", "s3cret", nil
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dials, creds addrCounter
			var hooked atomic.Int64
			opts := Options{ScaleReads: ReadAll, NodeOptions: fastredis.Options{
				Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
					dials.add(addr)
					var d net.Dialer
					return d.DialContext(ctx, network, addr)
				},
				OnConnect: func(ctx context.Context, cn *fastredis.Conn) error {
					hooked.Add(1)
					return cn.ClientSetName(ctx, "hooked")
				},
			}}
			tt.set(&opts, &creds)
			c := newTestClient(t, rc, opts)
			if err := c.ForEachNode(bg, AllNodes, func(ctx context.Context, n *fastredis.Client) error {
				name, err := n.ClientGetName(ctx)
				if err == nil && name != "hooked" {
					err = errors.New("connection name " + strconv.Quote(name) + ", want OnConnect's")
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ps, err := c.Subscribe(bg, "hooks:ch")
			if err != nil {
				t.Fatal(err)
			}
			ps.Close()
			var all []string
			for _, n := range rc.Nodes() {
				all = append(all, n.Addr)
			}
			if m := dials.missing(all); len(m) > 0 {
				t.Errorf("the Dialer never reached %v", m)
			}
			if tt.name == "NodeCredentialsProvider" {
				if m := creds.missing(all); len(m) > 0 {
					t.Errorf("NodeCredentialsProvider never asked for %v", m)
				}
			} else if n := creds.count("any"); n < len(all) {
				t.Errorf("CredentialsProvider asked %d times for %d nodes", n, len(all))
			}
			if n := hooked.Load(); n < int64(len(all)) {
				t.Errorf("OnConnect ran %d times for %d nodes", n, len(all))
			}
		})
	}
}

// A failing NodeCredentialsProvider or Dialer fails the client with an
// error that names the cause (the topology read reports each seed's
// failure as text), not a panic or a hang.
func TestConnectHooksErrors(t *testing.T) {
	rc := sharedCluster(t)
	errVault := errors.New("vault unreachable")
	errProxy := errors.New("proxy refused")
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"NodeCredentialsProvider", Options{NodeCredentialsProvider: func(context.Context, string) (string, string, error) {
			return "", "", errVault
		}}, errVault},
		{"Dialer", Options{NodeOptions: fastredis.Options{Dialer: func(context.Context, string, string) (net.Conn, error) {
			return nil, errProxy
		}}}, errProxy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Addrs = rc.Addrs()[:1]
			c, err := NewClient(tt.opts)
			if err == nil {
				c.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want.Error()) {
				t.Fatalf("NewClient: %v, want an error naming %v", err, tt.want)
			}
		})
	}
}
