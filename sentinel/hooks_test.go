package sentinel

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

type sentinelHook struct {
	mu     sync.Mutex
	dials  []string
	addrs  []string // of SET commands
	events []string
	// switched is closed at the first master switched event.
	switched chan struct{}
	once     sync.Once
}

func (h *sentinelHook) DialHook(next fastredis.DialHookFunc) fastredis.DialHookFunc {
	return func(ctx context.Context, network, addr string) error {
		err := next(ctx, network, addr)
		h.mu.Lock()
		h.dials = append(h.dials, addr)
		h.mu.Unlock()
		return err
	}
}

func (h *sentinelHook) ProcessHook(next fastredis.ProcessHookFunc) fastredis.ProcessHookFunc {
	return func(ctx context.Context, ci *fastredis.CommandInfo) error {
		err := next(ctx, ci)
		if ci.Name() == "SET" {
			h.mu.Lock()
			h.addrs = append(h.addrs, ci.Addr())
			h.mu.Unlock()
		}
		return err
	}
}

func (h *sentinelHook) ProcessPipelineHook(next fastredis.ProcessPipelineHookFunc) fastredis.ProcessPipelineHookFunc {
	return next
}

func (h *sentinelHook) HandleEvent(ev fastredis.HookEvent) {
	h.mu.Lock()
	h.events = append(h.events, ev.Source.String()+":"+ev.Name)
	h.mu.Unlock()
	if ev.Source == fastredis.SourceSentinel && ev.Type == int(EventMasterSwitched) {
		h.once.Do(func() { close(h.switched) })
	}
}

// A sentinel client's hooks: dials to the sentinels and to the master, the
// master's address on commands (the new one after a failover), and the
// sentinel events.
func TestSentinelHooks(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	h := &sentinelHook{switched: make(chan struct{})}
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), NodeOptions: fastredis.Options{Hooks: []fastredis.Hook{h}}})
	old := g.Master().Addr
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	dials := slices.Clone(h.dials)
	addrs := slices.Clone(h.addrs)
	h.mu.Unlock()
	if !slices.Contains(dials, old) || !slices.ContainsFunc(dials, func(a string) bool { return slices.Contains(g.SentinelAddrs(), a) }) {
		t.Errorf("dials %v: want the master %s and a sentinel of %v", dials, old, g.SentinelAddrs())
	}
	if len(addrs) != 1 || addrs[0] != old {
		t.Errorf("SET addresses %v, want [%s]", addrs, old)
	}
	next := g.Failover(t)
	select {
	case <-h.switched:
	case <-time.After(30 * time.Second):
		t.Fatal("no master switched event")
	}
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if last := h.addrs[len(h.addrs)-1]; last != next.Addr {
		t.Errorf("SET after the failover at %s, want %s", last, next.Addr)
	}
	if ev := strings.Join(h.events, ","); !strings.Contains(ev, "sentinel:master switched") || !strings.Contains(ev, "sentinel:sentinel tried") {
		t.Errorf("events %s: want the switch", ev)
	}
}
