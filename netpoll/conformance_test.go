package netpoll

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// The conformance suite: every test runs against both transports and a real
// server started by redistest.

// echoToken sends ECHO with a token unique to the call and checks that the
// reply carries that token and no other.
func echoToken(ctx context.Context, c *Conn, h *bytesHandler, token string) error {
	if err := c.Do(ctx, h, 1, encodeCmd("ECHO", token)); err != nil {
		return err
	}
	if string(h.got) != token {
		return fmt.Errorf("mismatched reply: sent %q, got %q", token, h.got)
	}
	return nil
}

func TestConcurrentCallersGetTheirOwnReplies(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		for _, callers := range []int{1, 16, 256} {
			t.Run(fmt.Sprintf("%s/callers=%d", tr, callers), func(t *testing.T) {
				checkGoroutines(t)
				c := dialServer(t, srv, tr, Options{})
				var wg sync.WaitGroup
				errs := make(chan error, callers)
				for g := 0; g < callers; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var h bytesHandler
						for i := 0; i < 200; i++ {
							if err := echoToken(context.Background(), c, &h, "g"+strconv.Itoa(g)+":"+strconv.Itoa(i)); err != nil {
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
}

// TestCancelledCallsNeverDesynchronise runs a million calls of which one in
// ten has its context cancelled at a random moment: before it is sent,
// while it waits, or as its reply arrives. Every call that returns a reply
// must get its own.
func TestCancelledCallsNeverDesynchronise(t *testing.T) {
	total := 1_000_000
	if testing.Short() {
		total = 100_000
	}
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			c := dialServer(t, srv, tr, Options{})
			const workers = 64
			var next, cancelled, replied atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 7))
					var h bytesHandler
					for {
						i := next.Add(1)
						if i > int64(total) {
							return
						}
						token := strconv.FormatInt(i, 36)
						ctx := context.Background()
						var cancel context.CancelFunc = func() {}
						if rng.IntN(10) == 0 {
							ctx, cancel = context.WithCancel(ctx)
							switch rng.IntN(3) {
							case 0:
								cancel() // before it is sent
							case 1:
								time.AfterFunc(time.Duration(rng.IntN(50))*time.Microsecond, cancel)
							default:
								go cancel() // races with the reply
							}
						}
						err := echoToken(ctx, c, &h, token)
						cancel()
						switch {
						case err == nil:
							replied.Add(1)
						case errors.Is(err, context.Canceled):
							cancelled.Add(1)
						default:
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			t.Logf("%d replied, %d cancelled", replied.Load(), cancelled.Load())
			if cancelled.Load() == 0 {
				t.Error("no call was cancelled: the test did not test cancellation")
			}
			// The connection is still in step afterwards.
			var h bytesHandler
			if err := echoToken(context.Background(), c, &h, "after"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// loadUntilFailure runs callers that send ECHOs until the connection fails,
// and returns the errors they ended with.
func loadUntilFailure(t *testing.T, c *Conn, callers int, started chan<- struct{}) []error {
	t.Helper()
	var wg sync.WaitGroup
	var once sync.Once
	errs := make([]error, callers)
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h bytesHandler
			for i := 0; ; i++ {
				if i == 100 {
					once.Do(func() { close(started) })
				}
				if err := echoToken(context.Background(), c, &h, "t"+strconv.Itoa(g)+"-"+strconv.Itoa(i)); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func TestServerKilledMidLoad(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := redistest.Start(t, redistest.Options{})
			c := dialServer(t, srv, tr, Options{})
			started := make(chan struct{})
			go func() {
				<-started
				srv.Kill()
			}()
			for g, err := range loadUntilFailure(t, c, 32, started) {
				if !errors.Is(err, ErrConnLost) {
					t.Errorf("caller %d: err = %v, want ErrConnLost", g, err)
				}
			}
			<-c.Done()
			if !errors.Is(c.Err(), ErrConnLost) {
				t.Errorf("Err() = %v", c.Err())
			}
			var h bytesHandler
			if err := c.Do(context.Background(), &h, 1, encodeCmd("PING")); !errors.Is(err, ErrConnLost) {
				t.Errorf("Do after failure: %v", err)
			}
		})
	}
}

func TestClientKill(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			victim := dialServer(t, srv, tr, Options{})
			admin := dialServer(t, srv, tr, Options{})
			var id bytesHandler
			if err := victim.Do(context.Background(), &id, 1, encodeCmd("CLIENT", "ID")); err != nil {
				t.Fatal(err)
			}
			started := make(chan struct{})
			go func() {
				<-started
				var h bytesHandler
				if err := admin.Do(context.Background(), &h, 1, encodeCmd("CLIENT", "KILL", "ID", string(id.got))); err != nil {
					t.Error(err)
				}
			}()
			for g, err := range loadUntilFailure(t, victim, 8, started) {
				if !errors.Is(err, ErrConnLost) {
					t.Errorf("caller %d: err = %v, want ErrConnLost", g, err)
				}
			}
			// The other connection is unaffected.
			var h bytesHandler
			if err := echoToken(context.Background(), admin, &h, "still here"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBackpressure: with the server paused, a connection holding
// MaxPending requests makes the next caller wait, and that caller's context
// still ends its wait.
func TestBackpressure(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			admin := dialServer(t, srv, tr, Options{})
			c := dialServer(t, srv, tr, Options{MaxPending: 2})
			var h bytesHandler
			if err := admin.Do(context.Background(), &h, 1, encodeCmd("CLIENT", "PAUSE", "400", "ALL")); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for g := 0; g < 2; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var h bytesHandler
					if err := echoToken(context.Background(), c, &h, "held"+strconv.Itoa(g)); err != nil {
						t.Error(err)
					}
				}()
			}
			for c.Pending() < 2 {
				time.Sleep(time.Millisecond) // polling: the callers' arrival has no event to wait on
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			if err := c.Do(ctx, &h, 1, encodeCmd("PING")); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("third caller: err = %v, want DeadlineExceeded", err)
			}
			if n := c.Pending(); n != 2 {
				t.Errorf("Pending = %d, want 2: the waiting caller must not have been queued", n)
			}
			wg.Wait() // the pause ends and the held calls complete
			if err := echoToken(context.Background(), c, &h, "after"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUnixSocketAndTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{TLS: true})
	ctx := context.Background()
	cases := []struct {
		name, network, addr string
		opts                Options
	}{
		{"unix/gnet", "unix", srv.Socket, Options{Transport: TransportGnet}},
		{"unix/netconn", "unix", srv.Socket, Options{Transport: TransportNetConn}},
		{"tls/auto", "tcp", srv.TLSAddr, Options{TLS: srv.ClientTLSConfig()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			c, err := Dial(ctx, tc.network, tc.addr, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var h bytesHandler
			for i := 0; i < 10; i++ {
				if err := echoToken(ctx, c, &h, "tok"+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if _, err := Dial(ctx, "tcp", srv.Addr, Options{Transport: TransportGnet, TLS: srv.ClientTLSConfig()}); err == nil {
		t.Error("gnet with TLS: want an error")
	}
}

func TestCloseIsIdempotentAndFailsPending(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			c := dialServer(t, srv, tr, Options{})
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.Close()
				}()
			}
			wg.Wait()
			c.Close()
			var h bytesHandler
			err := c.Do(context.Background(), &h, 1, encodeCmd("PING"))
			if !errors.Is(err, ErrConnLost) || !errors.Is(err, ErrClosed) {
				t.Errorf("Do after Close: %v", err)
			}
		})
	}
}

func TestDialErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Dial(ctx, "tcp", "127.0.0.1:1", Options{}); err == nil {
		t.Error("dial to a closed port: want an error")
	}
	if _, err := Dial(ctx, "tcp", "127.0.0.1:1", Options{MaxPending: -1}); err == nil {
		t.Error("negative MaxPending: want an error")
	}
	if _, err := Dial(ctx, "tcp", "127.0.0.1:1", Options{Transport: 9}); err == nil {
		t.Error("unknown transport: want an error")
	}
}

func TestBadRequests(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv, TransportGnet, Options{})
	var h bytesHandler
	ctx := context.Background()
	if err := c.Do(ctx, nil, 1, encodeCmd("PING")); !errors.Is(err, ErrBadRequest) {
		t.Errorf("nil handler: %v", err)
	}
	if err := c.Do(ctx, &h, 0, encodeCmd("PING")); !errors.Is(err, ErrBadRequest) {
		t.Errorf("zero replies: %v", err)
	}
	if err := c.Do(ctx, &h, 1, func(b []byte) []byte { return b }); !errors.Is(err, ErrBadRequest) {
		t.Errorf("empty encoding: %v", err)
	}
	// A group: MULTI, SET, GET, EXEC stays contiguous and yields four replies.
	var g groupHandler
	err := c.Do(ctx, &g, 4, func(b []byte) []byte {
		b = encodeCmd("MULTI")(b)
		b = encodeCmd("SET", "k", "v")(b)
		b = encodeCmd("GET", "k")(b)
		return encodeCmd("EXEC")(b)
	})
	if err != nil || fmt.Sprint(g.replies) != "[OK QUEUED QUEUED *2]" {
		t.Errorf("group: %v %v", g.replies, err)
	}
}

type respValue = resp.Value

type groupHandler struct{ replies []string }

func (g *groupHandler) Reply(i int, v respValue) {
	if v.Type().IsAggregate() {
		g.replies = append(g.replies, "*"+strconv.Itoa(v.Len()))
		return
	}
	g.replies = append(g.replies, v.String())
}
