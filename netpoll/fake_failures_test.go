package netpoll

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Servers that die, never answer, never read, or answer what nobody asked.
func TestFakeManyCallersServerDies(t *testing.T) {
	const (
		callers = 50
		replies = 300 // the server closes after this many
	)
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			var sent atomic.Int64
			srv := startFakeServer(t, func(c *fakeConn) {
				for sent.Load() < replies {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+OK\r\n") != nil {
						return
					}
					sent.Add(1)
				}
				// Returning closes the connection, with commands unread.
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			var ok atomic.Int64
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := &bytesHandler{}
					for {
						if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil {
							errs[i] = err
							return
						}
						if string(h.got) != "OK" {
							errs[i] = fmt.Errorf("reply %q", h.got)
							return
						}
						ok.Add(1)
					}
				}()
			}
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			select {
			case <-finished:
			case <-time.After(fakeSafety + 5*time.Second):
				t.Fatalf("callers still waiting after %v\n%s", fakeSafety, allStacks())
			}
			kinds := map[string]int{}
			for i, err := range errs {
				if !errors.Is(err, ErrConnLost) {
					t.Errorf("caller %d: error %v, want one matching ErrConnLost", i, err)
				}
				if err != nil {
					kinds[err.Error()]++
				}
			}
			t.Logf("%d replies before the server died; errors: %v", ok.Load(), kinds)
			if n := ok.Load(); n > replies {
				t.Errorf("%d successful replies, the server sent only %d", n, replies)
			}
			fakeCheckFailed(t, c, ErrConnLost)
		})
	}
}

// TestFakeManyCallersClose closes the Conn under callers that keep it busy:
// every one of them returns with ErrClosed.
func TestFakeManyCallersClose(t *testing.T) {
	const (
		callers = 50
		replies = 300 // Close comes after at least this many
	)
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			reached := make(chan struct{})
			srv := startFakeServer(t, func(c *fakeConn) {
				for n := 1; ; n++ {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+OK\r\n") != nil {
						return
					}
					if n == replies {
						close(reached)
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := &bytesHandler{}
					for {
						if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil {
							errs[i] = err
							return
						}
						if string(h.got) != "OK" {
							errs[i] = fmt.Errorf("reply %q", h.got)
							return
						}
					}
				}()
			}
			select {
			case <-reached:
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not get %d commands", replies)
			}
			fakeClose(t, c)
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			select {
			case <-finished:
			case <-time.After(fakeSafety):
				t.Fatalf("callers still waiting after Close returned\n%s", allStacks())
			}
			for i, err := range errs {
				if !errors.Is(err, ErrConnLost) || !errors.Is(err, ErrClosed) {
					t.Errorf("caller %d: error %v, want one matching ErrConnLost and ErrClosed", i, err)
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

func TestFakeReplyWithoutRequest(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String()+"/on-connect", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if c.Send("+OK\r\n") != nil {
					return
				}
				// A command that gets here anyway must not see a matching
				// reply.
				for {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("-ERR mismatched\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			// The reply reaches the client before any request exists: the
			// client must close the connection on its own.
			fakeWaitDone(t, c)
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			fakeWantErr(t, "Do", err, ErrConnLost, ErrUnexpectedReply)
			if h.seen != 0 {
				t.Fatalf("handler called %d times with %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
		t.Run(tr.String()+"/on-connect-racing-do", func(t *testing.T) {
			// The same, but the command goes out at once: the unsolicited
			// reply may reach the client before or after the request is
			// queued. Before, the request fails; after, the client cannot
			// tell it from the answer, but then the real answer is a reply
			// without a request. Either way the connection ends with
			// ErrUnexpectedReply, and nothing hangs.
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if c.Send("+OK\r\n") != nil {
					return
				}
				for {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send("+ANSWER\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			switch {
			case err == nil:
				if h.seen != 1 || string(h.got) != "OK" {
					t.Fatalf("Do: %d replies, last %q; want the unsolicited OK or an error", h.seen, h.got)
				}
				t.Logf("the request was queued before the unsolicited reply arrived")
			default:
				fakeWantErr(t, "Do", err, ErrConnLost, ErrUnexpectedReply)
				if h.seen != 0 {
					t.Fatalf("handler called %d times with %q", h.seen, h.got)
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
		t.Run(tr.String()+"/extra-reply", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				if c.Send("+OK\r\n+EXTRA\r\n") != nil {
					return
				}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			if err := c.Do(fakeCtx(t), &h, 1, encodeCmd("PING")); err != nil {
				t.Fatalf("Do: %v", err)
			}
			if h.seen != 1 || string(h.got) != "OK" {
				t.Fatalf("Do: %d replies, last %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrUnexpectedReply)
		})
	}
}

func TestFakeNeverReplies(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String()+"/deadline", func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) { c.Drain() })
			c := fakeDial(t, srv, tr, Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			start := time.Now()
			err := c.Do(ctx, &h, 1, encodeCmd("BLPOP", "k", "0"))
			took := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Do: error %v, want context.DeadlineExceeded", err)
			}
			if took > fakeSafety/2 {
				t.Fatalf("Do returned %v after its 50ms deadline", took)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			select {
			case <-c.Done():
				t.Fatalf("the connection closed after a cancelled request: %v", c.Err())
			default:
			}
			fakeClose(t, c)
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
		t.Run(tr.String()+"/max-pending", func(t *testing.T) {
			// With room for one request, a second caller waits for room:
			// its context ends the wait, and so does Close.
			checkGoroutines(t)
			received := make(chan struct{}, 1)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				received <- struct{}{}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{MaxPending: 1})
			ctx := fakeCtx(t)
			first := make(chan error, 1)
			go func() { first <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("BLPOP", "k", "0")) }()
			select {
			case <-received: // the first request holds the only place
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not receive the command")
			}
			short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			if err := c.Do(short, &h, 1, encodeCmd("PING")); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Do without room: error %v, want context.DeadlineExceeded", err)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			third := make(chan error, 1)
			go func() { third <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("PING")) }()
			fakeClose(t, c)
			for _, ch := range []chan error{first, third} {
				select {
				case err := <-ch:
					// The third caller was waiting for room, or came after
					// Close: ErrClosed either way.
					fakeWantErr(t, "Do", err, ErrConnLost, ErrClosed)
				case <-time.After(fakeSafety):
					t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
				}
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
		t.Run(tr.String()+"/close-in-flight", func(t *testing.T) {
			checkGoroutines(t)
			received := make(chan struct{}, 1)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				received <- struct{}{}
				c.Drain()
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			ctx := fakeCtx(t)
			result := make(chan error, 1)
			go func() { result <- c.Do(ctx, &h, 1, encodeCmd("BLPOP", "k", "0")) }()
			select {
			case <-received: // the request is on the wire, so it is queued
			case <-time.After(fakeSafety):
				t.Fatalf("the server did not receive the command")
			}
			fakeClose(t, c)
			var err error
			select {
			case err = <-result:
			case <-time.After(fakeSafety):
				t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
			}
			fakeWantErr(t, "Do", err, ErrConnLost, ErrClosed)
			if h.seen != 0 {
				t.Fatalf("handler called %d times", h.seen)
			}
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

// TestFakeAbandonedReply checks that the reply to a request whose context
// ended is read and dropped, not given to the next request.
func TestFakeAbandonedReply(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				// Hold the first reply back until the second command is in,
				// so that the first caller has certainly given up.
				a, err := c.ReadCommand()
				if err != nil {
					return
				}
				b, err := c.ReadCommand()
				if err != nil {
					return
				}
				if c.Send("$"+strconv.Itoa(len(a[1]))+"\r\n"+a[1]+"\r\n"+
					"$"+strconv.Itoa(len(b[1]))+"\r\n"+b[1]+"\r\n") != nil {
					return
				}
				for {
					args, err := c.ReadCommand()
					if err != nil {
						return
					}
					if c.Send("$"+strconv.Itoa(len(args[1]))+"\r\n"+args[1]+"\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			var first bytesHandler
			if err := c.Do(short, &first, 1, encodeCmd("ECHO", "first")); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("first Do: error %v, want context.DeadlineExceeded", err)
			}
			ctx := fakeCtx(t)
			for _, msg := range []string{"second", "third"} {
				var h bytesHandler
				if err := c.Do(ctx, &h, 1, encodeCmd("ECHO", msg)); err != nil {
					t.Fatalf("ECHO %s: %v", msg, err)
				}
				if h.seen != 1 || string(h.got) != msg {
					t.Fatalf("ECHO %s: %d replies, last %q", msg, h.seen, h.got)
				}
			}
			if first.seen != 0 {
				t.Fatalf("the abandoned request's handler was called %d times with %q", first.seen, first.got)
			}
		})
	}
}

// TestFakeServerNeverReads fills the socket toward a server that reads
// nothing: a caller's context still ends its wait, and Close still closes,
// failing a request stuck behind the unwritten bytes.
func TestFakeServerNeverReads(t *testing.T) {
	big := strings.Repeat("v", 32<<20) // more than loopback socket buffers hold
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) { <-c.stop })
			c := fakeDial(t, srv, tr, Options{})
			short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var h bytesHandler
			if err := c.Do(short, &h, 1, encodeCmd("SET", "k", big)); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("SET: error %v, want context.DeadlineExceeded", err)
			}
			ctx := fakeCtx(t)
			result := make(chan error, 1)
			go func() { result <- c.Do(ctx, &bytesHandler{}, 1, encodeCmd("PING")) }()
			fakeClose(t, c)
			var err error
			select {
			case err = <-result:
			case <-time.After(fakeSafety):
				t.Fatalf("Do still waiting after Close returned\n%s", allStacks())
			}
			// Queued before Close or refused after it: ErrClosed either way.
			fakeWantErr(t, "PING", err, ErrConnLost, ErrClosed)
			fakeCheckFailed(t, c, ErrConnLost, ErrClosed)
		})
	}
}

// A server that stops answering, with replies owed: SocketTimeout closes
// the connection with ErrSocketTimeout. An idle connection is left alone.
func TestFakeSocketTimeout(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				for i := 0; ; i++ {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if i == 0 && c.Send("+OK\r\n") != nil { // answers the first command only
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{SocketTimeout: 50 * time.Millisecond})
			ctx := fakeCtx(t)
			h := &bytesHandler{}
			if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil {
				t.Fatal(err)
			}
			// Idle for several timeouts: still open.
			idle, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
			<-idle.Done()
			cancel()
			if err := c.Err(); err != nil {
				t.Fatalf("idle connection closed: %v", err)
			}
			start := time.Now()
			err := c.Do(ctx, h, 1, encodeCmd("PING"))
			fakeWantErr(t, "unanswered PING", err, ErrConnLost, ErrSocketTimeout)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("timed out after %v", d)
			}
		})
	}
}

// DoDeadline: a reply later than the deadline gives DeadlineExceeded at the
// deadline, the late reply is dropped, and the pooled request's timer never
// fires into a later call.
func TestFakeDoDeadline(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			release := make(chan struct{})
			srv := startFakeServer(t, func(c *fakeConn) {
				for i := 0; ; i++ {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if i == 0 {
						<-release // the first reply comes late
					}
					if c.Send("+OK\r\n") != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			h := &bytesHandler{}
			err := c.DoDeadline(ctx, time.Now().Add(30*time.Millisecond), h, 1, encodeCmd("PING"))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("late reply: %v", err)
			}
			close(release)
			for i := range 200 { // reuses pooled requests, whose timers must be quiet
				h := &bytesHandler{}
				if err := c.DoDeadline(ctx, time.Now().Add(5*time.Second), h, 1, encodeCmd("PING")); err != nil || string(h.got) != "OK" {
					t.Fatalf("call %d: %v %q", i, err, h.got)
				}
			}
			if err := c.DoDeadline(ctx, time.Now().Add(-time.Second), h, 1, encodeCmd("PING")); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("past deadline: %v", err)
			}
		})
	}
}
