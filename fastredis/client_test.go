package fastredis

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c, err := NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustDo(t *testing.T, c *Client, args ...any) Reply {
	t.Helper()
	r, err := c.Do(context.Background(), args...)
	if err != nil {
		t.Fatalf("Do%v: %v", args, err)
	}
	return r
}

func TestDoBothProtocols(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			mustDo(t, c, "FLUSHDB")

			// Binary-safe values, empty strings, int64 extremes.
			for _, v := range []string{"plain", "", "with\r\nCRLF", "nul\x00byte", strings.Repeat("x", 100000)} {
				mustDo(t, c, "SET", []byte("k:\r\n"), v)
				if got := mustDo(t, c, "GET", []byte("k:\r\n")); got.Str != v || got.Type != resp.BulkString {
					t.Errorf("GET = %q (%v), want %q", got.Str, got.Type, v)
				}
			}
			for _, n := range []int64{math.MaxInt64, math.MinInt64, 0, -1} {
				mustDo(t, c, "SET", "n", n)
				if got := mustDo(t, c, "GET", "n"); got.Str != strconv.FormatInt(n, 10) {
					t.Errorf("GET n = %q, want %d", got.Str, n)
				}
			}
			mustDo(t, c, "SET", "n", math.MaxInt64)
			if _, err := c.Do(ctx, "INCR", "n"); err == nil || !strings.Contains(err.Error(), "overflow") {
				t.Errorf("INCR past MaxInt64: %v", err)
			}

			// A missing key is Nil.
			if _, err := c.Do(ctx, "GET", "missing"); !errors.Is(err, Nil) {
				t.Errorf("GET missing: err = %v, want Nil", err)
			}

			// Server errors are typed and name the command.
			mustDo(t, c, "LPUSH", "list", "a")
			_, err := c.Do(ctx, "get", "list")
			var e *Error
			if !errors.As(err, &e) || e.Prefix != "WRONGTYPE" || e.Command != "GET" {
				t.Errorf("GET on a list: %#v", err)
			}

			// Aggregates: a map in RESP3, a flat array in RESP2.
			mustDo(t, c, "HSET", "h", map[string]string{"f1": "v1", "f2": "v2"})
			h := mustDo(t, c, "HGETALL", "h")
			wantType := resp.Map
			if proto == 2 {
				wantType = resp.Array
			}
			if h.Type != wantType || len(h.Elems) != 4 {
				t.Errorf("HGETALL = %+v, want a %v of 4 elements", h, wantType)
			}

			// Doubles: RESP3 sends a double, RESP2 a bulk string.
			mustDo(t, c, "ZADD", "z", 1.5, "m")
			if s := mustDo(t, c, "ZSCORE", "z", "m"); s.Str != "1.5" {
				t.Errorf("ZSCORE = %+v", s)
			}
		})
	}
}

func TestDoArguments(t *testing.T) {
	if _, err := appendArgs(nil, nil); err == nil {
		t.Error("no arguments: want an error")
	}
	if _, err := appendArgs(nil, []any{"SET", struct{}{}}); err == nil || !strings.Contains(err.Error(), "argument 1") {
		t.Errorf("unsupported type: %v", err)
	}
	got, err := appendArgs(nil, []any{"CMD", []string{"a", "b"}, []any{int8(-1), uint16(2), true}, [][]byte{[]byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	want := "*7\r\n$3\r\nCMD\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\n-1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\nc\r\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHandshake(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{
		Password: "topsecret",
		Users:    []redistest.User{{Name: "alice", Password: "alicepw"}},
	})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Password: "topsecret", DB: 5, ClientName: "worker-1", Protocol: proto})
			if r := mustDo(t, c, "CLIENT", "GETNAME"); r.Str != "worker-1" {
				t.Errorf("client name = %q", r.Str)
			}
			mustDo(t, c, "SET", "db5key", "x")

			// Kill our own connection: the next command redials, and the
			// handshake selects db 5 again.
			id := mustDo(t, c, "CLIENT", "ID")
			admin := newTestClient(t, Options{Addr: srv.Addr, Password: "topsecret"})
			mustDo(t, admin, "CLIENT", "KILL", "ID", id.Int)
			var r Reply
			var err error
			for i := 0; i < 3; i++ { // the first may still meet the dying connection
				if r, err = c.Do(context.Background(), "GET", "db5key"); err == nil {
					break
				}
			}
			if err != nil || r.Str != "x" {
				t.Fatalf("after reconnect: %v %+v", err, r)
			}
			if db := mustDo(t, c, "CLIENT", "INFO"); !strings.Contains(db.Str, " db=5 ") {
				t.Errorf("CLIENT INFO after reconnect: %s", db.Str)
			}

			alice := newTestClient(t, Options{Addr: srv.Addr, Username: "alice", Password: "alicepw", Protocol: proto})
			if r := mustDo(t, alice, "ACL", "WHOAMI"); r.Str != "alice" {
				t.Errorf("WHOAMI = %q", r.Str)
			}
		})
	}

	_, err := NewClient(Options{Addr: srv.Addr, Password: "wrongpass-secret"})
	var e *Error
	if !errors.As(err, &e) || e.Prefix != "WRONGPASS" {
		t.Errorf("wrong password: %v, want a WRONGPASS *Error", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrongpass-secret") {
		t.Errorf("error shows the password: %v", err)
	}
	if _, err := NewClient(Options{Addr: srv.Addr}); !strings.Contains(errString(err), "NOAUTH") {
		t.Errorf("no password: %v, want NOAUTH", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestHelloFallback: a server that does not know HELLO is spoken to in RESP2.
func TestHelloFallback(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Password: "pw", Config: []string{`rename-command HELLO ""`}})
	c := newTestClient(t, Options{Addr: srv.Addr, Password: "pw", ClientName: "fallback"})
	mustDo(t, c, "HSET", "h", "f", "v")
	if h := mustDo(t, c, "HGETALL", "h"); h.Type != resp.Array {
		t.Errorf("HGETALL type = %v, want a RESP2 array", h.Type)
	}
	if r := mustDo(t, c, "CLIENT", "GETNAME"); r.Str != "fallback" {
		t.Errorf("name = %q", r.Str)
	}
}

func TestClientAddresses(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{TLS: true})
	t.Run("unix", func(t *testing.T) {
		o, err := ParseURL("unix://" + srv.Socket + "?db=2")
		if err != nil {
			t.Fatal(err)
		}
		c := newTestClient(t, o)
		mustDo(t, c, "PING")
	})
	t.Run("tls", func(t *testing.T) {
		o, err := ParseURL(srv.TLSURL())
		if err != nil {
			t.Fatal(err)
		}
		o.TLSConfig = srv.ClientTLSConfig()
		c := newTestClient(t, o)
		if r := mustDo(t, c, "PING"); r.Str != "PONG" {
			t.Errorf("PING = %+v", r)
		}
	})
	t.Run("ipv4 url with pool", func(t *testing.T) {
		o, err := ParseURL(srv.URL() + "?pool_size=3&client_name=pooled")
		if err != nil {
			t.Fatal(err)
		}
		c := newTestClient(t, o)
		for i := 0; i < 6; i++ {
			if r := mustDo(t, c, "CLIENT", "GETNAME"); r.Str != "pooled" {
				t.Errorf("name = %q", r.Str)
			}
		}
	})
}

func TestClientErrors(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	if _, err := NewClient(Options{Addr: "127.0.0.1:1", DialTimeout: time.Second}); err == nil {
		t.Error("unreachable server: want an error")
	}
	if _, err := NewClient(Options{Addr: srv.Addr, Protocol: 7}); err == nil {
		t.Error("bad protocol: want an error")
	}
	c := newTestClient(t, Options{Addr: srv.Addr})
	c.Close()
	c.Close()
	if _, err := c.Do(context.Background(), "PING"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	c2 := newTestClient(t, Options{Addr: srv.Addr})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c2.Do(ctx, "PING"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	// A slow command bounded by ReadTimeout; a blocking one by its context
	// (ReadTimeout does not apply to blocking commands).
	c3 := newTestClient(t, Options{Addr: srv.Addr, ReadTimeout: 50 * time.Millisecond})
	if _, err := c3.Do(context.Background(), "DEBUG", "SLEEP", "0.2"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReadTimeout: %v", err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	if _, err := c3.Do(dctx, "BLPOP", "nothing", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BLPOP with a context deadline: %v", err)
	}
}

func TestParseLoading(t *testing.T) {
	loading, eta := parseLoading("# Persistence\r\nloading:1\r\nloading_eta_seconds:3\r\n")
	if !loading || eta != 3*time.Second {
		t.Errorf("got %v %v", loading, eta)
	}
	if loading, _ := parseLoading("loading:0\r\n"); loading {
		t.Error("loading:0 read as loading")
	}
}
