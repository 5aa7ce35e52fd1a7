package fastredis

import (
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// A reply that is not RESP fails the command it was owed to with the
// protocol error, and the command is never sent again: the server may have
// run it, so a resend could apply it twice (an INCR counted twice and
// reported as 2 with no error). The connection is replaced, and the next
// command succeeds.
func TestFakeGarbageReplyNotResent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		garbage int64 // INCRs answered with garbage (applied all the same); -1: all
	}{
		{"once", 1},
		{"always", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var counter, incrs atomic.Int64
			f := startFakeRedis(t, func(args []string) string {
				if args[0] != "INCR" {
					return "+OK\r\n"
				}
				n := counter.Add(1) // the server runs the command, then its reply is mangled
				if i := incrs.Add(1); tc.garbage < 0 || i <= tc.garbage {
					return "&garbage\r\n"
				}
				return ":" + strconv.FormatInt(n, 10) + "\r\n"
			})
			c := newTestClient(t, Options{Addr: f.ln.Addr().String(), Protocol: 2, DisableIdentity: true,
				RetryStrategy: func(int) time.Duration { return time.Millisecond }})
			_, err := c.Incr(bg, "n")
			var perr *resp.ProtocolError
			if !errors.As(err, &perr) || !errors.Is(err, netpoll.ErrBadReply) {
				t.Fatalf("INCR with a garbage reply: %v (%T), want a *resp.ProtocolError matching netpoll.ErrBadReply", err, err)
			}
			if n := incrs.Load(); n != 1 {
				t.Fatalf("the server got the INCR %d times, want 1", n)
			}
			n, err := c.Incr(bg, "n")
			if tc.garbage < 0 {
				if !errors.As(err, &perr) {
					t.Fatalf("second INCR: %v, want the protocol error again", err)
				}
				if got := incrs.Load(); got != 2 {
					t.Fatalf("the server got %d INCRs for two calls", got)
				}
				return
			}
			if err != nil || n != 2 {
				t.Fatalf("INCR after the garbage: %d, %v; want 2 (the counter the server keeps)", n, err)
			}
		})
	}
}

// A garbage reply to the first command of a pipeline: the pipeline is not
// sent again either.
func TestFakeGarbagePipelineNotResent(t *testing.T) {
	var incrs atomic.Int64
	f := startFakeRedis(t, func(args []string) string {
		if args[0] != "INCR" {
			return "+OK\r\n"
		}
		if incrs.Add(1) == 1 {
			return "&garbage\r\n"
		}
		return ":1\r\n"
	})
	c := newTestClient(t, Options{Addr: f.ln.Addr().String(), Protocol: 2, DisableIdentity: true,
		RetryStrategy: func(int) time.Duration { return time.Millisecond }})
	p := c.Pipeline()
	a := p.Incr("a")
	b := p.Incr("b")
	err := p.Exec(bg)
	var perr *resp.ProtocolError
	if !errors.As(a.Err(), &perr) {
		t.Errorf("first INCR: %v, want the protocol error", a.Err())
	}
	if b.Err() == nil || err == nil {
		t.Errorf("second INCR: %v, Exec: %v; want errors", b.Err(), err)
	}
	// The client drops the connection at the garbage, so the server may or
	// may not read the second INCR first; a resend would make it 3 or 4.
	if n := incrs.Load(); n < 1 || n > 2 {
		t.Errorf("the server got %d INCRs, want 1 or 2 (the pipeline sent once)", n)
	}
}

// A command whose connection is lost every time fails with ErrMaxRetries,
// which keeps the last cause.
func TestFakeMaxRetriesKeepsCause(t *testing.T) {
	var incrs atomic.Int64
	f := startFakeRedis(t, func(args []string) string {
		if args[0] != "INCR" {
			return "+OK\r\n"
		}
		incrs.Add(1)
		return fakeHangUp
	})
	c := newTestClient(t, Options{Addr: f.ln.Addr().String(), Protocol: 2, DisableIdentity: true,
		MaxRetriesPerRequest: 3, RetryStrategy: func(int) time.Duration { return time.Millisecond }})
	_, err := c.Incr(bg, "n")
	if !errors.Is(err, ErrMaxRetries) || !errors.Is(err, netpoll.ErrConnLost) {
		t.Fatalf("INCR on a connection lost every time: %v; want ErrMaxRetries wrapping the lost connection", err)
	}
	if n := incrs.Load(); n < 2 || n > 5 {
		t.Errorf("the server got %d INCRs for MaxRetriesPerRequest 3", n)
	}
}
