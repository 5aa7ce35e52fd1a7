package fastredis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// The dial hook wraps every connection: shared ones (and their
// reconnects), dedicated ones; events reach the hook; Stats count the
// reconnect and the bytes.
func TestDialHookReconnectEvents(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	h := &recHook{}
	events := make(chan Event, 64)
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{h}, OnEvent: func(ev Event) {
		select {
		case events <- ev:
		default:
		}
	}})
	ctx := context.Background()
	if _, err := c.BLPop(ctx, []string{"nolist"}, 10*time.Millisecond); err != Nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	if len(h.dials) != 2 || h.dials[0] != srv.Addr || h.dialEr[0] != nil {
		t.Errorf("dials %v %v, want the shared and a dedicated connection to %s", h.dials, h.dialEr, srv.Addr)
	}
	h.mu.Unlock()
	before := c.Stats()
	srv.Kill()
	srv.Restart(t)
	for ev := range events {
		if ev.Type == EventReady {
			break
		}
	}
	must(t, c.Set(ctx, "k", "v"))
	st := c.Stats()
	if st.Reconnects != before.Reconnects+1 || st.Ready != 1 {
		t.Errorf("after a server restart: %+v", st)
	}
	if st.BytesRead <= before.BytesRead || st.BytesWritten <= before.BytesWritten {
		t.Errorf("bytes did not move: %+v then %+v", before, st)
	}
	h.mu.Lock()
	last := h.dials[len(h.dials)-1]
	h.mu.Unlock()
	if last != srv.Addr {
		t.Errorf("last dial to %q", last)
	}
	names := h.eventNames()
	for _, want := range []string{"client:close", "client:reconnecting", "client:connect", "client:ready"} {
		if !strings.Contains(names, want) {
			t.Errorf("events %s: no %s", names, want)
		}
	}
}

// chanHook sends the client events only hooks get to a channel.
type chanHook struct {
	passHook
	events chan HookEvent
}

func (h *chanHook) HandleEvent(ev HookEvent) {
	if ev.Type >= HookEventOfflineQueue {
		h.events <- ev
	}
}

func (h *chanHook) await(t *testing.T, typ, count int) HookEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-h.events:
			if ev.Type == typ && ev.Count == count {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event with count %d", hookEventName(typ), count)
		}
	}
}

// A command waiting for a connection shows in the offline queue events
// and in Stats, and leaves both when it runs.
func TestHookOfflineQueue(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	h := &chanHook{events: make(chan HookEvent, 64)}
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{h}})
	ctx := context.Background()
	srv.Kill()
	done := make(chan error, 1)
	go func() { done <- c.Set(ctx, "k", "v") }()
	ev := h.await(t, HookEventOfflineQueue, 1)
	if ev.Bytes == 0 || ev.Conn != "shared 0" || ev.Addr != srv.Addr || ev.Name != "offline queue" {
		t.Errorf("offline queue event %+v", ev)
	}
	if st := c.Stats(); st.OfflineQueued != 1 || st.OfflineBytes != ev.Bytes {
		t.Errorf("Stats while a command waits: %+v", st)
	}
	srv.Restart(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.await(t, HookEventOfflineQueue, 0)
	if st := c.Stats(); st.OfflineQueued != 0 || st.OfflineBytes != 0 {
		t.Errorf("Stats after: %+v", st)
	}
}

// A subscriber whose connection drops subscribes again on the next: the
// hooks see its dials and the resubscription.
func TestHookResubscribed(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	h := &chanHook{events: make(chan HookEvent, 64)}
	dials := &recHook{}
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{h, dials}})
	ctx := context.Background()
	ps, err := c.Subscribe(ctx, "ch1", "ch2")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := c.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub"); err != nil {
		t.Fatal(err)
	}
	h.await(t, HookEventResubscribed, 2)
	dials.mu.Lock()
	defer dials.mu.Unlock()
	if len(dials.dials) != 3 { // shared, subscriber, subscriber again
		t.Errorf("dials %v, want 3", dials.dials)
	}
}
