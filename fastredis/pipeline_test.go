package fastredis

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestPipelinePerCommandResults(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		p := c.Pipeline()
		set := p.Set("foo", "bar")
		get := p.Get("foo")
		del := p.Del("cc")
		p.LPush("list", "x")
		wrong := p.Incr("list") // WRONGTYPE: fails alone
		missing := p.Get("missing")
		after := p.Incr("n")
		if p.Len() != 7 {
			t.Fatalf("Len = %d, want 7", p.Len())
		}
		if _, err := get.Result(); !errors.Is(err, ErrNotRun) {
			t.Fatalf("before Exec: %v, want ErrNotRun", err)
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if err := set.Err(); err != nil {
			t.Errorf("SET: %v", err)
		}
		eq(t, "GET", "bar")(get.Result())
		eq(t, "DEL", int64(0))(del.Result())
		var e *Error
		if _, err := wrong.Result(); !errors.As(err, &e) || e.Prefix != "WRONGTYPE" || e.Command != "INCR" {
			t.Errorf("INCR on a list: %v, want WRONGTYPE from INCR", err)
		}
		if _, err := missing.Result(); !errors.Is(err, Nil) {
			t.Errorf("GET missing: %v, want Nil", err)
		}
		eq(t, "INCR after the failure", int64(1))(after.Result())

		// Exec again: the same commands run again.
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		eq(t, "INCR, second run", int64(2))(after.Result())

		// Reset: old Futures are stale, the pipeline is empty and reusable.
		p.Reset()
		if _, err := after.Result(); !errors.Is(err, ErrNotRun) {
			t.Errorf("after Reset: %v, want ErrNotRun", err)
		}
		if p.Len() != 0 {
			t.Errorf("Len after Reset = %d", p.Len())
		}
		if err := p.Exec(bg); err != nil {
			t.Errorf("empty Exec: %v", err)
		}
		n := p.Incr("n")
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		eq(t, "INCR after Reset", int64(3))(n.Result())
	})
}

// The seed README's pipeline examples, in Go.
func TestPipelineSeedExamples(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		// pipeline.set("foo", "bar"); pipeline.del("cc"); pipeline.exec()
		p := c.Pipeline()
		set := p.Set("foo", "bar")
		del := p.Del("cc")
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if set.Err() != nil || del.Err() != nil {
			t.Fatal(set.Err(), del.Err())
		}
		// redis.pipeline().set("foo", "bar").get("foo").exec() -> [[null, 'OK'], [null, 'bar']]
		var get Future[string]
		err := c.Pipelined(bg, func(p *Pipeline) {
			p.Set("foo", "bar")
			get = p.Get("foo")
		})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "GET", "bar")(get.Result())
		// redis.pipeline([["set", "foo", "bar"], ["get", "foo"]]).exec()
		p = c.Pipeline()
		fs := p.DoAll([][]any{{"set", "foo", "baz"}, {"get", "foo"}})
		if p.Len() != 2 {
			t.Fatalf("Len = %d", p.Len())
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		if r, err := fs[1].Result(); err != nil || r.Str != "baz" {
			t.Errorf("GET through Do = %+v, %v", r, err)
		}
	})
}

func TestPipelineDo(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "app:"})
	c.SetReplyTransformer("GET", func(r Reply) (Reply, error) {
		r.Str = strings.ToUpper(r.Str)
		return r, nil
	})
	p := c.Pipeline()
	set := p.Do("SET", "k", "v")
	bad := p.Do("SET", "k", struct{}{})   // cannot be encoded: fails alone
	unknown := p.Do("NOSUCHCMD", "x")     // refused locally under a key prefix
	multi := p.Do("MULTI")                // has its own methods
	sub := p.Do("subscribe", "ch")        // would break the shared connection
	get := p.Do("GET", "k")               // the reply transformer applies
	raw := p.Do("GET", []byte("missing")) // a null is Nil
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if err := set.Err(); err != nil {
		t.Error(err)
	}
	for name, f := range map[string]Future[Reply]{"unsupported type": bad, "unknown under prefix": unknown, "MULTI": multi, "SUBSCRIBE": sub} {
		if f.Err() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if r, err := get.Result(); err != nil || r.Str != "V" {
		t.Errorf("GET = %+v, %v; want V from the transformer", r, err)
	}
	if _, err := raw.Result(); !errors.Is(err, Nil) {
		t.Errorf("GET missing: %v", err)
	}
	if v := mustDo(t, c, "GET", "k"); v.Str != "V" {
		t.Errorf("key not under the prefix: %+v", v)
	}
	plain := newTestClient(t, Options{Addr: srv.Addr})
	if v := mustDo(t, plain, "GET", "app:k"); v.Str != "v" {
		t.Errorf("app:k = %+v", v)
	}
}

func TestPipelineKeyPrefix(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "p:"})
	plain := newTestClient(t, Options{Addr: srv.Addr})
	p := c.Pipeline()
	p.Set("a", "1")
	p.MSet("b", "2", "c", "3")
	mget := p.MGet("a", "b", "c")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	got, err := mget.Result()
	if err != nil || len(got) != 3 || got[2].Value != "3" {
		t.Fatalf("MGET = %v, %v", got, err)
	}
	keys, err := plain.Keys(bg, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "p:") {
			t.Errorf("key %q without the prefix", k)
		}
	}
	if len(keys) != 3 {
		t.Errorf("keys = %v", keys)
	}
}

// Every generated Client method has a Pipeline twin taking the same
// arguments (without the context) and returning a Future of its value.
func TestPipelineMirrorsClient(t *testing.T) {
	ct, pt := reflect.TypeOf(&Client{}), reflect.TypeOf(&Pipeline{})
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	for _, m := range commandMethods {
		cm, ok := ct.MethodByName(m.Method)
		if !ok {
			t.Errorf("Client.%s missing", m.Method)
			continue
		}
		pm, ok := pt.MethodByName(m.Method)
		if !ok {
			t.Errorf("Pipeline.%s missing", m.Method)
			continue
		}
		cin, pin := cm.Type, pm.Type
		if cin.In(1) != ctxType {
			t.Errorf("Client.%s: first argument is not a context", m.Method)
			continue
		}
		if cin.NumIn()-1 != pin.NumIn() || cin.IsVariadic() != pin.IsVariadic() {
			t.Errorf("Pipeline.%s takes %d arguments, Client.%s %d", m.Method, pin.NumIn()-1, m.Method, cin.NumIn()-2)
			continue
		}
		for i := 2; i < cin.NumIn(); i++ {
			if cin.In(i) != pin.In(i-1) {
				t.Errorf("Pipeline.%s argument %d is %v, want %v", m.Method, i-1, pin.In(i-1), cin.In(i))
			}
		}
		want := reflect.TypeOf(OK{})
		if cm.Type.NumOut() == 2 {
			want = cm.Type.Out(0)
		}
		res, ok := pm.Type.Out(0).MethodByName("Result")
		if !ok || res.Type.Out(0) != want {
			t.Errorf("Pipeline.%s returns %v, want a Future[%v]", m.Method, pm.Type.Out(0), want)
		}
	}
}

// A pipeline gives the same values as the Client for every kind of result
// the generated methods decode.
func TestPipelineMatchesClient(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		setup := c.Pipeline()
		setup.MSet("s", "hello", "n", "10")
		setup.RPush("l", "a", "b", "c")
		setup.HSet("h", FieldValue{"f1", "v1"}, FieldValue{"f2", "v2"})
		setup.SAdd("set", "x", "y")
		setup.ZAdd("z", nil, Z{Member: "m1", Score: 1}, Z{Member: "m2", Score: 2.5})
		setup.XAdd("st", "1-1", nil, FieldValue{"a", "1"})
		setup.GeoAdd("geo", nil, GeoMember{Longitude: 13.361389, Latitude: 38.115556, Member: "Palermo"})
		if err := setup.Exec(bg); err != nil {
			t.Fatal(err)
		}
		for _, s := range setup.slots {
			if s.localErr != nil || s.err != nil {
				t.Fatalf("setup: %s: %v %v", s.command, s.localErr, s.err)
			}
		}
		calls := []struct {
			method string
			args   []any
		}{
			{"Get", []any{"s"}},
			{"GetAppend", []any{[]byte("pre:"), "s"}},
			{"Incr", []any{"n"}},
			{"IncrByFloat", []any{"n", 0.5}},
			{"Exists", []any{"s", "nope"}},
			{"LRange", []any{"l", int64(0), int64(-1)}},
			{"MGet", []any{"s", "nope"}},
			{"HGetAll", []any{"h"}},
			{"SMIsMember", []any{"set", "x", "q"}},
			{"ZRangeWithScores", []any{"z", "0", "-1"}},
			{"ZRange", []any{"z", 0, int64(-1)}}, // numbers as range bounds
			{"ZScore", []any{"z", "m2"}},
			{"ZRankWithScore", []any{"z", "m2"}},
			{"XRange", []any{"st", "-", "+"}},
			{"GeoPos", []any{"geo", "Palermo"}},
			{"Type", []any{"h"}},
			{"Time", nil},
			{"ConfigGet", []any{"maxmemory-policy"}},
			{"MSet", []any{"m1", "1", "m2", "2"}},
			{"Get", []any{"nope"}},
			{"LPop", []any{"s"}},
			{"LIndex", []any{"l", int64(1)}},
			{"Ping", nil},
			{"Ping", []any{PingOptions{Message: "hi"}}},
			{"ZScore", []any{"z", []byte("m2")}}, // a []byte value
		}
		for _, call := range calls {
			t.Run(call.method, func(t *testing.T) {
				cm := reflect.ValueOf(c).MethodByName(call.method)
				if !cm.IsValid() {
					t.Fatalf("no Client.%s", call.method)
				}
				in := []reflect.Value{reflect.ValueOf(bg)}
				pin := []reflect.Value{}
				for i, a := range call.args {
					v := reflect.ValueOf(a)
					if a == nil {
						v = reflect.Zero(cm.Type().In(i + 1))
					}
					in = append(in, v)
					pin = append(pin, v)
				}
				cout := cm.Call(in)
				p := c.Pipeline()
				fut := reflect.ValueOf(p).MethodByName(call.method).Call(pin)[0]
				if err := p.Exec(bg); err != nil {
					t.Fatal(err)
				}
				pout := fut.MethodByName("Result").Call(nil)
				cerr, _ := cout[len(cout)-1].Interface().(error)
				perr, _ := pout[1].Interface().(error)
				if (cerr == nil) != (perr == nil) || (cerr != nil && cerr.Error() != perr.Error()) {
					t.Fatalf("errors differ: Client %v, Pipeline %v", cerr, perr)
				}
				if len(cout) == 2 && call.method != "Time" && call.method != "Incr" && call.method != "IncrByFloat" {
					if !reflect.DeepEqual(cout[0].Interface(), pout[0].Interface()) {
						t.Errorf("values differ: Client %#v, Pipeline %#v", cout[0].Interface(), pout[0].Interface())
					}
				}
			})
		}
	})
}

// A pipeline of 100 GETs into caller buffers, reset and refilled each
// time, allocates nothing once warm. (Under the race detector sync.Pool
// drops items at random, so the count is only checked without it.)
func TestPipelineReuseAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		if err := c.Set(bg, keys[i], strings.Repeat("v", 64)); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Pipeline()
	bufs := make([][]byte, 100)
	for i := range bufs {
		bufs[i] = make([]byte, 0, 128)
	}
	futures := make([]Future[[]byte], 100)
	run := func() {
		p.Reset()
		for i, k := range keys {
			futures[i] = p.GetAppend(bufs[i][:0], k)
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		for i := range futures {
			v, err := futures[i].Result()
			if err != nil || len(v) != 64 {
				t.Fatalf("GET %d: %q, %v", i, v, err)
			}
		}
	}
	run()
	if allocs := testing.AllocsPerRun(100, run); allocs != 0 {
		t.Errorf("reused pipeline of 100 GETs: %v allocs per run, want 0", allocs)
	}
}

func TestPipelineConnectionLost(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	id, err := c.ClientID(bg)
	if err != nil {
		t.Fatal(err)
	}
	// The pipeline kills its own connection halfway: the commands before
	// get their replies, those after the connection's error.
	p := c.Pipeline()
	before := p.Set("k", "v")
	kill := p.ClientKill(ClientKillFilter{ID: id, SkipMe: No})
	after := p.Get("k")
	err = p.Exec(bg)
	if err == nil {
		t.Fatal("Exec: no error after the connection was killed")
	}
	if before.Err() != nil {
		t.Errorf("SET before the kill: %v", before.Err())
	}
	if kill.Err() == nil && after.Err() == nil {
		t.Errorf("GET after the kill succeeded")
	}
	if !errors.Is(after.Err(), err) && after.Err().Error() != err.Error() {
		t.Errorf("GET after the kill: %v, want the Exec error %v", after.Err(), err)
	}
	// The client redials for the next pipeline.
	eq(t, "GET after redial", "v")(admin.Get(bg, "k"))
	p.Reset()
	get := p.Get("k")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	eq(t, "GET", "v")(get.Result())
}

func TestPipelineCancelled(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	ctx, cancel := context.WithCancel(bg)
	cancel()
	p := c.Pipeline()
	f := p.Ping()
	if err := p.Exec(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Exec with a cancelled context: %v", err)
	}
	if !errors.Is(f.Err(), context.Canceled) {
		t.Errorf("PING: %v", f.Err())
	}
	if err := p.Exec(bg); err != nil || f.Err() != nil {
		t.Errorf("again: %v, %v", err, f.Err())
	}
}

func TestFutureZeroValue(t *testing.T) {
	var f Future[string]
	if _, err := f.Result(); !errors.Is(err, ErrNotRun) {
		t.Errorf("zero Future: %v", err)
	}
	if f.Val() != "" || f.Err() == nil {
		t.Error("zero Future has a value")
	}
}
