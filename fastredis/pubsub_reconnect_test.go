package fastredis

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// psAwaitPublished publishes probes to channel until one reaches a
// subscriber (the subscription is back), within a few seconds.
func psAwaitPublished(t *testing.T, c *Client, publish func(ctx context.Context, channel string, message any) (int64, error), channel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	for {
		n, err := publish(ctx, channel, "probe")
		if err == nil && n == 1 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("no subscriber on %s again: %d, %v", channel, n, err)
		}
	}
}

// psCheckAllArrive publishes messages to every subscription and checks that
// each arrives, in order, after any probes.
func psCheckAllArrive(t *testing.T, c *Client, ps *PubSub) {
	t.Helper()
	psAwaitPublished(t, c, c.Publish, "ch")
	psAwaitPublished(t, c, c.Publish, "pat:1")
	psAwaitPublished(t, c, c.SPublish, "sh")
	const n = 50
	for i := range n {
		eq(t, "PUBLISH", int64(1))(c.Publish(bg, "ch", strconv.Itoa(i)))
		eq(t, "PUBLISH pattern", int64(1))(c.Publish(bg, "pat:1", strconv.Itoa(i)))
		eq(t, "SPUBLISH", int64(1))(c.SPublish(bg, "sh", strconv.Itoa(i)))
	}
	next := map[string]int{}
	for next["message"]+next["pmessage"]+next["smessage"] < 3*n {
		m := psRecv(t, ps)
		if m.Payload == "probe" {
			continue
		}
		if want := strconv.Itoa(next[m.Kind]); m.Payload != want {
			t.Fatalf("%s %q, want %q", m.Kind, m.Payload, want)
		}
		next[m.Kind]++
	}
	if d := ps.Dropped(); d != 0 {
		t.Fatalf("Dropped = %d", d)
	}
}

func psSubscribeAll(t *testing.T, ps *PubSub) {
	t.Helper()
	eq(t, "Subscribe", int64(1))(ps.Subscribe(bg, "ch"))
	eq(t, "PSubscribe", int64(2))(ps.PSubscribe(bg, "pat:*"))
	eq(t, "SSubscribe", int64(1))(ps.SSubscribe(bg, "sh"))
}

func TestPubSubResubscribeAfterKill(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{}))
		defer ps.Close()
		psSubscribeAll(t, ps)
		for round := range 2 {
			if n := val[int64](t, "CLIENT KILL TYPE pubsub")(c.ClientKill(bg, ClientKillFilter{Type: ClientPubSub})); n != 1 {
				t.Fatalf("round %d: killed %d clients", round, n)
			}
			psCheckAllArrive(t, c, ps)
			want := [psClasses][]string{{"ch"}, {"pat:*"}, {"sh"}}
			if got := ps.subscriptions(); !reflect.DeepEqual(got, want) {
				t.Fatalf("subscriptions %q, want %q", got, want)
			}
			if err := ps.Ping(bg); err != nil {
				t.Fatal(err)
			}
		}
		// The counts continue from the resubscribed state.
		eq(t, "Subscribe after reconnecting", int64(3))(ps.Subscribe(bg, "ch2"))
	})
}

func TestPubSubResubscribeAfterRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{}))
			defer ps.Close()
			psSubscribeAll(t, ps)
			srv.Restart(t)
			psCheckAllArrive(t, c, ps)
		})
	}
}

// psEventLog collects the events of one connection kind.
type psEventLog struct {
	conn  string
	mu    sync.Mutex
	evs   []Event
	ready chan struct{} // receives on each EventReady
	end   chan struct{} // receives on EventEnd
}

func newPSEventLog(conn string) *psEventLog {
	return &psEventLog{conn: conn, ready: make(chan struct{}, 64), end: make(chan struct{}, 1)}
}

func (l *psEventLog) on(ev Event) {
	if ev.Conn != l.conn {
		return
	}
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	switch ev.Type {
	case EventReady:
		select {
		case l.ready <- struct{}{}:
		default:
		}
	case EventEnd:
		select {
		case l.end <- struct{}{}:
		default:
		}
	}
}

func (l *psEventLog) types() []EventType {
	l.mu.Lock()
	defer l.mu.Unlock()
	var types []EventType
	for _, ev := range l.evs {
		types = append(types, ev.Type)
	}
	return types
}

func (l *psEventLog) wait(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s event within 10s; events %v", what, l.types())
	}
}

func TestPubSubReconnectEvents(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			log := newPSEventLog("pubsub")
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto, OnEvent: log.on})
			ps := val[*PubSub](t, "Subscribe")(c.Subscribe(bg, "ch"))
			defer ps.Close()
			log.wait(t, log.ready, "initial ready")
			eq(t, "CLIENT KILL", int64(1))(c.ClientKill(bg, ClientKillFilter{Type: ClientPubSub}))
			log.wait(t, log.ready, "ready after the kill")
			want := []EventType{EventConnect, EventReady, EventClose, EventReconnecting, EventConnect, EventReady}
			if got := log.types(); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			log.mu.Lock()
			closeErr, attempt := log.evs[2].Err, log.evs[3].Attempt
			log.mu.Unlock()
			if closeErr == nil || attempt != 1 {
				t.Fatalf("EventClose err %v, EventReconnecting attempt %d", closeErr, attempt)
			}
			eq(t, "PUBLISH", int64(1))(c.Publish(bg, "ch", "back"))
			if m := psRecv(t, ps); m.Payload != "back" {
				t.Fatalf("message %+v", m)
			}
		})
	}
}

// When the retry strategy gives up, the PubSub ends.
func TestPubSubGiveUp(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	log := newPSEventLog("pubsub")
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: log.on, RetryStrategy: func(attempt int) time.Duration {
		if attempt > 2 {
			return -1
		}
		return time.Millisecond
	}})
	ps := val[*PubSub](t, "Subscribe")(c.Subscribe(bg, "ch"))
	defer ps.Close()
	srv.Kill()
	log.wait(t, log.end, "end")
	psWaitClosed(t, ps)
	if err := ps.Err(); !errors.Is(err, ErrEnded) {
		t.Fatalf("Err = %v, want ErrEnded", err)
	}
	if _, err := ps.Subscribe(bg, "x"); !errors.Is(err, ErrEnded) {
		t.Fatalf("Subscribe after the end: %v", err)
	}
	want := []EventType{EventConnect, EventReady, EventClose, EventReconnecting, EventError, EventReconnecting, EventError, EventEnd}
	if got := log.types(); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// A PING that gets no reply within DialTimeout makes the PubSub reconnect.
func TestPubSubHealthCheck(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	log := newPSEventLog("pubsub")
	c := newTestClient(t, Options{Addr: srv.Addr, DialTimeout: 300 * time.Millisecond, OnEvent: log.on})
	ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{HealthCheckInterval: 20 * time.Millisecond}))
	defer ps.Close()
	eq(t, "Subscribe", int64(1))(ps.Subscribe(bg, "ch"))
	log.wait(t, log.ready, "initial ready")
	// Every client's commands wait while the server is paused: the health
	// check's PING goes unanswered.
	mustDo(t, c, "CLIENT", "PAUSE", 600, "ALL")
	log.wait(t, log.ready, "ready after the health check failed")
	log.mu.Lock()
	var closeErr error
	for _, ev := range log.evs {
		if ev.Type == EventClose {
			closeErr = ev.Err
		}
	}
	log.mu.Unlock()
	if closeErr == nil || !errors.Is(closeErr, context.DeadlineExceeded) {
		t.Fatalf("EventClose err %v; events %v", closeErr, log.types())
	}
	eq(t, "PUBLISH", int64(1))(c.Publish(bg, "ch", "alive"))
	if m := psRecv(t, ps); m.Payload != "alive" {
		t.Fatalf("message %+v", m)
	}
}

// A Subscribe made while reconnecting waits for the new connection; Close
// ends the wait.
func TestPubSubSubscribeWhileReconnecting(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	ps := val[*PubSub](t, "Subscribe")(c.Subscribe(bg, "ch"))
	defer ps.Close()
	srv.Kill()
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	if _, err := ps.Subscribe(ctx, "other"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Subscribe while the server is down: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ps.Subscribe(bg, "other")
		done <- err
	}()
	srv.Restart(t)
	if err := <-done; err != nil {
		t.Fatalf("Subscribe across the restart: %v", err)
	}
	if got, want := ps.subscriptions(), ([psClasses][]string{{"ch", "other"}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("subscriptions %q, want %q", got, want)
	}
	srv.Kill()
	go func() {
		_, err := ps.Subscribe(bg, "third")
		done <- err
	}()
	ps.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe ended by Close: %v", err)
	}
}
