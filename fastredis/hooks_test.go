package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// recCmd is what recHook saw of one command.
type recCmd struct {
	name string
	args []string
	addr string
	db   int
	err  error
	size int
}

// recHook records what it sees, and each step in a log shared by hooks
// (for their order).
type recHook struct {
	id   string
	log  *orderLog
	fail error // returned by ProcessHook and ProcessPipelineHook without calling next

	mu     sync.Mutex
	cmds   []recCmd
	pipes  [][]string
	txs    []bool
	psizes []int
	dials  []string
	dialEr []error
	events []HookEvent
}

type orderLog struct {
	mu    sync.Mutex
	steps []string
}

func (l *orderLog) add(s string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.steps = append(l.steps, s)
	l.mu.Unlock()
}

func (h *recHook) DialHook(next DialHookFunc) DialHookFunc {
	return func(ctx context.Context, network, addr string) error {
		err := next(ctx, network, addr)
		h.mu.Lock()
		h.dials = append(h.dials, addr)
		h.dialEr = append(h.dialEr, err)
		h.mu.Unlock()
		return err
	}
}

func (h *recHook) ProcessHook(next ProcessHookFunc) ProcessHookFunc {
	return func(ctx context.Context, ci *CommandInfo) error {
		h.log.add(h.id + " before")
		if h.fail != nil {
			return h.fail
		}
		err := next(ctx, ci)
		h.log.add(h.id + " after")
		rc := recCmd{name: ci.Name(), addr: ci.Addr(), db: ci.DB(), err: err, size: ci.ReplySize()}
		for _, a := range ci.AppendArgs(nil) {
			rc.args = append(rc.args, string(a))
		}
		h.mu.Lock()
		h.cmds = append(h.cmds, rc)
		h.mu.Unlock()
		return err
	}
}

func (h *recHook) ProcessPipelineHook(next ProcessPipelineHookFunc) ProcessPipelineHookFunc {
	return func(ctx context.Context, p *PipelineInfo) error {
		if h.fail != nil {
			return h.fail
		}
		err := next(ctx, p)
		var names []string
		for i := range p.Len() {
			ci := p.Command(i)
			names = append(names, ci.Name()+" "+string(ci.Arg(1)))
		}
		h.mu.Lock()
		h.pipes = append(h.pipes, names)
		h.txs = append(h.txs, p.Tx())
		h.psizes = append(h.psizes, p.ReplySize())
		h.mu.Unlock()
		return err
	}
}

func (h *recHook) HandleEvent(ev HookEvent) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

func (h *recHook) takeCmds() []recCmd {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.cmds
	h.cmds = nil
	return c
}

func (h *recHook) eventNames() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var names []string
	for _, ev := range h.events {
		names = append(names, ev.Source.String()+":"+ev.Name)
	}
	return strings.Join(names, ",")
}

// Every way a command starts goes through the process hook once, with its
// name, arguments, address, database, error and reply size.
func TestHookCommandKinds(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	h := &recHook{}
	c := newTestClient(t, Options{Addr: srv.Addr, DB: 2, Hooks: []Hook{h}})
	ctx := context.Background()
	script := NewScript("return redis.call('GET', KEYS[1])", 1)
	var cmd Cmd
	var e *Error
	for _, tc := range []struct {
		name     string
		call     func() error
		want     []string // name, then args
		wantErr  func(error) bool
		wantSize int
	}{
		{"typed SET", func() error { return c.Set(ctx, "hk", "bar") }, []string{"SET", "SET", "hk", "bar"}, nil, 5},
		{"large argument", func() error { return c.Set(ctx, "big", strings.Repeat("x", largeArg+1)) },
			[]string{"SET", "SET", "big", strings.Repeat("x", largeArg+1)}, nil, 5},
		{"large argument between others", func() error {
			_, err := c.HSet(ctx, "bigh", "f", strings.Repeat("y", largeArg), "g", "v")
			return err
		}, []string{"HSET", "HSET", "bigh", "f", strings.Repeat("y", largeArg), "g", "v"}, nil, 4},
		{"typed GET", func() error { _, err := c.Get(ctx, "hk"); return err }, []string{"GET", "GET", "hk"}, nil, 9},
		{"typed GET of a missing key", func() error { _, err := c.Get(ctx, "nokey"); return err }, []string{"GET", "GET", "nokey"},
			func(err error) bool { return err == Nil }, 3},
		{"subcommand", func() error { return c.ClientSetName(ctx, "hooked") }, []string{"CLIENT SETNAME", "CLIENT", "SETNAME", "hooked"}, nil, 5},
		{"Do", func() error { _, err := c.Do(ctx, "get", "hk"); return err }, []string{"GET", "get", "hk"}, nil, 9},
		{"Do subcommand", func() error { _, err := c.Do(ctx, "client", "getname"); return err }, []string{"CLIENT GETNAME", "client", "getname"}, nil, 12},
		{"Do error", func() error { _, err := c.Do(ctx, "LPUSH", "hk", "x"); return err }, []string{"LPUSH", "LPUSH", "hk", "x"},
			func(err error) bool { return errors.As(err, &e) && e.Prefix == "WRONGTYPE" }, 0},
		{"Exec", func() error { return c.Exec(ctx, cmd.Reset("get").Key("hk")) }, []string{"GET", "get", "hk"}, nil, 9},
		{"Exec null", func() error { return c.Exec(ctx, cmd.Reset("GET").Key("nokey")) }, []string{"GET", "GET", "nokey"},
			func(err error) bool { return err == Nil }, 3},
		{"blocking", func() error { _, err := c.BLPop(ctx, []string{"nolist"}, 10*time.Millisecond); return err }, []string{"BLPOP", "BLPOP", "nolist", "0.01"},
			func(err error) bool { return err == Nil }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.takeCmds()
			err := tc.call()
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("call: %v", err)
			}
			cmds := h.takeCmds()
			if len(cmds) != 1 {
				t.Fatalf("hook saw %d commands, want 1: %+v", len(cmds), cmds)
			}
			got := cmds[0]
			if got.name != tc.want[0] || strings.Join(got.args, " ") != strings.Join(tc.want[1:], " ") {
				t.Errorf("hook saw %s %.40q, want %s %.40q", got.name, got.args, tc.want[0], tc.want[1:])
			}
			if got.addr != srv.Addr || got.db != 2 {
				t.Errorf("addr %q db %d, want %q 2", got.addr, got.db, srv.Addr)
			}
			if (got.err == nil) != (err == nil) || got.err != nil && got.err.Error() != err.Error() {
				t.Errorf("hook saw error %v, call returned %v", got.err, err)
			}
			if tc.wantSize > 0 && got.size != tc.wantSize {
				t.Errorf("reply size %d, want %d", got.size, tc.wantSize)
			}
		})
	}

	t.Run("script", func(t *testing.T) {
		must(t, c.ScriptFlush(ctx))
		h.takeCmds()
		if _, err := c.RunScriptString(ctx, script, []string{"hk"}); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, rc := range h.takeCmds() {
			names = append(names, rc.name)
		}
		if strings.Join(names, ",") != "EVALSHA,EVAL" {
			t.Errorf("hook saw %v, want EVALSHA (NOSCRIPT) then EVAL", names)
		}
	})

	t.Run("watch", func(t *testing.T) {
		h.takeCmds()
		err := c.Watch(ctx, func(tx *Tx) error {
			_, err := tx.Get(ctx, "hk")
			return err
		}, "hk")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, rc := range h.takeCmds() {
			names = append(names, rc.name)
			if rc.db != 2 || rc.addr != srv.Addr {
				t.Errorf("%s on a Tx: addr %q db %d", rc.name, rc.addr, rc.db)
			}
		}
		if strings.Join(names, ",") != "WATCH,GET,UNWATCH" {
			t.Errorf("hook saw %v on a Tx", names)
		}
	})
}

// The first hook set is the outermost; AddHook adds inside.
func TestHookOrder(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	log := &orderLog{}
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{&recHook{id: "a", log: log}, &recHook{id: "b", log: log}}})
	c.AddHook(&recHook{id: "c", log: log})
	must(t, c.Set(context.Background(), "k", "v"))
	want := "a before,b before,c before,c after,b after,a after"
	if got := strings.Join(log.steps, ","); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}

// A hook that returns an error without calling next fails the call, and
// nothing is sent.
func TestHookShortCircuit(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	denied := errors.New("denied by hook")
	plain := newTestClient(t, Options{Addr: srv.Addr})
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{&recHook{fail: denied}}})
	ctx := context.Background()
	var cmd Cmd
	p := c.Pipeline()
	p.Set("sc:p", "v")
	for name, call := range map[string]func() error{
		"typed":    func() error { return c.Set(ctx, "sc:k", "v") },
		"Do":       func() error { _, err := c.Do(ctx, "SET", "sc:k", "v"); return err },
		"Exec":     func() error { return c.Exec(ctx, cmd.Reset("SET").Key("sc:k").Arg("v")) },
		"pipeline": func() error { return p.Exec(ctx) },
	} {
		if err := call(); !errors.Is(err, denied) {
			t.Errorf("%s: %v, want the hook's error", name, err)
		}
	}
	if n, err := plain.Exists(ctx, "sc:k", "sc:p"); err != nil || n != 0 {
		t.Errorf("EXISTS: %d, %v: something was sent", n, err)
	}
}

// AddHook while commands run: every command completes, and those started
// after AddHook returned go through the new hook (-race checks the rest).
func TestAddHookConcurrent(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, PoolSize: 2})
	ctx := context.Background()
	must(t, c.Set(ctx, "k", "v"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []byte
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if dst, err = c.GetAppend(ctx, dst[:0], "k"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	hooks := make([]*recHook, 10)
	for i := range hooks {
		hooks[i] = &recHook{}
		c.AddHook(hooks[i])
	}
	close(stop)
	wg.Wait()
	must(t, c.Set(ctx, "k", "v"))
	for i, h := range hooks {
		if cmds := h.takeCmds(); len(cmds) == 0 || cmds[len(cmds)-1].name != "SET" {
			t.Errorf("hook %d did not see the last command", i)
		}
	}
}

// The pipeline hook sees every queued command, once per Exec; commands do
// not also go through the process hook.
func TestPipelineHook(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	h := &recHook{}
	c := newTestClient(t, Options{Addr: srv.Addr, Hooks: []Hook{h}})
	ctx := context.Background()
	p := c.Pipeline()
	p.Set("pk", "v")
	p.Get("pk")
	p.Do("incr", "pn")
	must(t, p.Exec(ctx))
	tp := c.TxPipeline()
	tp.Incr("pn")
	must(t, tp.Exec(ctx))
	if cmds := h.takeCmds(); len(cmds) != 0 {
		t.Errorf("process hook saw %d commands of pipelines", len(cmds))
	}
	want := [][]string{{"SET pk", "GET pk", "INCR pn"}, {"INCR pn"}}
	if fmt.Sprint(h.pipes) != fmt.Sprint(want) || fmt.Sprint(h.txs) != "[false true]" {
		t.Errorf("pipeline hook saw %q (tx %v), want %q", h.pipes, h.txs, want)
	}
	// +OK $1 v :1, then +OK +QUEUED *1 :2
	if fmt.Sprint(h.psizes) != "[16 22]" {
		t.Errorf("pipeline reply sizes %v, want [16 22]", h.psizes)
	}
}

// passHook passes everything on.
type passHook struct{}

func (passHook) DialHook(next DialHookFunc) DialHookFunc          { return next }
func (passHook) ProcessHook(next ProcessHookFunc) ProcessHookFunc { return next }
func (passHook) ProcessPipelineHook(next ProcessPipelineHookFunc) ProcessPipelineHookFunc {
	return next
}

// readHook reads what a metrics hook reads, keeping nothing.
type readHook struct {
	passHook
	mu    sync.Mutex
	n     int
	bytes int
	total time.Duration
}

func (h *readHook) ProcessHook(next ProcessHookFunc) ProcessHookFunc {
	return func(ctx context.Context, ci *CommandInfo) error {
		start := time.Now()
		err := next(ctx, ci)
		d := time.Since(start)
		n := len(ci.Name()) + len(ci.Addr()) + ci.DB() + ci.ReplySize()
		for i := range ci.NumArgs() {
			n += len(ci.Arg(i))
		}
		h.mu.Lock()
		h.n++
		h.bytes += n
		h.total += d
		h.mu.Unlock()
		return err
	}
}

// With no hook, a pass-through hook, or a hook reading the name, the
// arguments and the duration, a command allocates nothing.
func TestHookAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	var cmd Cmd
	for _, hc := range []struct {
		name  string
		hooks []Hook
	}{
		{"no hook", nil},
		{"pass-through", []Hook{passHook{}}},
		{"reading", []Hook{&readHook{}}},
		{"two", []Hook{passHook{}, &readHook{}}},
	} {
		c := newTestClient(t, Options{Addr: srv.Addr, Hooks: hc.hooks})
		must(t, c.Set(ctx, "k", "v"))
		dst := make([]byte, 0, 64)
		p := c.Pipeline()
		for _, tc := range []struct {
			name string
			fn   func()
		}{
			{"GetAppend", func() { dst, _ = c.GetAppend(ctx, dst[:0], "k") }},
			{"Cmd", func() { must(t, c.Exec(ctx, cmd.Reset("GET").Key("k"))) }},
			{"Pipeline", func() {
				p.Reset()
				p.GetAppend(dst[:0], "k")
				must(t, p.Exec(ctx))
			}},
		} {
			tc.fn()
			if allocs := testing.AllocsPerRun(200, tc.fn); allocs != 0 {
				t.Errorf("%s, %s: %v allocs per call, want 0", hc.name, tc.name, allocs)
			}
		}
	}
}

// BenchmarkHooks is GET into a caller buffer with no hook, a pass-through
// hook, and a hook that reads the name, arguments, reply size and
// duration: 0 allocs/op each.
func BenchmarkHooks(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	ctx := context.Background()
	for _, hc := range []struct {
		name  string
		hooks []Hook
	}{
		{"none", nil},
		{"pass", []Hook{passHook{}}},
		{"read", []Hook{&readHook{}}},
	} {
		c, err := NewClient(Options{Addr: srv.Addr, Hooks: hc.hooks})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Set(ctx, "bench:key", strings.Repeat("v", 64)); err != nil {
			b.Fatal(err)
		}
		b.Run("hook="+hc.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]byte, 0, 128)
			for b.Loop() {
				if dst, err = c.GetAppend(ctx, dst[:0], "bench:key"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("hook="+hc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				dst := make([]byte, 0, 128)
				for pb.Next() {
					var err error
					if dst, err = c.GetAppend(ctx, dst[:0], "bench:key"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		c.Close()
	}
}
