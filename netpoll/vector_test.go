package netpoll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// setBuffers is SET key value as DoBuffers takes it: the value is its own
// buffer, never copied.
func setBuffers(key string, value []byte) [][]byte {
	head := resp.AppendArrayHeader(nil, 3)
	head = resp.AppendBulkString(head, "SET")
	head = resp.AppendBulkString(head, key)
	head = resp.AppendBulkHeader(head, len(value))
	return [][]byte{head, value, []byte("\r\n")}
}

// stampedValue is n bytes that name their writer and round, so that a
// value read back from the wrong SET cannot pass.
func stampedValue(n, g, i int) []byte {
	v := bytes.Repeat([]byte{byte('a' + (g+i)%26)}, n)
	copy(v, fmt.Sprintf("g%d:i%d:", g, i))
	copy(v[n-16:], fmt.Sprintf("%16d", g*1000+i))
	return v
}

// TestDoBuffersAmongSmallCommands writes large values with DoBuffers while
// other callers send small commands on the same connection: every value
// reads back whole and every small command gets its own reply, whether the
// write side is free, owned by another vector writer, or owned by a caller
// writing a batch (the hand-over in takePending).
func TestDoBuffersAmongSmallCommands(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			c := dialServer(t, srv, tr, Options{})
			if got, want := c.WritesBuffers(), tr == TransportNetConn; got != want {
				t.Fatalf("WritesBuffers() = %v, want %v", got, want)
			}
			const writers, echoers, rounds = 6, 6, 30
			var wg sync.WaitGroup
			errs := make(chan error, writers+echoers)
			for g := 0; g < writers; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var h bytesHandler
					key := "vec:" + tr.String() + ":" + strconv.Itoa(g)
					for i := 0; i < rounds; i++ {
						value := stampedValue(100<<10+g*4096+i, g, i)
						if err := c.DoBuffers(context.Background(), time.Time{}, &h, 1, setBuffers(key, value)); err != nil {
							errs <- fmt.Errorf("SET %s: %w", key, err)
							return
						}
						if h.typ != resp.SimpleString || string(h.got) != "OK" {
							errs <- fmt.Errorf("SET %s: reply %v %q, want OK", key, h.typ, h.got)
							return
						}
						if err := c.Do(context.Background(), &h, 1, encodeCmd("GET", key)); err != nil {
							errs <- fmt.Errorf("GET %s: %w", key, err)
							return
						}
						if !bytes.Equal(h.got, value) {
							errs <- fmt.Errorf("GET %s round %d: %d bytes differing at %d from the %d set", key, i, len(h.got), fakeFirstDiff(h.got, value), len(value))
							return
						}
					}
				}()
			}
			for g := 0; g < echoers; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var h bytesHandler
					for i := 0; i < 20*rounds; i++ {
						if err := echoToken(context.Background(), c, &h, "e"+strconv.Itoa(g)+":"+strconv.Itoa(i)); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestDoBuffersServerNotReading writes a value larger than the socket
// buffers to a server that never reads. The writer's context ending (by
// deadline, by cancellation, or DoBuffers' own deadline) stops the write
// and shuts the connection down, since part of a command went out; a second
// vector writer waiting its turn gives up at its own deadline; a small
// command queued behind them fails with the connection. Nothing hangs.
func TestDoBuffersServerNotReading(t *testing.T) {
	big := make([]byte, 64<<20)
	cases := []struct {
		name string
		call func(c *Conn, h Handler) error
		want error
	}{
		{"context deadline", func(c *Conn, h Handler) error {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			return c.DoBuffers(ctx, time.Time{}, h, 1, setBuffers("k", big))
		}, context.DeadlineExceeded},
		{"cancelled", func(c *Conn, h Handler) error {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			return c.DoBuffers(ctx, time.Time{}, h, 1, setBuffers("k", big))
		}, context.Canceled},
		{"deadline argument", func(c *Conn, h Handler) error {
			return c.DoBuffers(context.Background(), time.Now().Add(150*time.Millisecond), h, 1, setBuffers("k", big))
		}, context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) { <-c.stop })
			c := fakeDial(t, srv, TransportNetConn, Options{})
			var h bytesHandler
			writing := make(chan struct{}, 1)
			testHookWriteBuffers = func() {
				select {
				case writing <- struct{}{}:
				default:
				}
			}
			t.Cleanup(func() { testHookWriteBuffers = nil })
			done := make(chan error, 1)
			go func() { done <- tc.call(c, &h) }()
			<-writing
			// A second vector writer waits for the first, within its deadline.
			var h2 bytesHandler
			ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel2()
			err2 := c.DoBuffers(ctx2, time.Time{}, &h2, 1, setBuffers("k2", big[:1<<20]))
			fakeWantErr(t, "the waiting vector writer", err2, context.DeadlineExceeded)
			// A small command queued behind the stuck write.
			small := make(chan error, 1)
			go func() { small <- c.Do(fakeCtx(t), &bytesHandler{}, 1, encodeCmd("PING")) }()
			select {
			case err := <-done:
				fakeWantErr(t, "the stuck vector writer", err, tc.want)
			case <-time.After(fakeSafety):
				t.Fatalf("DoBuffers did not return\n%s", allStacks())
			}
			fakeWaitDone(t, c)
			select {
			case err := <-small:
				if err == nil {
					t.Error("PING behind a half-written command succeeded")
				}
			case <-time.After(fakeSafety):
				t.Fatalf("PING did not return\n%s", allStacks())
			}
		})
	}
}

// TestDoBuffersBadInput: nothing to write, or no handler, is refused before
// anything is sent; a closed connection says so.
func TestDoBuffersBadInput(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv, TransportNetConn, Options{})
	var h bytesHandler
	ctx := context.Background()
	for name, bufs := range map[string][][]byte{"nil": nil, "empty buffers": {{}, nil}} {
		if err := c.DoBuffers(ctx, time.Time{}, &h, 1, bufs); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: err %v, want ErrBadRequest", name, err)
		}
	}
	if err := c.DoBuffers(ctx, time.Time{}, nil, 1, setBuffers("k", []byte("v"))); !errors.Is(err, ErrBadRequest) {
		t.Errorf("nil handler: err %v, want ErrBadRequest", err)
	}
	if err := c.DoBuffers(ctx, time.Time{}, &h, 1, setBuffers("k", []byte("v"))); err != nil || string(h.got) != "OK" {
		t.Fatalf("SET: %v %q", err, h.got)
	}
	c.Close()
	if err := c.DoBuffers(ctx, time.Time{}, &h, 1, setBuffers("k", []byte("v"))); err == nil {
		t.Error("DoBuffers on a closed connection succeeded")
	}
}
