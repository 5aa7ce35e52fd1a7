package fastredis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/redistest"
)

// rotatingCreds is a CredentialsProvider whose answer the test changes,
// counting its calls.
type rotatingCreds struct {
	mu         sync.Mutex
	user, pass string
	fail       error
	calls      atomic.Int64
}

func (r *rotatingCreds) set(user, pass string, fail error) {
	r.mu.Lock()
	r.user, r.pass, r.fail = user, pass, fail
	r.mu.Unlock()
}

func (r *rotatingCreds) provide(ctx context.Context) (string, string, error) {
	r.calls.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.user, r.pass, r.fail
}

// killClient kills c's shared connection (slot 0) through admin.
func killClient(t *testing.T, admin, c *Client) {
	t.Helper()
	id := val[int64](t, "CLIENT ID")(c.ClientID(bg))
	if _, err := admin.ClientKill(bg, ClientKillFilter{ID: id}); err != nil {
		t.Fatal(err)
	}
}

// A password rotated on the server while the client runs: the reconnect
// after CLIENT KILL asks the provider again and uses the new one; so do the
// dedicated and subscriber connections opened afterwards.
func TestCredentialsProviderRotation(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Password: "old-pass", Users: []redistest.User{
		{Name: "app", Password: "app-old"},
	}})
	admin := newTestClient(t, Options{Addr: srv.Addr, Password: "old-pass"})
	tests := []struct {
		name           string
		proto          int
		user, old, new string
		rotate         func(t *testing.T)
	}{
		{"requirepass/RESP3", 3, "", "old-pass", "new-pass", func(t *testing.T) {
			mustDo(t, admin, "CONFIG", "SET", "requirepass", "new-pass")
		}},
		{"requirepass/RESP2", 2, "", "new-pass", "newer-pass", func(t *testing.T) {
			mustDo(t, admin, "CONFIG", "SET", "requirepass", "newer-pass")
		}},
		{"ACL/RESP3", 3, "app", "app-old", "app-new", func(t *testing.T) {
			mustDo(t, admin, "ACL", "SETUSER", "app", "resetpass", ">app-new")
		}},
		{"ACL/RESP2", 2, "app", "app-new", "app-newer", func(t *testing.T) {
			mustDo(t, admin, "ACL", "SETUSER", "app", "resetpass", ">app-newer")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := &rotatingCreds{}
			creds.set(tt.user, tt.old, nil)
			events := newEventLog()
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: tt.proto, Username: "ignored", Password: "ignored",
				CredentialsProvider: creds.provide, RetryStrategy: fixedRetry(10 * time.Millisecond), OnEvent: events.add})
			if n := creds.calls.Load(); n != 1 {
				t.Fatalf("%d provider calls after NewClient, want 1", n)
			}
			tt.rotate(t)
			creds.set(tt.user, tt.new, nil)
			killClient(t, admin, c)
			events.await(t, EventReady, 2)
			if n := creds.calls.Load(); n != 2 {
				t.Errorf("%d provider calls after the reconnect, want 2", n)
			}
			if err := c.Set(bg, "creds:k", tt.name); err != nil {
				t.Fatalf("SET after the reconnect: %v", err)
			}
			if tt.user != "" {
				eq(t, "ACL WHOAMI", tt.user)(c.ACLWhoAmI(bg))
			}
			// A dedicated connection (Watch) and a subscriber handshake
			// through the provider too.
			if err := c.Watch(bg, func(tx *Tx) error { _, err := tx.Get(bg, "creds:k"); return err }, "creds:k"); err != nil {
				t.Fatalf("Watch: %v", err)
			}
			ps, err := c.Subscribe(bg, "creds:ch")
			if err != nil {
				t.Fatalf("Subscribe: %v", err)
			}
			ps.Close()
			if n := creds.calls.Load(); n != 4 {
				t.Errorf("%d provider calls after Watch and Subscribe, want 4", n)
			}
		})
	}
}

// A provider that fails: NewClient says so (HandshakeError, the cause
// wrapped); a running client's reconnect fails the same way and keeps
// trying, and is ready again once the provider recovers.
func TestCredentialsProviderError(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Password: "pw"})
	admin := newTestClient(t, Options{Addr: srv.Addr, Password: "pw"})
	errVault := errors.New("vault unreachable")

	creds := &rotatingCreds{}
	creds.set("", "pw", errVault)
	_, err := NewClient(Options{Addr: srv.Addr, CredentialsProvider: creds.provide})
	var he *HandshakeError
	if !errors.Is(err, errVault) || !errors.As(err, &he) || he.Step != "CredentialsProvider" {
		t.Fatalf("NewClient with a failing provider: %v, want a HandshakeError at CredentialsProvider wrapping the cause", err)
	}

	creds.set("", "pw", nil)
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, CredentialsProvider: creds.provide,
		RetryStrategy: fixedRetry(5 * time.Millisecond), MaxRetriesPerRequest: UnlimitedRetries, OnEvent: events.add})
	creds.set("", "", errVault)
	killClient(t, admin, c)
	events.await(t, EventError, 2)
	for _, ev := range events.snapshot() {
		if ev.Type == EventError && !errors.Is(ev.Err, errVault) {
			t.Errorf("EventError %v does not wrap the provider's error", ev.Err)
		}
	}
	if c.Status() != StatusReconnecting {
		t.Errorf("status %v while the provider fails", c.Status())
	}
	creds.set("", "pw", nil)
	events.await(t, EventReady, 2)
	if err := c.Set(bg, "creds:recovered", "1"); err != nil {
		t.Fatalf("SET after the provider recovered: %v", err)
	}
}

// countingConn wraps a net.Conn and counts the bytes read through it.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// countingDialer dials with a net.Dialer, counting dials, optionally
// returning the connection wrapped in a countingConn.
type countingDialer struct {
	wrap  bool
	dials atomic.Int64
	read  atomic.Int64
	mu    sync.Mutex
	addrs map[string]int
}

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	d.mu.Lock()
	if d.addrs == nil {
		d.addrs = map[string]int{}
	}
	d.addrs[addr]++
	d.mu.Unlock()
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, addr)
	if err != nil || !d.wrap {
		return nc, err
	}
	return countingConn{Conn: nc, read: &d.read}, nil
}

// The Dialer opens every connection, on each transport, TLS included, and
// again at the reconnect; a wrapped net.Conn is read through its own
// methods. With TransportGnet a wrapped conn is an error (gnet needs the
// descriptor).
func TestDialer(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{TLS: true})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	tests := []struct {
		name      string
		transport netpoll.Transport
		tls       bool
		wrap      bool
		wantErr   string
	}{
		{"auto", netpoll.TransportAuto, false, false, ""},
		{"gnet", netpoll.TransportGnet, false, false, ""},
		{"netconn", netpoll.TransportNetConn, false, false, ""},
		{"auto/TLS", netpoll.TransportAuto, true, false, ""},
		{"auto/wrapped", netpoll.TransportAuto, false, true, ""},
		{"netconn/wrapped", netpoll.TransportNetConn, false, true, ""},
		{"auto/TLS/wrapped", netpoll.TransportAuto, true, true, ""},
		{"gnet/wrapped", netpoll.TransportGnet, false, true, "gnet transport needs a *net.TCPConn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &countingDialer{wrap: tt.wrap}
			opts := Options{Addr: srv.Addr, Transport: tt.transport, Dialer: d.dial, PoolSize: 2,
				RetryStrategy: fixedRetry(5 * time.Millisecond)}
			if tt.tls {
				opts.Addr, opts.TLSConfig = srv.TLSAddr, srv.ClientTLSConfig()
			}
			events := newEventLog()
			opts.OnEvent = events.add
			c, err := NewClient(opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewClient: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			defer c.Close()
			if n := d.dials.Load(); n != 2 {
				t.Errorf("%d dials for PoolSize 2, want 2", n)
			}
			killClient(t, admin, c)
			events.await(t, EventReady, 3)
			if n := d.dials.Load(); n != 3 {
				t.Errorf("%d dials after a reconnect, want 3", n)
			}
			if err := c.Set(bg, "dialer:k", tt.name); err != nil {
				t.Fatal(err)
			}
			eq(t, "GET", tt.name)(c.Get(bg, "dialer:k"))
			if tt.wrap && d.read.Load() == 0 {
				t.Error("nothing was read through the wrapped net.Conn")
			}
			if !tt.wrap && d.read.Load() != 0 {
				t.Error("bytes counted without a wrapper")
			}
		})
	}
}

// A Dialer that fails, or returns nothing at all, fails the connection
// attempt with an error saying so; never a panic.
func TestDialerErrors(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	errProxy := errors.New("proxy refused")
	tests := []struct {
		name   string
		dialer func(ctx context.Context, network, addr string) (net.Conn, error)
		want   error
	}{
		{"error", func(context.Context, string, string) (net.Conn, error) { return nil, errProxy }, errProxy},
		{"nil conn", func(context.Context, string, string) (net.Conn, error) { return nil, nil }, netpoll.ErrNilConn},
		{"conn and error", func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return nc, errProxy
		}, errProxy},
		{"waits out the ctx", func(ctx context.Context, network, addr string) (net.Conn, error) {
			<-ctx.Done() // the DialTimeout ends it
			return nil, ctx.Err()
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		for _, tr := range []netpoll.Transport{netpoll.TransportAuto, netpoll.TransportNetConn} {
			t.Run(tt.name+"/"+tr.String(), func(t *testing.T) {
				_, err := NewClient(Options{Addr: srv.Addr, Dialer: tt.dialer, Transport: tr, DialTimeout: 100 * time.Millisecond})
				if !errors.Is(err, tt.want) {
					t.Fatalf("NewClient: %v, want an error matching %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), "Dialer") {
					t.Errorf("error %q does not name the Dialer", err)
				}
			})
		}
	}
}

// OnConnect runs on every new connection that serves commands, before any
// caller's: the shared ones, each reconnect, dedicated ones; not on
// subscribers. Its commands go to that connection (CLIENT SETNAME shows
// on it) and are not queued behind callers waiting for the reconnect.
func TestOnConnect(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	mustDo(t, admin, "DEL", "onconnect:runs", "onconnect:order")
	var runs atomic.Int64
	var gateMu sync.Mutex
	gate := make(chan struct{}) // OnConnect waits for it before its writes
	close(gate)
	hook := func(ctx context.Context, cn *Conn) error {
		n := runs.Add(1)
		if err := cn.ClientSetName(ctx, fmt.Sprintf("hooked-%d", n)); err != nil {
			return err
		}
		gateMu.Lock()
		g := gate
		gateMu.Unlock()
		<-g
		if _, err := cn.Incr(ctx, "onconnect:runs"); err != nil {
			return err
		}
		_, err := cn.RPush(ctx, "onconnect:order", fmt.Sprintf("hook-%d", n))
		return err
	}
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnConnect: hook, OnEvent: events.add,
		RetryStrategy: fixedRetry(5 * time.Millisecond), DialTimeout: 10 * time.Second})
	eq(t, "runs after NewClient", "1")(admin.Get(bg, "onconnect:runs"))
	eq(t, "CLIENT GETNAME", "hooked-1")(c.ClientGetName(bg))

	// Reconnect with OnConnect held: a caller's command waits offline and
	// runs after the hook's.
	gateMu.Lock()
	gate = make(chan struct{})
	held := gate
	gateMu.Unlock()
	killClient(t, admin, c)
	for runs.Load() < 2 {
		runtime.Gosched()
	}
	result := make(chan error, 1)
	go func() { _, err := c.RPush(bg, "onconnect:order", "caller"); result <- err }()
	for waiting(c) < 1 {
		runtime.Gosched()
	}
	close(held)
	if err := <-result; err != nil {
		t.Fatalf("the caller's RPUSH: %v", err)
	}
	order := val[[]string](t, "LRANGE")(admin.LRange(bg, "onconnect:order", 0, -1))
	if want := []string{"hook-1", "hook-2", "caller"}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", order, want)
	}
	eq(t, "CLIENT GETNAME after the reconnect", "hooked-2")(c.ClientGetName(bg))

	// A dedicated connection runs it; a subscriber does not.
	if err := c.Watch(bg, func(tx *Tx) error {
		name, err := tx.ClientGetName(bg)
		if err == nil && name != "hooked-3" {
			err = fmt.Errorf("the Tx's connection is named %q, want hooked-3", name)
		}
		return err
	}); err != nil {
		t.Fatalf("Watch: %v", err)
	}
	ps, err := c.Subscribe(bg, "onconnect:ch")
	if err != nil {
		t.Fatal(err)
	}
	ps.Close()
	if n := runs.Load(); n != 3 {
		t.Errorf("OnConnect ran %d times, want 3 (2 shared, 1 dedicated, no subscriber)", n)
	}
	eq(t, "runs", "3")(admin.Get(bg, "onconnect:runs"))
}

// A Conn is for commands on its connection: what needs connections of its
// own is refused, and a Conn kept past OnConnect is closed.
func TestOnConnectConnLimits(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	var kept *Conn
	var errs []error
	newTestClient(t, Options{Addr: srv.Addr, OnConnect: func(ctx context.Context, cn *Conn) error {
		kept = cn
		_, err := cn.Subscribe(ctx, "ch")
		errs = append(errs, err)
		_, err = cn.Monitor(ctx)
		errs = append(errs, err)
		errs = append(errs, cn.Watch(ctx, func(*Tx) error { return nil }))
		_, err = cn.Ping(ctx)
		return err
	}})
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d (Subscribe, Monitor, Watch) on an OnConnect Conn succeeded", i)
		}
	}
	if _, err := kept.Ping(bg); !errors.Is(err, ErrClosed) {
		t.Errorf("PING on a Conn after OnConnect: %v, want ErrClosed", err)
	}
}

// A failing OnConnect fails the connection attempt: NewClient returns an
// *OnConnectError wrapping the cause and leaves no connection open; a
// reconnect that fails so keeps trying, and succeeds once the hook does.
func TestOnConnectError(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	errHook := errors.New("setup refused")
	var failing atomic.Bool
	failing.Store(true)
	hook := func(ctx context.Context, cn *Conn) error {
		if failing.Load() {
			return errHook
		}
		_, err := cn.Ping(ctx)
		return err
	}
	_, err := NewClient(Options{Addr: srv.Addr, ClientName: "onconnect-fails", OnConnect: hook})
	var oe *OnConnectError
	if !errors.Is(err, errHook) || !errors.As(err, &oe) {
		t.Fatalf("NewClient with a failing OnConnect: %v, want an *OnConnectError wrapping the cause", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(val[string](t, "CLIENT LIST")(admin.ClientList(bg)), "name=onconnect-fails") {
		if time.Now().After(deadline) {
			t.Fatal("the failed connection is still open on the server")
		}
		runtime.Gosched()
	}

	failing.Store(false)
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnConnect: hook, OnEvent: events.add,
		RetryStrategy: fixedRetry(5 * time.Millisecond), MaxRetriesPerRequest: UnlimitedRetries})
	failing.Store(true)
	killClient(t, admin, c)
	events.await(t, EventError, 2)
	for _, ev := range events.snapshot() {
		if ev.Type == EventError && !errors.As(ev.Err, &oe) {
			t.Errorf("EventError %v is not an *OnConnectError", ev.Err)
		}
	}
	failing.Store(false)
	events.await(t, EventReady, 2)
	if _, err := c.Ping(bg); err != nil {
		t.Fatalf("PING after OnConnect recovered: %v", err)
	}
}

// NewUniversalClient passes the hooks through to the client it makes.
func TestUniversalConnectHooks(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Password: "pw"})
	d := &countingDialer{}
	creds := &rotatingCreds{}
	creds.set("", "pw", nil)
	var hooked atomic.Int64
	u, err := NewUniversalClient(UniversalOptions{Addrs: []string{srv.Addr}, Options: Options{
		Dialer: d.dial, CredentialsProvider: creds.provide,
		OnConnect: func(context.Context, *Conn) error { hooked.Add(1); return nil },
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.Set(bg, "universal:hooks", "1"); err != nil {
		t.Fatal(err)
	}
	if d.dials.Load() != 1 || creds.calls.Load() != 1 || hooked.Load() != 1 {
		t.Errorf("dials %d, provider calls %d, OnConnect runs %d: want 1 each", d.dials.Load(), creds.calls.Load(), hooked.Load())
	}
}

// The hooks run at connect time only: a client with all three set
// allocates nothing per command, on gnet (a raw TCPConn from the Dialer)
// as without them.
func TestConnectHooksAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	d := &countingDialer{}
	c := newTestClient(t, Options{Addr: srv.Addr, Dialer: d.dial,
		CredentialsProvider: func(context.Context) (string, string, error) { return "", "", nil },
		OnConnect:           func(ctx context.Context, cn *Conn) error { _, err := cn.Ping(ctx); return err }})
	value := []byte("v")
	dst := make([]byte, 0, 16)
	fn := func() {
		must(t, c.SetBytes(bg, "hooks:allocs", value))
		dst, _ = c.GetAppend(bg, dst[:0], "hooks:allocs")
	}
	fn()
	if allocs := testing.AllocsPerRun(200, fn); allocs != 0 {
		t.Errorf("%v allocs per SET+GET with connect hooks set, want 0", allocs)
	}
}
