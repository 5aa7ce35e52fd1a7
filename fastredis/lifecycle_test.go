package fastredis

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/redistest"
)

// eventLog collects a client's events.
type eventLog struct {
	mu     sync.Mutex
	events []Event
	notify chan struct{}
}

func newEventLog() *eventLog { return &eventLog{notify: make(chan struct{}, 1)} }

func (l *eventLog) add(ev Event) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
}

func (l *eventLog) count(t EventType) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ev := range l.events {
		if ev.Type == t {
			n++
		}
	}
	return n
}

// await waits until at least n events of type typ have been seen.
func (l *eventLog) await(t *testing.T, typ EventType, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for l.count(typ) < n {
		select {
		case <-l.notify:
		case <-timeout:
			t.Fatalf("never saw %d %v events: %v", n, typ, l.snapshot())
		}
	}
}

func (l *eventLog) snapshot() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

// fixedRetry retries every d, forever.
func fixedRetry(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

func TestReconnectAfterClientKill(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	var logBuf syncBuffer
	c := newTestClient(t, Options{Addr: srv.Addr, DB: 2, ClientName: "svc", OnEvent: events.add,
		Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	if c.Status() != StatusReady {
		t.Fatalf("status %v", c.Status())
	}
	id := val[int64](t, "CLIENT ID")(c.ClientID(bg))
	if _, err := admin.ClientKill(bg, ClientKillFilter{ID: id}); err != nil {
		t.Fatal(err)
	}
	events.await(t, EventReady, 2)
	if c.Status() != StatusReady {
		t.Errorf("status %v after the reconnect", c.Status())
	}
	// The handshake ran again: same database, same name.
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	info := val[string](t, "CLIENT INFO")(c.ClientInfo(bg))
	if !strings.Contains(info, " db=2 ") || !strings.Contains(info, " name=svc ") {
		t.Errorf("after the reconnect: %s", info)
	}
	for _, typ := range []EventType{EventClose, EventReconnecting, EventConnect} {
		if events.count(typ) == 0 {
			t.Errorf("no %v event: %v", typ, events.snapshot())
		}
	}
	if !strings.Contains(logBuf.String(), "fastredis: close") || !strings.Contains(logBuf.String(), "fastredis: ready") {
		t.Errorf("log:\n%s", logBuf.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The server crashes and comes back under load: no call hangs, and with
// appendfsync always every acknowledged write is there afterwards.
func TestServerKilledUnderLoad(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Config: []string{"appendonly yes", "appendfsync always"}})
	c := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(20 * time.Millisecond), MaxRetriesPerRequest: UnlimitedRetries, PoolSize: 2})
	const writers = 8
	var acked [writers][]int
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var errs atomic.Int64
	var afterRestart atomic.Int64
	restarted := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(bg, 10*time.Second)
				err := c.Set(ctx, "w"+strconv.Itoa(w)+":"+strconv.Itoa(i), strconv.Itoa(i))
				cancel()
				if err != nil {
					errs.Add(1)
					continue
				}
				acked[w] = append(acked[w], i)
				select {
				case <-restarted:
					afterRestart.Add(1)
				default:
				}
			}
		}()
	}
	// Let some writes through, crash, restart, let more through.
	for dbsize(c) < 100 {
		runtime.Gosched()
	}
	srv.Kill()
	srv.Restart(t)
	close(restarted)
	for afterRestart.Load() < 100 {
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	plain := newTestClient(t, Options{Addr: srv.Addr})
	total := 0
	for w := range writers {
		for _, i := range acked[w] {
			key := "w" + strconv.Itoa(w) + ":" + strconv.Itoa(i)
			if v, err := plain.Get(bg, key); err != nil || v != strconv.Itoa(i) {
				t.Fatalf("acknowledged %s lost: %q, %v", key, v, err)
			}
			total++
		}
	}
	t.Logf("%d acknowledged writes all present; %d calls failed", total, errs.Load())
}

// dbsize is DBSIZE for the test's polling loops.
func dbsize(c *Client) int64 {
	n, _ := c.DBSize(bg)
	return n
}

func TestOfflineQueue(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	// LazyConnect: commands before the first connection wait for it.
	lazy := newTestClient(t, Options{Addr: srv.Addr, LazyConnect: true})
	if lazy.Status() != StatusConnecting {
		t.Errorf("lazy status %v", lazy.Status())
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := lazy.Incr(bg, "n"); err != nil {
				t.Errorf("INCR %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	eq(t, "n", "20")(lazy.Get(bg, "n"))

	// The server goes away: with the offline queue off, commands fail at
	// once; with it bounded, the queue fills up; queued ones run once the
	// server is back.
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(10 * time.Millisecond),
		MaxRetriesPerRequest: UnlimitedRetries, MaxOfflineCommands: 2, OnEvent: events.add})
	noQueue := newTestClient(t, Options{Addr: srv.Addr, DisableOfflineQueue: true, RetryStrategy: fixedRetry(10 * time.Millisecond)})
	srv.Stop()
	events.await(t, EventError, 1) // c is reconnecting, and failing
	if c.Status() != StatusReconnecting {
		t.Errorf("status %v", c.Status())
	}
	for noQueue.Status() == StatusReady {
		runtime.Gosched()
	}
	if _, err := noQueue.Ping(bg); !errors.Is(err, ErrNotReady) {
		t.Errorf("no offline queue: %v", err)
	}
	results := make(chan error, 2)
	for range 2 {
		go func() { _, err := c.Incr(bg, "queued"); results <- err }()
	}
	for waiting(c) < 2 {
		runtime.Gosched()
	}
	if _, err := c.Incr(bg, "queued"); !errors.Is(err, ErrOfflineQueueFull) {
		t.Errorf("third command: %v, want ErrOfflineQueueFull", err)
	}
	srv.Restart(t)
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("queued INCR: %v", err)
		}
	}
	eq(t, "queued", "2")(c.Get(bg, "queued"))
}

// waiting returns the commands in slot 0's offline queue.
func waiting(c *Client) int {
	s := &c.shared[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

func TestMaxRetriesPerRequest(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(5 * time.Millisecond), MaxRetriesPerRequest: 3})
	none := newTestClient(t, Options{Addr: srv.Addr, RetryStrategy: fixedRetry(5 * time.Millisecond), MaxRetriesPerRequest: NoRetries})
	srv.Stop()
	_, err := c.Ping(bg)
	if !errors.Is(err, ErrMaxRetries) || !strings.Contains(err.Error(), "(3)") {
		t.Errorf("after 3 attempts: %v", err)
	}
	// NoRetries: the first disconnect fails the command (the connection's
	// error if it was on its way, else ErrMaxRetries), with no waiting.
	if _, err := none.Ping(bg); !errors.Is(err, ErrMaxRetries) && !errors.Is(err, netpoll.ErrConnLost) {
		t.Errorf("NoRetries: %v", err)
	}
}

func TestRetryStrategyGivesUp(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add, RetryStrategy: func(n int) time.Duration {
		if n > 2 {
			return -1
		}
		return time.Millisecond
	}})
	srv.Stop()
	events.await(t, EventEnd, 1)
	if c.Status() != StatusEnded {
		t.Errorf("status %v", c.Status())
	}
	if _, err := c.Ping(bg); !errors.Is(err, ErrEnded) {
		t.Errorf("after giving up: %v", err)
	}
	if n := events.count(EventReconnecting); n != 2 {
		t.Errorf("%d reconnect attempts, want 2", n)
	}
}

// A command in flight when the connection drops is resent (unless
// DisableResend), and a blocked BLPOP goes back to the right database.
func TestResendInFlight(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, DB: 3, RetryStrategy: fixedRetry(10 * time.Millisecond)})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	got := make(chan string, 1)
	go func() {
		r, err := c.BLPop(bg, []string{"q"}, 0)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- r[1]
	}()
	awaitBlocked(t, admin, 1)
	// Kill the blocked connection: BLPOP is resent on a new one.
	if _, err := admin.ClientKill(bg, ClientKillFilter{Type: "normal", SkipMe: Yes}); err != nil {
		t.Fatal(err)
	}
	awaitBlocked(t, admin, 1)
	db3 := newTestClient(t, Options{Addr: srv.Addr, DB: 3})
	if _, err := db3.RPush(bg, "q", "in db 3"); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "in db 3" {
		t.Errorf("resent BLPOP = %q", v)
	}

	noResend := newTestClient(t, Options{Addr: srv.Addr, DisableResend: true})
	go func() {
		_, err := noResend.BLPop(bg, []string{"q2"}, 0)
		if err == nil {
			got <- "no error"
			return
		}
		got <- err.Error()
	}()
	awaitBlocked(t, admin, 1)
	admin.ClientKill(bg, ClientKillFilter{Type: "normal", SkipMe: Yes})
	if v := <-got; !strings.Contains(v, "connection lost") {
		t.Errorf("BLPOP without resend: %s", v)
	}
}

func TestReconnectOnError(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add, RetryStrategy: fixedRetry(time.Millisecond),
		ReconnectOnError: func(e *Error) ReconnectAction {
			if e.Prefix == "READONLY" {
				return ReconnectAndResend
			}
			return NoReconnect
		}})
	// Fails with READONLY the first time, as a replica would after a
	// failover, and succeeds when sent again.
	s := NewScript(`if redis.call('INCR', KEYS[1]) == 1 then return redis.error_reply("READONLY You can't write against a read only replica.") end return 'ok'`, 1)
	v, err := c.RunScriptString(bg, s, []string{"attempts"})
	if err != nil || v != "ok" {
		t.Fatalf("script = %q, %v", v, err)
	}
	if events.count(EventClose) != 1 {
		t.Errorf("events: %v", events.snapshot())
	}
	// Other errors are left alone.
	if _, err := c.Do(bg, "NOSUCHCOMMAND"); err == nil || events.count(EventClose) != 1 {
		t.Errorf("an ordinary error reconnected: %v", err)
	}
}

func TestSelect(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	if err := c.Select(bg, 4); err != nil {
		t.Fatal(err)
	}
	if c.DB() != 4 || events.count(EventSelect) != 1 {
		t.Errorf("DB %d, events %v", c.DB(), events.snapshot())
	}
	c.Set(bg, "k", "v")
	db4 := newTestClient(t, Options{Addr: srv.Addr, DB: 4})
	eq(t, "k in db 4", "v")(db4.Get(bg, "k"))
	// Still db 4 after a reconnect.
	id := val[int64](t, "CLIENT ID")(c.ClientID(bg))
	admin.ClientKill(bg, ClientKillFilter{ID: id})
	events.await(t, EventReady, 2)
	eq(t, "k after the reconnect", "v")(c.Get(bg, "k"))
	if err := c.Select(bg, 10_000); err == nil || c.DB() != 4 {
		t.Errorf("SELECT 10000: %v, DB %d", err, c.DB())
	}
}

// A server that hangs with replies owed (DEBUG SLEEP) trips SocketTimeout:
// the connection is dropped and re-established. BlockingTimeout bounds a
// blocking command without a deadline.
func TestSocketAndBlockingTimeouts(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, SocketTimeout: 100 * time.Millisecond, DisableResend: true,
		BlockingTimeout: 100 * time.Millisecond, RetryStrategy: fixedRetry(10 * time.Millisecond), OnEvent: events.add})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	probe := newTestClient(t, Options{Addr: srv.Addr})
	sleep := make(chan error, 1)
	go func() { _, err := admin.Do(bg, "DEBUG", "SLEEP", "0.5"); sleep <- err }()
	awaitSleeping(probe) // the server is asleep from here on
	_, err := c.Ping(bg)
	if !errors.Is(err, netpoll.ErrSocketTimeout) {
		t.Errorf("PING to a sleeping server: %v", err)
	}
	if err := <-sleep; err != nil {
		t.Fatal(err)
	}
	events.await(t, EventReady, 2)
	if _, err := c.Ping(bg); err != nil {
		t.Errorf("after the reconnect: %v", err)
	}
	// BLPOP 0 would wait forever; BlockingTimeout (100ms) ends it, and the
	// socket timeout does not apply to it.
	if _, err := c.BLPop(bg, []string{"nothing"}, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BLPOP under BlockingTimeout: %v", err)
	}
}

// awaitSleeping returns once a DEBUG SLEEP holds the server: probe, a
// client connected before, stops getting answers.
func awaitSleeping(probe *Client) {
	for {
		ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
		_, err := probe.Ping(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			return
		}
	}
}
