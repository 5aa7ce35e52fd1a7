package cluster

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// clusterHook records commands (name, address) and dials, and events.
type clusterHook struct {
	mu     sync.Mutex
	cmds   []string // "NAME addr"
	sizes  []int
	pipes  []int
	psizes []int
	dials  []string
	events []fastredis.HookEvent
}

func (h *clusterHook) DialHook(next fastredis.DialHookFunc) fastredis.DialHookFunc {
	return func(ctx context.Context, network, addr string) error {
		err := next(ctx, network, addr)
		h.mu.Lock()
		h.dials = append(h.dials, addr)
		h.mu.Unlock()
		return err
	}
}

func (h *clusterHook) ProcessHook(next fastredis.ProcessHookFunc) fastredis.ProcessHookFunc {
	return func(ctx context.Context, ci *fastredis.CommandInfo) error {
		err := next(ctx, ci)
		if ci.Name() == "CLUSTER SHARDS" {
			return err // the client's own topology refreshes, on a node client
		}
		h.mu.Lock()
		h.cmds = append(h.cmds, ci.Name()+" "+ci.Addr())
		h.sizes = append(h.sizes, ci.ReplySize())
		h.mu.Unlock()
		return err
	}
}

func (h *clusterHook) ProcessPipelineHook(next fastredis.ProcessPipelineHookFunc) fastredis.ProcessPipelineHookFunc {
	return func(ctx context.Context, p *fastredis.PipelineInfo) error {
		err := next(ctx, p)
		h.mu.Lock()
		h.pipes = append(h.pipes, p.Len())
		h.psizes = append(h.psizes, p.ReplySize())
		h.mu.Unlock()
		return err
	}
}

func (h *clusterHook) HandleEvent(ev fastredis.HookEvent) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

func (h *clusterHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.cmds
	h.cmds = nil
	return c
}

// A cluster client's hooks: one process hook call per user call, its Addr
// the node that answered, MOVED followed inside it; fan-out commands with
// no address; AddHook reaches node clients that exist already (their
// dials) and those made later; topology events reach the hooks; Stats sum
// the nodes.
func TestClusterHooks(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3})
	first := &clusterHook{}
	c := newTestClient(t, rc, Options{NodeOptions: fastredis.Options{Hooks: []fastredis.Hook{first}}})
	const key = "{hk}:k"
	slot := Slot(key)
	if err := c.Set(bg, key, "v"); err != nil {
		t.Fatal(err)
	}
	owner := rc.SlotOwner(slot).Addr
	if got := first.take(); len(got) != 1 || got[0] != "SET "+owner {
		t.Errorf("SET: hook saw %q, want one SET at %s", got, owner)
	}
	var cmd fastredis.Cmd
	if _, err := c.Do(bg, "get", key); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(bg, cmd.Reset("GET").Key(key)); err != nil {
		t.Fatal(err)
	}
	if got := first.take(); len(got) != 2 || got[0] != "GET "+owner || got[1] != "GET "+owner {
		t.Errorf("Do and Exec: hook saw %q, want two GETs at %s", got, owner)
	}
	if _, err := c.DBSize(bg); err != nil {
		t.Fatal(err)
	}
	if got := first.take(); len(got) != 1 || got[0] != "DBSIZE " {
		t.Errorf("DBSIZE (fan-out): hook saw %q, want one DBSIZE with no address", got)
	}

	late := &clusterHook{}
	c.AddHook(late)
	to := otherMaster(rc, rc.SlotOwner(slot))
	m := rc.BeginMigration(t, slot, to)
	m.MoveKeys(t, 0)
	m.Finish(t)
	if v, err := c.Get(bg, key); err != nil || v != "v" {
		t.Fatalf("GET after the slot moved = %q, %v", v, err)
	}
	if got := late.take(); len(got) != 1 || got[0] != "GET "+to.Addr {
		t.Errorf("GET redirected by MOVED: hook saw %q, want one GET at %s", got, to.Addr)
	}
	if size := late.sizes[len(late.sizes)-1]; size != 7 {
		t.Errorf("GET redirected by MOVED: reply size %d, want 7 ($1 v, not the MOVED error)", size)
	}
	p := c.Pipeline()
	p.Get(key)
	p.Set("{other}:k", "v")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if got := late.take(); len(got) != 0 || len(late.pipes) != 1 || late.pipes[0] != 2 {
		t.Errorf("pipeline: process hook saw %q, pipeline hook %v", got, late.pipes)
	}
	if len(late.psizes) != 1 || late.psizes[0] != 12 {
		t.Errorf("pipeline reply size %v, want 12 ($1 v and +OK)", late.psizes)
	}
	var names []string
	late.mu.Lock()
	for _, ev := range late.events {
		names = append(names, ev.Source.String()+":"+ev.Name+":"+ev.Reason)
	}
	late.mu.Unlock()
	if s := strings.Join(names, ","); !strings.Contains(s, "cluster:redirected:MOVED") {
		t.Errorf("events %s: no MOVED", s)
	}

	// A node's connection dropped: its redial goes through the hook added
	// after the node client was made.
	for _, n := range c.Nodes(Masters) {
		if n.Options().Addr == to.Addr {
			if _, err := n.Do(bg, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"); err == nil {
				break
			}
		}
	}
	if v, err := c.Get(bg, key); err != nil || v != "v" {
		t.Fatalf("GET after the node's connection dropped = %q, %v", v, err)
	}
	late.mu.Lock()
	dials := strings.Join(late.dials, ",")
	late.mu.Unlock()
	if !strings.Contains(dials, to.Addr) {
		t.Errorf("late hook saw dials %s, want a redial of %s", dials, to.Addr)
	}

	st := c.Stats()
	if len(st.Nodes) < 3 || st.BytesWritten == 0 || st.Ready < 3 || st.Reconnects < 1 {
		t.Errorf("cluster stats: %+v", st)
	}
}
