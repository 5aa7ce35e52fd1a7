package fastredis

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

const echoLua = "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}"

// replyStrings flattens an array reply of strings.
func replyStrings(r Reply) []string {
	out := make([]string, len(r.Elems))
	for i, e := range r.Elems {
		out[i] = e.Str
	}
	return out
}

// commandCalls returns how many times the server ran each of names (INFO
// commandstats).
func commandCalls(t *testing.T, c *Client, names ...string) []int {
	t.Helper()
	info, err := c.Info(bg, "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int, len(names))
	for i, n := range names {
		m := regexp.MustCompile(`cmdstat_` + n + `:calls=(\d+)`).FindStringSubmatch(info)
		if m != nil {
			out[i], _ = strconv.Atoi(m[1])
		}
	}
	return out
}

// The seed README's scripting examples, in Go.
func TestScriptSeedExamples(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		// redis.defineCommand("echo", {numberOfKeys: 2, lua: ...})
		echo := NewScript(echoLua, 2)
		r, err := c.RunScript(bg, echo, []string{"k1", "k2"}, "a1", "a2")
		if err != nil {
			t.Fatal(err)
		}
		if got := replyStrings(r); strings.Join(got, ",") != "k1,k2,a1,a2" {
			t.Errorf("echo = %v", got)
		}
		// redis.pipeline().set("foo", "bar").echo("k1", "k2", "a1", "a2").exec()
		p := c.Pipeline()
		set := p.Set("foo", "bar")
		fe := p.RunScript(echo, []string{"k1", "k2"}, "a1", "a2")
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if set.Err() != nil {
			t.Error(set.Err())
		}
		if r, err := fe.Result(); err != nil || strings.Join(replyStrings(r), ",") != "k1,k2,a1,a2" {
			t.Errorf("echo in a pipeline = %v, %v", r, err)
		}
		// A dynamic key count: given by each call.
		dyn := NewScript(echoLua, DynamicKeys)
		r, err = c.RunScript(bg, dyn, []string{"k1", "k2"}, "a1", "a2")
		if err != nil || strings.Join(replyStrings(r), ",") != "k1,k2,a1,a2" {
			t.Errorf("dynamic echo = %v, %v", r, err)
		}
		r, err = c.RunScript(bg, dyn, []string{"k1"}, "k2", "a1")
		if err != nil || strings.Join(replyStrings(r), ",") != "k1" { // KEYS[2] is nil: the Lua table ends there
			t.Errorf("dynamic echo with one key = %v, %v", r, err)
		}
	})
}

func TestScriptKeyCount(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	s := NewScript(echoLua, 2)
	if _, err := c.RunScript(bg, s, []string{"k1"}, "a"); err == nil || !strings.Contains(err.Error(), "takes 2 keys, got 1") {
		t.Errorf("wrong key count: %v", err)
	}
	p := c.Pipeline()
	f := p.RunScript(s, nil)
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if f.Err() == nil {
		t.Error("wrong key count in a pipeline: no error")
	}
	if _, err := c.RunScript(bg, NewScript("return 1", -5), nil); err == nil {
		t.Error("key count -5: no error")
	}
	if got := commandCalls(t, c, "evalsha", "eval"); got[0]+got[1] != 0 {
		t.Errorf("a refused call reached the server: %v", got)
	}
}

// EVALSHA first; EVAL when the server says NOSCRIPT, and so again after
// SCRIPT FLUSH or a restart.
func TestScriptEvalShaFallback(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	s := NewScript("return ARGV[1] .. '!'", 0)
	run := func() {
		t.Helper()
		v, err := c.RunScriptString(bg, s, nil, "hi")
		if err != nil || v != "hi!" {
			t.Fatalf("script = %q, %v", v, err)
		}
	}
	run()
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 1 || got[1] != 1 {
		t.Errorf("first run: evalsha, eval calls = %v, want [1 1]", got)
	}
	run()
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 2 || got[1] != 1 {
		t.Errorf("second run: evalsha, eval calls = %v, want [2 1]", got)
	}
	if err := c.ScriptFlush(bg); err != nil {
		t.Fatal(err)
	}
	run()
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 3 || got[1] != 2 {
		t.Errorf("after SCRIPT FLUSH: evalsha, eval calls = %v, want [3 2]", got)
	}
	srv.Restart(t)
	run() // the client redials; the script cache is empty again
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 1 || got[1] != 1 {
		t.Errorf("after a restart: evalsha, eval calls = %v, want [1 1]", got)
	}
	// A script error is the script's, not a reason to fall back.
	bad := NewScript("return redis.call('INCR', KEYS[1])", 1)
	c.Set(bg, "str", "x")
	_, err := c.RunScriptInt(bg, bad, []string{"str"})
	var e *Error
	if !errors.As(err, &e) || e.Prefix == "NOSCRIPT" {
		t.Errorf("script error: %v", err)
	}
}

func TestScriptKeyPrefix(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "app:"})
	s := NewScript("redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], ARGV[1]}", 1)
	r, err := c.RunScript(bg, s, []string{"k"}, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(replyStrings(r), ","); got != "app:k,k" {
		t.Errorf("KEYS and ARGV = %s, want app:k,k (the prefix on keys only)", got)
	}
	plain := newTestClient(t, Options{Addr: srv.Addr})
	eq(t, "app:k", "k")(plain.Get(bg, "app:k"))
}

// In a pipeline a script goes as EVAL until it is known to be loaded, then
// as EVALSHA; an EVALSHA that meets NOSCRIPT runs again as EVAL.
func TestScriptInPipeline(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	s := NewScript("return redis.call('INCR', KEYS[1])", 1)
	runBatch := func() (Future[int64], Future[int64]) {
		t.Helper()
		p := c.Pipeline()
		a := p.RunScriptInt(s, []string{"n"})
		b := p.RunScriptInt(s, []string{"n"})
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	a, b := runBatch()
	eq(t, "first", int64(1))(a.Result())
	eq(t, "second", int64(2))(b.Result())
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 0 || got[1] != 2 {
		t.Errorf("unknown script: evalsha, eval = %v, want [0 2]", got)
	}
	a, b = runBatch()
	eq(t, "third", int64(3))(a.Result())
	eq(t, "fourth", int64(4))(b.Result())
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 2 || got[1] != 2 {
		t.Errorf("loaded script: evalsha, eval = %v, want [2 2]", got)
	}
	if err := c.ScriptFlush(bg); err != nil {
		t.Fatal(err)
	}
	a, b = runBatch() // both get NOSCRIPT, and both are retried
	eq(t, "after flush, first", int64(5))(a.Result())
	eq(t, "after flush, second", int64(6))(b.Result())
	if got := commandCalls(t, c, "evalsha", "eval"); got[0] != 4 || got[1] != 4 {
		t.Errorf("after SCRIPT FLUSH: evalsha, eval = %v, want [4 4]", got)
	}
}

// Inside MULTI there is no falling back: a script not known to be loaded
// goes as EVAL, and one flushed behind the client's back reports NOSCRIPT.
func TestScriptInTransaction(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	s := NewScript("return redis.call('INCR', KEYS[1])", 1)
	p := c.TxPipeline()
	f := p.RunScriptInt(s, []string{"n"})
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	eq(t, "EVAL in MULTI", int64(1))(f.Result())
	if err := c.ScriptFlush(bg); err != nil {
		t.Fatal(err)
	}
	p = c.TxPipeline()
	f = p.RunScriptInt(s, []string{"n"})
	incr := p.Incr("n")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if _, err := f.Result(); !errors.As(err, &e) || e.Prefix != "NOSCRIPT" {
		t.Errorf("flushed script in MULTI: %v, want NOSCRIPT", err)
	}
	eq(t, "INCR beside it", int64(2))(incr.Result())
	// Load makes it safe again (and the failure above made the next
	// transaction send EVAL anyway).
	if err := s.Load(bg, c); err != nil {
		t.Fatal(err)
	}
	p = c.TxPipeline()
	f = p.RunScriptInt(s, []string{"n"})
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	eq(t, "after Load", int64(3))(f.Result())
}

func TestScriptAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	s := NewScript("return redis.call('GET', KEYS[1])", 1)
	c.Set(bg, "k", "value")
	keys := []string{"k"}
	dst := make([]byte, 0, 64)
	run := func() {
		var err error
		dst, err = c.RunScriptAppend(bg, dst[:0], s, keys)
		if err != nil || string(dst) != "value" {
			t.Fatalf("script = %q, %v", dst, err)
		}
	}
	run()
	if allocs := testing.AllocsPerRun(200, run); allocs != 0 {
		t.Errorf("script call: %v allocs, want 0", allocs)
	}
}

func TestFunctionCall(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		lib := "#!lua name=mylib\n" +
			"redis.register_function('echo2', function(keys, args) return {keys[1], args[1]} end)\n" +
			"redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}"
		name, err := c.FunctionLoad(bg, lib, FunctionLoadOptions{Replace: true})
		if err != nil || name != "mylib" {
			t.Fatalf("FUNCTION LOAD = %q, %v", name, err)
		}
		r, err := c.FCall(bg, "echo2", []string{"k"}, "a")
		if err != nil || strings.Join(replyStrings(r), ",") != "k,a" {
			t.Errorf("FCALL = %v, %v", r, err)
		}
		c.Set(bg, "k", "v")
		p := c.Pipeline()
		ro := p.FCallRO("ro", []string{"k"})
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if r, err := ro.Result(); err != nil || r.Str != "v" {
			t.Errorf("FCALL_RO in a pipeline = %v, %v", r, err)
		}
	})
}
