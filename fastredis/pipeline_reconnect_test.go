package fastredis

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// failoverServer starts a server that acts as a replica (REPLICAOF a port
// nobody listens on, so it stays read-only) and returns it with an admin
// client and a promote function that makes it a master, as a failover
// would.
func failoverServer(t *testing.T) (*redistest.Server, *Client, func()) {
	t.Helper()
	srv := redistest.Start(t, redistest.Options{})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	if _, err := admin.Do(bg, "REPLICAOF", "127.0.0.1", "1"); err != nil {
		t.Fatal(err)
	}
	promote := func() {
		if _, err := admin.Do(bg, "REPLICAOF", "NO", "ONE"); err != nil {
			t.Errorf("REPLICAOF NO ONE: %v", err)
		}
	}
	return srv, admin, promote
}

// readOnlyPolicy reconnects and resends on READONLY, promoting the server
// the first time (the failover completes), and counts its calls.
func readOnlyPolicy(promote func(), calls *atomic.Int32) func(*Error) ReconnectAction {
	return func(e *Error) ReconnectAction {
		if e.Prefix != "READONLY" {
			return NoReconnect
		}
		if calls.Add(1) == 1 && promote != nil {
			promote()
		}
		return ReconnectAndResend
	}
}

// ReconnectOnError applies to pipelines: a write refused with READONLY is
// sent again after the reconnect, as is a transaction EXEC aborted for it;
// the commands that ran are not sent again.
func TestPipelineReconnectOnError(t *testing.T) {
	srv, admin, promote := failoverServer(t)
	var calls atomic.Int32
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add, RetryStrategy: fixedRetry(time.Millisecond),
		ReconnectOnError: readOnlyPolicy(promote, &calls)})
	gets := commandCalls(t, admin, "get")[0]
	p := c.Pipeline()
	get := p.Get("plre:k")
	incr := p.Incr("plre:n")
	multi := p.Multi()
	txIncr := p.Incr("plre:m")
	exec := p.EndMulti()
	if err := p.Exec(bg); err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if _, err := get.Result(); !errors.Is(err, Nil) {
		t.Errorf("GET: %v, want Nil", err)
	}
	eq(t, "INCR resent", int64(1))(incr.Result())
	if multi.Err() != nil || exec.Err() != nil {
		t.Errorf("resent transaction: MULTI %v, EXEC %v", multi.Err(), exec.Err())
	}
	eq(t, "INCR inside the resent transaction", int64(1))(txIncr.Result())
	if n := commandCalls(t, admin, "get")[0] - gets; n != 1 {
		t.Errorf("GET ran %d times, want 1 (it succeeded: not resent)", n)
	}
	if n := events.count(EventClose); n != 1 {
		t.Errorf("%d reconnects, want 1 for one pipeline: %v", n, events.snapshot())
	}
}

// A TxPipeline aborted by READONLY is resent whole.
func TestTxPipelineReconnectOnError(t *testing.T) {
	srv, _, promote := failoverServer(t)
	var calls atomic.Int32
	c := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(time.Millisecond),
		ReconnectOnError: readOnlyPolicy(promote, &calls)})
	p := c.TxPipeline()
	a := p.Incr("tplre:a")
	b := p.Incr("tplre:b")
	if err := p.Exec(bg); err != nil {
		t.Fatalf("Exec: %v", err)
	}
	eq(t, "a", int64(1))(a.Result())
	eq(t, "b", int64(1))(b.Result())
}

// A transaction that ran is not sent again, whatever the policy says of an
// error among its results: the connection is only replaced.
func TestPipelineReconnectOnErrorTxRan(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	var calls atomic.Int32
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add, RetryStrategy: fixedRetry(time.Millisecond),
		ReconnectOnError: readOnlyPolicy(nil, &calls)})
	p := c.Pipeline()
	p.Multi()
	incr := p.Incr("plret:x")
	script := p.Do("EVAL", "return redis.error_reply('READONLY a run-time error')", 0)
	exec := p.EndMulti()
	if err := p.Exec(bg); err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if exec.Err() != nil {
		t.Errorf("EXEC: %v", exec.Err())
	}
	var e *Error
	if !errors.As(script.Err(), &e) || e.Prefix != "READONLY" {
		t.Errorf("the script: %v, want its READONLY", script.Err())
	}
	eq(t, "INCR ran once", int64(1))(incr.Result())
	events.await(t, EventReady, 2) // the connection was replaced
	eq(t, "x", "1")(c.Get(bg, "plret:x"))
}

// A server that stays read-only: resending stops after
// MaxRetriesPerRequest rounds, and the command keeps its error.
func TestPipelineReconnectOnErrorBounded(t *testing.T) {
	srv, _, _ := failoverServer(t)
	var calls atomic.Int32
	c := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(time.Millisecond), MaxRetriesPerRequest: 3,
		ReconnectOnError: readOnlyPolicy(nil, &calls)})
	p := c.Pipeline()
	incr := p.Incr("plreb:n")
	if err := p.Exec(bg); err != nil {
		t.Fatalf("Exec: %v", err)
	}
	var e *Error
	if !errors.As(incr.Err(), &e) || e.Prefix != "READONLY" {
		t.Errorf("INCR: %v, want READONLY", incr.Err())
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("the policy was asked %d times, want 4 (the run and 3 resends)", n)
	}
}
