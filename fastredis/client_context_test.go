package fastredis

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// blackHole listens on a loopback port, accepts every connection and reads
// what it is sent, never answering: a server that hangs. heard receives a
// value once a connection has sent its first bytes (the handshake's first
// command).
func blackHole(t *testing.T) (addr string, heard <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan struct{}, 16)
	go func() {
		for {
			cn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer cn.Close()
				buf := make([]byte, 4096)
				for first := true; ; first = false {
					if _, err := cn.Read(buf); err != nil {
						return // the client gave up and closed
					}
					if first {
						select {
						case ch <- struct{}{}:
						default:
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), ch
}

// NewClientContext gives up when its context ends, however far connecting
// got, returns an error matching the context's, and leaves no connection
// nor goroutine behind.
func TestNewClientContext(t *testing.T) {
	// A first client warms up what connections share for the process's
	// life (the event loops) before goroutines are counted.
	addr, _ := blackHole(t)
	warm, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	NewClientContext(warm, Options{Addr: addr})
	cancel()

	cases := []struct {
		name string
		// ctx is the context to connect with; heard tells when the
		// server has the first command of the handshake.
		ctx  func(heard <-chan struct{}) (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func(<-chan struct{}) (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled during the handshake", func(heard <-chan struct{}) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-heard
				cancel()
			}()
			return ctx, cancel
		}, context.Canceled},
		{"cancelled before", func(<-chan struct{}) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, heard := blackHole(t)
			before := psGoroutines()
			ctx, cancel := tc.ctx(heard)
			defer cancel()
			start := time.Now()
			c, err := NewClientContext(ctx, Options{Addr: addr, DialTimeout: time.Minute, PoolSize: 2})
			if c != nil || !errors.Is(err, tc.want) {
				t.Fatalf("NewClientContext = %v, %v; want an error matching %v", c, err, tc.want)
			}
			// Promptly: DialTimeout is a minute.
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("returned after %v", d)
			}
			psAwaitGoroutines(t, before)
		})
	}
}

// Without a deadline of its own, NewClientContext is bounded by
// DialTimeout as NewClient is; a client it returns does not depend on its
// context; with LazyConnect it does not connect at all.
func TestNewClientContextServer(t *testing.T) {
	addr, _ := blackHole(t)
	c, err := NewClientContext(context.Background(), Options{Addr: addr, DialTimeout: 100 * time.Millisecond})
	if c != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("black hole, DialTimeout 100ms: %v, %v", c, err)
	}

	srv := redistest.Start(t, redistest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	c, err = NewClientContext(ctx, Options{Addr: srv.Addr, PoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cancel()
	if r, err := c.Do(context.Background(), "PING"); err != nil || r.Str != "PONG" {
		t.Errorf("PING after the context ended: %+v, %v", r, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	lazy, err := NewClientContext(ctx, Options{Addr: addr, LazyConnect: true})
	if err != nil || lazy.Status() != StatusConnecting {
		t.Fatalf("LazyConnect with an ended context: %v, %v", lazy, err)
	}
	lazy.Close()
}
