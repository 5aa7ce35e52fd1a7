package fastredis

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// psRecv returns the next message, failing the test after a few seconds.
func psRecv(t *testing.T, ps *PubSub) Message {
	t.Helper()
	select {
	case m, ok := <-ps.Messages():
		if !ok {
			t.Fatalf("Messages closed: %v", ps.Err())
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	return Message{}
}

// psWaitClosed waits until Messages is closed, dropping what is left in it.
func psWaitClosed(t *testing.T, ps *PubSub) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ps.Messages():
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("Messages not closed within 5s")
		}
	}
}

// subscriptions returns the subscriptions the PubSub tracks, sorted, by
// class.
func (ps *PubSub) subscriptions() [psClasses][]string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	want := ps.snapshot()
	for _, names := range want {
		sort.Strings(names)
	}
	return want
}

func TestPubSubSubscribeAndReceive(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{}))
		defer ps.Close()
		if err := ps.Ping(bg); err != nil {
			t.Fatalf("Ping before subscribing: %v", err)
		}
		eq(t, "Subscribe a b", int64(2))(ps.Subscribe(bg, "a", "b"))
		eq(t, "PSubscribe p*", int64(3))(ps.PSubscribe(bg, "p*"))
		eq(t, "SSubscribe s1", int64(1))(ps.SSubscribe(bg, "s1"))
		if got, want := ps.subscriptions(), [psClasses][]string{{"a", "b"}, {"p*"}, {"s1"}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("subscriptions %q, want %q", got, want)
		}

		eq(t, "PUBLISH a", int64(1))(c.Publish(bg, "a", "hello"))
		if m := psRecv(t, ps); m != (Message{Kind: "message", Channel: "a", Payload: "hello"}) {
			t.Fatalf("message %+v", m)
		}
		bin := "\x00\xff\r\n"
		eq(t, "PUBLISH binary", int64(1))(c.Publish(bg, "b", bin))
		if m := psRecv(t, ps); m != (Message{Kind: "message", Channel: "b", Payload: bin}) {
			t.Fatalf("binary message %+v", m)
		}
		eq(t, "PUBLISH pq", int64(1))(c.Publish(bg, "pq", bin))
		if m := psRecv(t, ps); m != (Message{Kind: "pmessage", Channel: "pq", Pattern: "p*", Payload: bin}) {
			t.Fatalf("pmessage %+v", m)
		}
		eq(t, "SPUBLISH s1", int64(1))(c.SPublish(bg, "s1", bin))
		if m := psRecv(t, ps); m != (Message{Kind: "smessage", Channel: "s1", Payload: bin}) {
			t.Fatalf("smessage %+v", m)
		}
		if err := ps.Ping(bg); err != nil {
			t.Fatalf("Ping while subscribed: %v", err)
		}

		eq(t, "Unsubscribe a", int64(2))(ps.Unsubscribe(bg, "a"))
		eq(t, "PUBLISH a after unsubscribing", int64(0))(c.Publish(bg, "a", "x"))
		eq(t, "Unsubscribe all", int64(1))(ps.Unsubscribe(bg)) // p* is left
		eq(t, "Unsubscribe all again", int64(1))(ps.Unsubscribe(bg))
		eq(t, "PUnsubscribe all", int64(0))(ps.PUnsubscribe(bg))
		eq(t, "SUnsubscribe all", int64(0))(ps.SUnsubscribe(bg))
		eq(t, "SUnsubscribe all again", int64(0))(ps.SUnsubscribe(bg))
		if got := ps.subscriptions(); !reflect.DeepEqual(got, [psClasses][]string{}) {
			t.Fatalf("subscriptions after unsubscribing all: %q", got)
		}
		if err := ps.Ping(bg); err != nil {
			t.Fatalf("Ping after unsubscribing: %v", err)
		}
		// Subscribing again after leaving subscriber mode works.
		eq(t, "Subscribe again", int64(2))(ps.Subscribe(bg, "a", "a", "c"))
		eq(t, "PUBLISH c", int64(1))(c.Publish(bg, "c", "again"))
		if m := psRecv(t, ps); m.Payload != "again" {
			t.Fatalf("message %+v", m)
		}
		if _, err := ps.Subscribe(bg); err == nil {
			t.Fatal("Subscribe without channels: no error")
		}

		if err := ps.Close(); err != nil {
			t.Fatal(err)
		}
		psWaitClosed(t, ps)
		if err := ps.Err(); err != nil {
			t.Fatalf("Err after Close: %v", err)
		}
		if _, err := ps.Subscribe(bg, "a"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Subscribe after Close: %v", err)
		}
		if err := ps.Ping(bg); !errors.Is(err, ErrClosed) {
			t.Fatalf("Ping after Close: %v", err)
		}
		ps.Close() // idempotent
	})
}

func TestPubSubClientSubscribe(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		sub := val[*PubSub](t, "Subscribe")(c.Subscribe(bg, "news", "sport"))
		defer sub.Close()
		psub := val[*PubSub](t, "PSubscribe")(c.PSubscribe(bg, "n*"))
		defer psub.Close()
		ssub := val[*PubSub](t, "SSubscribe")(c.SSubscribe(bg, "shard"))
		defer ssub.Close()
		eq(t, "PUBLISH news", int64(2))(c.Publish(bg, "news", "n1"))
		if m := psRecv(t, sub); m != (Message{Kind: "message", Channel: "news", Payload: "n1"}) {
			t.Fatalf("message %+v", m)
		}
		if m := psRecv(t, psub); m != (Message{Kind: "pmessage", Channel: "news", Pattern: "n*", Payload: "n1"}) {
			t.Fatalf("pmessage %+v", m)
		}
		eq(t, "SPUBLISH shard", int64(1))(c.SPublish(bg, "shard", "s"))
		if m := psRecv(t, ssub); m != (Message{Kind: "smessage", Channel: "shard", Payload: "s"}) {
			t.Fatalf("smessage %+v", m)
		}
		// KeyPrefix does not apply to channels.
		pc := newTestClient(t, Options{Addr: c.Options().Addr, Protocol: c.Options().Protocol, KeyPrefix: "app:"})
		ps := val[*PubSub](t, "Subscribe with KeyPrefix")(pc.Subscribe(bg, "plain"))
		defer ps.Close()
		eq(t, "PUBSUB NUMSUB plain", map[string]int64{"plain": 1, "app:plain": 0})(c.PubSubNumSub(bg, "plain", "app:plain"))
	})
}

// A full buffer drops the newest messages and counts them.
func TestPubSubDropNewest(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{BufferSize: 2}))
		defer ps.Close()
		eq(t, "Subscribe", int64(1))(ps.Subscribe(bg, "ch"))
		for i := range 5 {
			eq(t, "PUBLISH", int64(1))(c.Publish(bg, "ch", strconv.Itoa(i)))
		}
		// The PING's reply comes after the messages, so they have all been
		// handled when Ping returns.
		if err := ps.Ping(bg); err != nil {
			t.Fatal(err)
		}
		if d := ps.Dropped(); d != 3 {
			t.Fatalf("Dropped = %d, want 3", d)
		}
		for _, want := range []string{"0", "1"} {
			if m := psRecv(t, ps); m.Payload != want {
				t.Fatalf("kept %q, want %q", m.Payload, want)
			}
		}
		eq(t, "PUBLISH after draining", int64(1))(c.Publish(bg, "ch", "5"))
		if m := psRecv(t, ps); m.Payload != "5" {
			t.Fatalf("after draining: %q", m.Payload)
		}
	})
}

// A subscription the server refuses returns its error; the connection and
// the other subscriptions carry on.
func TestPubSubSubscribeRefused(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Users: []redistest.User{
		{Name: "limited", Password: "pw", Rules: "~* resetchannels &ok* +@all"},
	}})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto, Username: "limited", Password: "pw"})
			ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{}))
			defer ps.Close()
			eq(t, "Subscribe ok1", int64(1))(ps.Subscribe(bg, "ok1"))
			var e *Error
			if _, err := ps.Subscribe(bg, "denied"); !errors.As(err, &e) || e.Prefix != "NOPERM" {
				t.Fatalf("Subscribe denied: %v", err)
			}
			if _, err := ps.PSubscribe(bg, "den*"); !errors.As(err, &e) || e.Prefix != "NOPERM" {
				t.Fatalf("PSubscribe den*: %v", err)
			}
			eq(t, "Subscribe ok2", int64(2))(ps.Subscribe(bg, "ok2"))
			if err := ps.Ping(bg); err != nil {
				t.Fatal(err)
			}
			eq(t, "PUBLISH ok2", int64(1))(c.Publish(bg, "ok2", "fine"))
			if m := psRecv(t, ps); m.Payload != "fine" {
				t.Fatalf("message %+v", m)
			}
		})
	}
}

// Many subscribers on one client: one PUBLISH reaches all, and closing the
// client closes them all, leaving no goroutine behind.
func TestPubSubThousandSubscribers(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	pub := newTestClient(t, Options{Addr: srv.Addr})
	before := psGoroutines()
	const n, workers = 1000, 4
	subs := make([]*PubSub, n)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				ps, err := c.Subscribe(bg, "fan")
				if err != nil {
					errs <- fmt.Errorf("subscriber %d: %w", i, err)
					return
				}
				subs[i] = ps
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	eq(t, "PUBLISH to all", int64(n))(pub.Publish(bg, "fan", "all"))
	for i, ps := range subs {
		if m := psRecv(t, ps); m.Payload != "all" {
			t.Fatalf("subscriber %d: %+v", i, m)
		}
	}
	c.Close()
	for i, ps := range subs {
		psWaitClosed(t, ps)
		if err := ps.Err(); !errors.Is(err, ErrClosed) {
			t.Fatalf("subscriber %d: Err %v", i, err)
		}
	}
	if _, err := c.Subscribe(bg, "fan"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe on a closed client: %v", err)
	}
	psAwaitGoroutines(t, before)
}

func psGoroutines() int { return runtime.NumGoroutine() }

// psAwaitGoroutines waits until no more than n goroutines run, polling for a
// few seconds: the goroutines of closed connections take a moment to
// return.
func psAwaitGoroutines(t *testing.T, n int) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for runtime.NumGoroutine() > n {
		select {
		case <-tick.C:
		case <-deadline:
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
	}
}

// Concurrent Subscribe, Unsubscribe and Ping calls on one PubSub each get
// their own acknowledgements, and the tracked subscriptions end up as the
// server has them.
func TestPubSubConcurrentCalls(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		ps := val[*PubSub](t, "NewPubSub")(c.NewPubSub(bg, PubSubOptions{}))
		defer ps.Close()
		const workers, rounds = 6, 40
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own := "own:" + strconv.Itoa(w)
				for i := range rounds {
					var err error
					switch i % 5 {
					case 0:
						_, err = ps.Subscribe(bg, own, "shared")
					case 1:
						_, err = ps.PSubscribe(bg, own+":*")
					case 2:
						err = ps.Ping(bg)
					case 3:
						_, err = ps.Unsubscribe(bg, "shared")
					case 4:
						if w == 0 && i%10 == 4 {
							_, err = ps.PUnsubscribe(bg)
						} else {
							_, err = ps.SSubscribe(bg, own)
						}
					}
					if err != nil {
						errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
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
		got := ps.subscriptions()
		numsub := val[map[string]int64](t, "PUBSUB NUMSUB")(c.PubSubNumSub(bg, append(got[psChannels], "shared")...))
		for _, ch := range got[psChannels] {
			if numsub[ch] != 1 {
				t.Fatalf("tracked %q, server has %d subscribers", ch, numsub[ch])
			}
		}
		if len(got[psChannels]) != workers || numsub["shared"] != 0 {
			t.Fatalf("channels %q, shared has %d subscribers", got[psChannels], numsub["shared"])
		}
		eq(t, "PUBSUB NUMPAT", int64(len(got[psPatterns])))(c.PubSubNumPat(bg))
		eq(t, "SUnsubscribe all", int64(0))(ps.SUnsubscribe(bg))
		eq(t, "PUnsubscribe all", int64(workers))(ps.PUnsubscribe(bg))
		eq(t, "Unsubscribe all", int64(0))(ps.Unsubscribe(bg))
		if got := ps.subscriptions(); !reflect.DeepEqual(got, [psClasses][]string{}) {
			t.Fatalf("subscriptions after unsubscribing all: %q", got)
		}
	})
}
