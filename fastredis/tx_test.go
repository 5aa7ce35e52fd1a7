package fastredis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// The seed README's transaction examples, in Go.
func TestTxSeedExamples(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		// redis.multi().set("foo", "bar").get("foo").exec() -> [[null, 'OK'], [null, 'bar']]
		p := c.TxPipeline()
		set := p.Set("foo", "bar")
		get := p.Get("foo")
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if err := set.Err(); err != nil {
			t.Error(err)
		}
		eq(t, "GET in MULTI", "bar")(get.Result())

		// redis.multi().set("foo").set("foo", "new value").exec() -> EXECABORT
		// with the queueing error.
		p = c.TxPipeline()
		bad := p.Do("set", "foo")
		good := p.Set("foo", "new value")
		err := p.Exec(bg)
		var abort *ExecAbortError
		if !errors.As(err, &abort) {
			t.Fatalf("Exec = %v, want an *ExecAbortError", err)
		}
		if abort.Err.Prefix != "EXECABORT" || len(abort.Errors) != 1 || !strings.Contains(abort.Errors[0].Error(), "wrong number of arguments") {
			t.Errorf("abort = %+v (%v)", abort, err)
		}
		var e *Error
		if !errors.As(bad.Err(), &e) || e.Prefix != "ERR" {
			t.Errorf("the bad SET: %v", bad.Err())
		}
		if !errors.As(good.Err(), &abort) {
			t.Errorf("the good SET: %v, want the abort", good.Err())
		}
		eq(t, "foo after the aborted transaction", "bar")(c.Get(bg, "foo"))

		// Inline: redis.pipeline().get("foo").multi().set("foo", "bar2").get("foo").exec().get("foo").exec()
		p = c.Pipeline()
		g1 := p.Get("foo")
		multi := p.Multi()
		p.Set("foo", "bar2")
		g2 := p.Get("foo")
		exec := p.EndMulti()
		g3 := p.Get("foo")
		if p.Len() != 6 {
			t.Errorf("Len = %d, want 6", p.Len())
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		eq(t, "GET before MULTI", "bar")(g1.Result())
		if multi.Err() != nil || exec.Err() != nil {
			t.Errorf("MULTI %v, EXEC %v", multi.Err(), exec.Err())
		}
		eq(t, "GET inside MULTI", "bar2")(g2.Result())
		eq(t, "GET after EXEC", "bar2")(g3.Result())
	})
}

func TestTxRunTimeErrors(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		p := c.TxPipeline()
		p.LPush("list", "a")
		incr := p.Incr("list") // WRONGTYPE at run time: the rest still runs
		n := p.Incr("n")
		if err := p.Exec(bg); err != nil {
			t.Fatalf("Exec: %v (a run-time error is not the transaction's)", err)
		}
		var e *Error
		if !errors.As(incr.Err(), &e) || e.Prefix != "WRONGTYPE" {
			t.Errorf("INCR of a list: %v", incr.Err())
		}
		eq(t, "INCR n", int64(1))(n.Result())
	})
}

func TestTxLocalErrorAbortsTransaction(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	for _, inline := range []bool{false, true} {
		var p *Pipeline
		var exec Future[OK]
		if inline {
			p = c.Pipeline()
			p.Multi()
		} else {
			p = c.TxPipeline()
		}
		set := p.Set("k", "v")
		bad := p.Do("SET", "k", struct{}{}) // cannot be encoded
		if inline {
			exec = p.EndMulti()
		}
		err := p.Exec(bg)
		if inline {
			if err != nil {
				t.Fatal(err)
			}
			err = exec.Err()
		}
		var abort *ExecAbortError
		if !errors.As(err, &abort) || len(abort.Errors) != 1 || !strings.Contains(abort.Errors[0].Error(), "unsupported type") {
			t.Fatalf("inline %v: %v, want an abort carrying the encoding error", inline, err)
		}
		if !strings.Contains(bad.Err().Error(), "unsupported type") || set.Err() == nil {
			t.Errorf("inline %v: SET %v, bad %v", inline, set.Err(), bad.Err())
		}
		if n, _ := c.Exists(bg, "k"); n != 0 {
			t.Errorf("inline %v: the aborted transaction set k", inline)
		}
	}
}

func TestPipelineMultiMisuse(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	p := c.Pipeline()
	if err := p.EndMulti().Err(); !errors.Is(err, errNoMulti) {
		t.Errorf("EndMulti alone: %v", err)
	}
	p.Multi()
	if err := p.Exec(bg); !errors.Is(err, errOpenMulti) {
		t.Errorf("Exec with Multi open: %v", err)
	}
	nested := p.Multi()
	p.EndMulti()
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(nested.Err(), errNestedMulti) {
		t.Errorf("nested Multi: %v", nested.Err())
	}
	tp := c.TxPipeline()
	if err := tp.Multi().Err(); err == nil {
		// the Future of a refused command reports at once, before Exec
		t.Error("Multi on a TxPipeline: no error")
	}
	for _, cmd := range [][]any{{"MULTI"}, {"exec"}, {"WATCH", "k"}, {"SELECT", 1}, {"client", "reply", "off"}, {"SUBSCRIBE", "c"}, {"MONITOR"}} {
		if _, err := c.Do(bg, cmd...); err == nil || !strings.Contains(err.Error(), "shares") {
			t.Errorf("Do%v on the shared connection: %v", cmd, err)
		}
		var cm Cmd
		cm.Reset(cmd[0].(string))
		if err := c.Exec(bg, &cm); err == nil {
			t.Errorf("Exec(%v) on the shared connection: no error", cmd[0])
		}
	}
}

// Optimistic locking: concurrent increments through WATCH/GET/MULTI/SET
// lose nothing.
func TestWatchCounter(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "w:"})
	const workers, each = 8, 25
	incr := func(ctx context.Context) error {
		return c.WatchRetry(ctx, 1000, func(tx *Tx) error {
			v, err := tx.Get(ctx, "counter")
			if err != nil && !errors.Is(err, Nil) {
				return err
			}
			n, _ := strconv.Atoi(v)
			p := tx.TxPipeline()
			p.Set("counter", strconv.Itoa(n+1))
			return p.Exec(ctx)
		}, "counter")
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := incr(bg); err != nil {
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
	eq(t, "counter", strconv.Itoa(workers*each))(c.Get(bg, "counter"))
	plain := newTestClient(t, Options{Addr: srv.Addr})
	eq(t, "the prefixed key", strconv.Itoa(workers*each))(plain.Get(bg, "w:counter"))
}

func TestWatchTxFailed(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	other := newTestClient(t, Options{Addr: srv.Addr})
	calls := 0
	fn := func(tx *Tx) error {
		calls++
		if _, err := tx.Get(bg, "k"); err != nil && !errors.Is(err, Nil) {
			return err
		}
		if err := other.Set(bg, "k", strconv.Itoa(calls)); err != nil { // changes the watched key
			return err
		}
		p := tx.TxPipeline()
		set := p.Set("k", "mine")
		err := p.Exec(bg)
		if !errors.Is(set.Err(), ErrTxFailed) {
			t.Errorf("SET in the failed transaction: %v", set.Err())
		}
		return err
	}
	if err := c.Watch(bg, fn, "k"); !errors.Is(err, ErrTxFailed) {
		t.Fatalf("Watch = %v, want ErrTxFailed", err)
	}
	calls = 0
	err := c.WatchRetry(bg, 3, fn, "k")
	if !errors.Is(err, ErrTxFailed) || calls != 3 || !strings.Contains(err.Error(), "3 times") {
		t.Fatalf("WatchRetry = %v after %d calls", err, calls)
	}
	eq(t, "k", "3")(c.Get(bg, "k"))

	// UNWATCH: a key changed after Unwatch does not fail the transaction.
	err = c.Watch(bg, func(tx *Tx) error {
		if err := tx.Unwatch(bg); err != nil {
			return err
		}
		other.Set(bg, "k", "x")
		p := tx.TxPipeline()
		p.Set("k", "mine")
		return p.Exec(bg)
	}, "k")
	if err != nil {
		t.Fatalf("after Unwatch: %v", err)
	}
	if err := c.WatchRetry(bg, 0, fn); err == nil {
		t.Error("WatchRetry with 0 attempts: no error")
	}
}

// A dedicated connection goes back to the pool clean: the next Watch does
// not inherit the previous one's watched keys.
func TestWatchReusesCleanConnection(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, MaxDedicatedConns: 1})
	other := newTestClient(t, Options{Addr: srv.Addr})
	var ids []int64
	// The first Watch watches k and returns without EXEC.
	err := c.Watch(bg, func(tx *Tx) error {
		id, err := tx.ClientID(bg)
		ids = append(ids, id)
		return err
	}, "k")
	if err != nil {
		t.Fatal(err)
	}
	other.Set(bg, "k", "changed")
	err = c.Watch(bg, func(tx *Tx) error {
		id, _ := tx.ClientID(bg)
		ids = append(ids, id)
		p := tx.TxPipeline()
		p.Set("j", "1")
		return p.Exec(bg)
	})
	if err != nil {
		t.Fatalf("second Watch inherited the first's WATCH: %v", err)
	}
	if ids[0] != ids[1] {
		t.Errorf("the connection was not reused: ids %v", ids)
	}
	// A Tx that changes its connection's state gets a new connection next.
	err = c.Watch(bg, func(tx *Tx) error {
		_, err := tx.Do(bg, "SELECT", 3)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Watch(bg, func(tx *Tx) error {
		id, _ := tx.ClientID(bg)
		ids = append(ids, id)
		info, err := tx.ClientInfo(bg)
		if err == nil && !strings.Contains(info, " db=0 ") {
			t.Errorf("CLIENT INFO after a Tx selected 3: %s", info)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids[2] == ids[1] {
		t.Error("a connection whose db was changed was reused")
	}
	// The Tx is unusable once fn has returned.
	var kept *Tx
	c.Watch(bg, func(tx *Tx) error { kept = tx; return nil })
	if _, err := kept.Get(bg, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("a Tx used after Watch returned: %v", err)
	}
}

func TestWatchConnectionLost(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	err := c.Watch(bg, func(tx *Tx) error {
		id, err := tx.ClientID(bg)
		if err != nil {
			return err
		}
		if _, err := admin.ClientKill(bg, ClientKillFilter{ID: id}); err != nil {
			return err
		}
		p := tx.TxPipeline()
		p.Set("k", "v")
		return p.Exec(bg)
	}, "k")
	if err == nil {
		t.Fatal("a transaction whose connection was killed succeeded")
	}
	t.Log(err)
	if n, _ := admin.Exists(bg, "k"); n != 0 {
		t.Error("the transaction ran")
	}
	// The pool is not poisoned.
	err = c.Watch(bg, func(tx *Tx) error {
		p := tx.TxPipeline()
		p.Set("k", "v")
		return p.Exec(bg)
	}, "k")
	if err != nil {
		t.Fatal(err)
	}
}

// A transaction whose EXEC reply does not come in time has an unknown
// outcome, and says so.
func TestTxUnknownOutcome(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	p := c.TxPipeline()
	p.Do("DEBUG", "SLEEP", "0.5") // runs at EXEC, blocking the server
	set := p.Set("k", "v")
	err := p.Exec(ctx)
	var unknown *TxUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exec = %v, want a *TxUnknownError", err)
	}
	if !errors.As(set.Err(), &unknown) {
		t.Errorf("SET: %v", set.Err())
	}
	// It did run, in fact.
	eq(t, "k", "v")(c.Get(bg, "k"))
}

func TestWatchPoolBounded(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, MaxDedicatedConns: 1})
	inside := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- c.Watch(bg, func(tx *Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	err := c.Watch(ctx, func(tx *Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "dedicated") {
		t.Errorf("Watch with the pool exhausted: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Close ends a Watch in progress: its commands fail.
	inside, release = make(chan struct{}), make(chan struct{})
	go func() {
		done <- c.Watch(bg, func(tx *Tx) error {
			close(inside)
			<-release
			_, err := tx.Ping(bg)
			return err
		})
	}()
	<-inside
	c.Close()
	close(release)
	if err := <-done; err == nil {
		t.Error("a Watch survived Close")
	}
	if err := c.Watch(bg, func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Watch after Close: %v", err)
	}
}
