package netpoll

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// Serial callers on the net.Conn transport read their own replies; every
// reply is its own caller's.
func TestDirectReadSerial(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv, TransportNetConn, Options{})
	bg := context.Background()
	for i := range 500 {
		k, v := "direct:"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		var h bytesHandler
		if err := c.Do(bg, &h, 1, encodeCmd("SET", k, v)); err != nil || string(h.got) != "OK" {
			t.Fatalf("SET %s: %v %q", k, err, h.got)
		}
		h = bytesHandler{}
		if err := c.Do(bg, &h, 1, encodeCmd("GET", k)); err != nil || string(h.got) != v {
			t.Fatalf("GET %s = %q, %v; want %q", k, h.got, err, v)
		}
	}
	if n := c.directReads.Load(); n < 900 {
		t.Errorf("%d of 1000 serial requests read directly; want nearly all", n)
	}
	// Contexts that can be cancelled, or have a deadline, read directly
	// too.
	for name, mk := range map[string]func() (context.Context, context.CancelFunc){
		"cancel":  func() (context.Context, context.CancelFunc) { return context.WithCancel(bg) },
		"timeout": func() (context.Context, context.CancelFunc) { return context.WithTimeout(bg, time.Minute) },
	} {
		before := c.directReads.Load()
		for range 100 {
			ctx, cancel := mk()
			var h bytesHandler
			err := c.Do(ctx, &h, 1, encodeCmd("PING"))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := c.directReads.Load() - before; n < 90 {
			t.Errorf("%s: %d of 100 requests read directly; want nearly all", name, n)
		}
	}
	// NoDirectReads turns it off.
	off := dialServer(t, srv, TransportNetConn, Options{NoDirectReads: true})
	for range 20 {
		var h bytesHandler
		if err := off.Do(bg, &h, 1, encodeCmd("PING")); err != nil {
			t.Fatal(err)
		}
	}
	if n := off.directReads.Load(); n != 0 {
		t.Errorf("NoDirectReads: %d direct reads", n)
	}
}

// Callers coming and going in every pattern (alone, in bursts, with and
// without deadlines, with the idle check running all the time) each get
// their own reply.
func TestDirectReadMixedCallers(t *testing.T) {
	defer func(d time.Duration) { idleCheckInterval = d }(idleCheckInterval)
	idleCheckInterval = time.Millisecond
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv, TransportNetConn, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	// Half of each goroutine's requests take turns (one caller at a time,
	// from different goroutines), the other half overlap.
	turn := make(chan struct{}, 1)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 1500 {
				if rng.IntN(4) == 0 {
					runtime.Gosched()
				}
				alone := rng.IntN(2) == 0
				if alone {
					turn <- struct{}{}
				}
				want := strconv.Itoa(g*100000 + i)
				var h bytesHandler
				var err error
				switch rng.IntN(3) {
				case 0:
					err = c.Do(context.Background(), &h, 1, encodeCmd("ECHO", want))
				case 1:
					err = c.DoDeadline(context.Background(), time.Now().Add(10*time.Second), &h, 1, encodeCmd("ECHO", want))
				default:
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					err = c.Do(ctx, &h, 1, encodeCmd("ECHO", want))
					cancel()
				}
				if alone {
					<-turn
				}
				if err != nil || string(h.got) != want {
					errs <- errors.New("ECHO " + want + ": got " + string(h.got) + ", " + errString(err))
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
	n := c.directReads.Load()
	t.Logf("%d of 12000 requests read directly", n)
	if n == 0 {
		t.Error("no request read directly: the test did not exercise the direct path")
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// Bytes that arrive on an idle connection were sent for nobody: the next
// caller finds them before writing anything and the connection closes;
// the caller's command never reaches the server.
func TestDirectReadStrayWhileIdle(t *testing.T) {
	checkGoroutines(t)
	sent := make(chan struct{})
	got := make(chan []string, 4)
	srv := startFakeServer(t, func(c *fakeConn) {
		cmd, err := c.ReadCommand()
		if err != nil {
			return
		}
		got <- cmd
		if c.Send("+OK\r\n") != nil || c.Send("+STRAY\r\n") != nil {
			return
		}
		close(sent)
		for {
			cmd, err := c.ReadCommand()
			if err != nil {
				return
			}
			got <- cmd
			c.Send("+WRONG\r\n")
		}
	})
	c := fakeDial(t, srv, TransportNetConn, Options{})
	var h bytesHandler
	err := c.Do(context.Background(), &h, 1, encodeCmd("GET", "a"))
	if err != nil && !errors.Is(err, ErrUnexpectedReply) {
		t.Fatalf("first Do: %v", err)
	}
	<-sent
	h = bytesHandler{}
	err = c.Do(context.Background(), &h, 1, encodeCmd("GET", "b"))
	fakeWantErr(t, "Do after stray bytes", err, ErrConnLost, ErrUnexpectedReply)
	if h.seen != 0 {
		t.Fatalf("handler got %q", h.got)
	}
	fakeWaitDone(t, c)
	srv.Close() // its goroutines are done: nothing sends on got any more
	close(got)
	n := 0
	for cmd := range got {
		if n++; n > 1 {
			t.Errorf("the server received %v after the stray bytes", cmd)
		}
	}
}

// A server that closes an idle connection: the next caller's command fails
// as lost (so fastredis sends it again on a new connection) without being
// written.
func TestDirectReadServerClosedWhileIdle(t *testing.T) {
	checkGoroutines(t)
	closed := make(chan struct{})
	srv := startFakeServer(t, func(c *fakeConn) {
		if _, err := c.ReadCommand(); err != nil {
			return
		}
		c.Send("+OK\r\n")
		c.Conn.Close()
		close(closed)
	})
	c := fakeDial(t, srv, TransportNetConn, Options{})
	var h bytesHandler
	if err := c.Do(context.Background(), &h, 1, encodeCmd("PING")); err != nil {
		t.Fatal(err)
	}
	<-closed
	err := c.Do(context.Background(), &h, 1, encodeCmd("PING"))
	fakeWantErr(t, "Do on a connection the server closed", err, ErrConnLost)
	fakeWaitDone(t, c)
}

// A direct read whose deadline passes, or whose context ends (by its
// deadline or cancelled), returns at once with why; the late reply is read
// and dropped by the reader, and the next caller gets its own.
func TestDirectReadDeadline(t *testing.T) {
	cases := []struct {
		name string
		do   func(c *Conn, h Handler) error
		want error
	}{
		{"deadline", func(c *Conn, h Handler) error {
			return c.DoDeadline(context.Background(), time.Now().Add(50*time.Millisecond), h, 1, encodeCmd("ECHO", "late"))
		}, context.DeadlineExceeded},
		{"context deadline", func(c *Conn, h Handler) error {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			return c.Do(ctx, h, 1, encodeCmd("ECHO", "late"))
		}, context.DeadlineExceeded},
		{"cancelled", func(c *Conn, h Handler) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(50*time.Millisecond, cancel)
			return c.Do(ctx, h, 1, encodeCmd("ECHO", "late"))
		}, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			release := make(chan struct{})
			srv := startFakeServer(t, func(c *fakeConn) {
				for {
					cmd, err := c.ReadCommand()
					if err != nil {
						return
					}
					if cmd[1] == "late" {
						select {
						case <-release:
						case <-c.stop:
							return
						}
					}
					if c.Send("$"+strconv.Itoa(len(cmd[1]))+"\r\n"+cmd[1]+"\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, TransportNetConn, Options{})
			var h bytesHandler
			if err := c.Do(context.Background(), &h, 1, encodeCmd("ECHO", "warm")); err != nil {
				t.Fatal(err)
			}
			// The reader hands the side over once it has answered the
			// warm-up, just after waking its caller.
			for end := time.Now().Add(fakeSafety); !c.readIdle.Load(); runtime.Gosched() {
				if time.Now().After(end) {
					t.Fatal("the reading side never went idle")
				}
			}
			before := c.directReads.Load()
			if err := tc.do(c, &h); !errors.Is(err, tc.want) {
				t.Fatalf("late reply: %v, want %v", err, tc.want)
			}
			if n := c.directReads.Load() - before; n != 1 {
				t.Fatalf("%d direct reads; the late request should have been one", n)
			}
			close(release)
			for i := range 50 {
				want := "on-time-" + strconv.Itoa(i)
				h = bytesHandler{}
				if err := c.Do(context.Background(), &h, 1, encodeCmd("ECHO", want)); err != nil || string(h.got) != want {
					t.Fatalf("ECHO after the late reply = %q, %v; want %q", h.got, err, want)
				}
			}
			if h.seen != 1 {
				t.Fatalf("handler called %d times", h.seen)
			}
		})
	}
}
