package fastredis

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

type (
	namedString string
	namedInt    int16
	namedBytes  []byte
)

// encodeArgs returns the bulk strings write encodes, joined by
// spaces, or the argument error.
func encodeArgs(prefix string, write func(a *argBuf)) (string, error) {
	a := &argBuf{}
	a.reset(prefix)
	a.name = "TEST"
	write(a)
	if a.err != nil {
		return "", a.err
	}
	b := a.appendTo(nil)
	var parts []string
	for len(b) > 0 {
		i := strings.Index(string(b), "\r\n")
		n := 0
		for _, c := range b[1:i] {
			n = n*10 + int(c-'0')
		}
		parts = append(parts, string(b[i+2:i+2+n]))
		b = b[i+2+n+2:]
	}
	if len(parts) != a.n {
		return "", errors.New("count mismatch")
	}
	return strings.Join(parts, " "), nil
}

func TestValueEncoding(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 500, time.UTC)
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"string", "a b", "a b"},
		{"empty string", "", ""},
		{"bytes", []byte("\x00\r\n"), "\x00\r\n"},
		{"int", 42, "42"},
		{"int64 min", int64(math.MinInt64), "-9223372036854775808"},
		{"int8", int8(-8), "-8"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"uint8", uint8(255), "255"},
		{"float64", 1.5, "1.5"},
		{"float64 inf", math.Inf(1), "+inf"},
		{"float32", float32(0.1), "0.1"},
		{"bool true", true, "1"},
		{"bool false", false, "0"},
		{"time", at, "2026-12-03T10:00:00.0000005Z"},
		{"duration", 1500 * time.Millisecond, "1500000000"},
		{"named string", namedString("x"), "x"},
		{"named int", namedInt(-3), "-3"},
		{"named bytes", namedBytes("raw"), "raw"},
	} {
		got, err := encodeArgs("", func(a *argBuf) { a.value(tc.v) })
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestValueEncodingErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(a *argBuf)
		msg   string
	}{
		{"nil", func(a *argBuf) { a.value(nil) }, "nil"},
		{"struct", func(a *argBuf) { a.value(struct{ X int }{1}) }, "struct { X int } is not supported"},
		{"slice as one value", func(a *argBuf) { a.value([]string{"a", "NX"}) }, "[]string is not supported"},
		{"map as one value", func(a *argBuf) { a.value(map[string]string{}) }, "not supported"},
		{"pointer", func(a *argBuf) { s := "x"; a.value(&s) }, "*string is not supported"},
		{"odd pairs", func(a *argBuf) { a.pairs([]any{"f", "v", "g"}) }, "pairs, got 3"},
		{"no pairs", func(a *argBuf) { a.pairs(nil) }, "no field-value pairs"},
		{"odd key values", func(a *argBuf) { a.keyValues([]any{"k"}) }, "pairs, got 1"},
		{"int key", func(a *argBuf) { a.keyValues([]any{1, "v"}) }, "a key must be a string"},
		{"deep nesting", func(a *argBuf) {
			var v any = "x"
			for range maxValueDepth + 2 {
				v = []any{v}
			}
			a.values([]any{v})
		}, "nested too deeply"},
		{"sub-millisecond", func(a *argBuf) { a.millis(1500 * time.Microsecond) }, "1.5ms is not a whole number of milliseconds"},
		{"sub-second", func(a *argBuf) { a.seconds(1500 * time.Millisecond) }, "not a whole number of seconds"},
		{"negative timeout", func(a *argBuf) { a.secondsFloat(-time.Second) }, "negative timeout"},
		{"negative block", func(a *argBuf) { a.blockFor(-2) }, "BlockForever"},
		{"zero time", func(a *argBuf) { a.unixMillis(time.Time{}) }, "zero time.Time"},
		{"two options", func(a *argBuf) { a.manyOptions(2) }, "at most one options struct, got 2"},
	} {
		_, err := encodeArgs("", tc.write)
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "fastredis: TEST: ") {
			t.Errorf("%s: err = %v, want ErrInvalidArgument saying %q", tc.name, err, tc.msg)
		}
	}
}

func TestValuesFlatten(t *testing.T) {
	for _, tc := range []struct {
		name string
		vs   []any
		want string
	}{
		{"scalars", []any{"a", 1, 2.5, true}, "a 1 2.5 1"},
		{"lists", []any{[]string{"a", "b"}, [][]byte{[]byte("c")}, []int{1}, []int64{2}, []float64{3.5}}, "a b c 1 2 3.5"},
		{"nested any", []any{[]any{"a", []any{"b", 3}}}, "a b 3"},
		{"field values", []any{FieldValue{"f", "v"}, []FieldValue{{"g", "w"}}}, "f v g w"},
		{"map", []any{map[string]any{"f": 1}, map[string]string{"g": "w"}}, "f 1 g w"},
	} {
		got, err := encodeArgs("", func(a *argBuf) { a.values(tc.vs) })
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	got, err := encodeArgs("p:", func(a *argBuf) {
		a.keyValues([]any{"k1", 1, []byte("k2"), []byte("v"), []string{"k3", "v3"}, map[string]string{"k4": "v4"}})
	})
	if want := "p:k1 1 p:k2 v p:k3 v3 p:k4 v4"; err != nil || got != want {
		t.Errorf("keyValues: %q, %v; want %q", got, err, want)
	}
}

// TestValueForms sends values of every kind through typed methods to a real
// server and reads them back.
func TestValueForms(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		for _, tc := range []struct {
			v    any
			want string
		}{
			{"s", "s"}, {[]byte("b\x00"), "b\x00"}, {42, "42"}, {int64(-7), "-7"}, {uint32(7), "7"},
			{2.5, "2.5"}, {float32(0.1), "0.1"}, {true, "1"}, {namedString("n"), "n"},
		} {
			noErr(t, "SET", c.Set(bg, "v", tc.v))
			eq(t, "GET", tc.want)(c.Get(bg, "v"))
		}
		eq(t, "INCRBY after SET of an int", int64(52))(func() (int64, error) {
			noErr(t, "SET", c.Set(bg, "n", 50))
			return c.IncrBy(bg, "n", 2)
		}())
		eq(t, "RPUSH mixed", int64(5))(c.RPush(bg, "l", "a", []byte("b"), 3, []string{"d", "e"}))
		eq(t, "LRANGE", []string{"a", "b", "3", "d", "e"})(c.LRange(bg, "l", 0, -1))
		eq(t, "LPOS of an int", int64(2))(c.LPos(bg, "l", 3))
		eq(t, "HSET pairs, FieldValue, map", int64(4))(c.HSet(bg, "h", "a", 1, FieldValue{"b", "2"}, map[string]any{"c": 3.5}, "d", []byte("4")))
		eq(t, "HGETALL", map[string]string{"a": "1", "b": "2", "c": "3.5", "d": "4"})(c.HGetAll(bg, "h"))
		noErr(t, "MSET", c.MSet(bg, "m1", 1, "m2", []byte("two")))
		eq(t, "MGET", []NullString{{"1", true}, {"two", true}})(c.MGet(bg, "m1", "m2"))
		eq(t, "ZADD any members", int64(2))(c.ZAdd(bg, "z", nil, Z{Score: 1, Member: 10}, Z{Score: 2, Member: []byte("x")}))
		eq(t, "ZSCORE of an int member", 1.0)(c.ZScore(bg, "z", 10))
		eq(t, "ZRANGE with int bounds", []string{"10", "x"})(c.ZRange(bg, "z", 0, -1))
		eq(t, "ZCOUNT with float bounds", int64(1))(c.ZCount(bg, "z", 1.5, "+inf"))
		eq(t, "SADD from a []string", int64(3))(c.SAdd(bg, "s", []string{"a", "b"}, "c"))
		eq(t, "EVAL any args", "2|x")(func() (string, error) {
			r, err := c.Eval(bg, "return ARGV[1] .. '|' .. ARGV[2]", nil, 2, []byte("x"))
			return r.Str, err
		}())

		// A value that cannot be sent: a clear error, nothing sent, and
		// the connection is fine.
		_, err := c.RPush(bg, "l", "ok", struct{}{})
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "RPUSH") {
			t.Errorf("RPUSH of a struct: %v", err)
		}
		eq(t, "nothing was pushed", int64(5))(c.LLen(bg, "l"))
		if err := c.Set(bg, "v", "x", SetOptions{Condition: NX}, SetOptions{}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("SET with two options: %v", err)
		}
		eq(t, "SET with two options sent nothing", "n")(c.Get(bg, "v"))
	})
}

// A pipeline command with an argument that cannot be sent fails alone; in a
// transaction it aborts the transaction, so no part of it runs.
func TestValueErrorsInPipelines(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	p := c.Pipeline()
	before := p.Set("a", 1)
	bad := p.Set("b", map[int]int{})
	after := p.Incr("a")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Result(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad value in a pipeline: %v", err)
	}
	if _, err := before.Result(); err != nil {
		t.Errorf("command before: %v", err)
	}
	eq(t, "command after", int64(2))(after.Result())

	tx := c.TxPipeline()
	incr := tx.Incr("a")
	tx.Expire("a", 1500*time.Microsecond) // not whole milliseconds
	err := tx.Exec(bg)
	var abort *ExecAbortError
	if !errors.As(err, &abort) {
		t.Fatalf("transaction with a bad argument: %v, want an ExecAbortError", err)
	}
	if _, err := incr.Result(); err == nil {
		t.Error("INCR of the aborted transaction succeeded")
	}
	eq(t, "the transaction did not run", "2")(c.Get(bg, "a"))
}

// Durations and times are sent in the unit the command takes, switching to
// the milliseconds form where seconds cannot carry them.
func TestDurationArguments(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		within := func(what string, got time.Duration, lo, hi time.Duration) {
			t.Helper()
			if got <= lo || got > hi {
				t.Errorf("%s = %v, want in (%v, %v]", what, got, lo, hi)
			}
		}
		pttl := func(key string) time.Duration {
			t.Helper()
			return val[time.Duration](t, "PTTL")(c.PTTL(bg, key))
		}
		noErr(t, "SET TTL whole seconds (EX)", c.Set(bg, "k", "v", SetOptions{TTL: 100 * time.Second}))
		within("PTTL after EX", pttl("k"), 99*time.Second, 100*time.Second)
		noErr(t, "SET TTL 1500ms (PX)", c.Set(bg, "k", "v", SetOptions{TTL: 1500 * time.Millisecond}))
		within("PTTL after PX", pttl("k"), time.Second, 1500*time.Millisecond)
		eq(t, "EXPIRE 2500ms (PEXPIRE)", true)(c.Expire(bg, "k", 2500*time.Millisecond))
		within("PTTL after PEXPIRE", pttl("k"), 2*time.Second, 2500*time.Millisecond)
		noErr(t, "SETEX 1500ms (PSETEX)", c.SetEx(bg, "k", 1500*time.Millisecond, 1))
		within("PTTL after PSETEX", pttl("k"), time.Second, 1500*time.Millisecond)
		eq(t, "GETEX TTL 3500ms (PX)", "1")(c.GetEx(bg, "k", GetExOptions{TTL: 3500 * time.Millisecond}))
		within("PTTL after GETEX PX", pttl("k"), 3*time.Second, 3500*time.Millisecond)

		at := time.Now().Add(time.Hour).Truncate(time.Second).Add(250*time.Millisecond + 999*time.Microsecond)
		eq(t, "EXPIREAT with milliseconds (PEXPIREAT)", true)(c.ExpireAt(bg, "k", at))
		eq(t, "PEXPIRETIME", at.Truncate(time.Millisecond))(c.PExpireTime(bg, "k"))
		whole := at.Truncate(time.Second)
		eq(t, "EXPIREAT whole second", true)(c.ExpireAt(bg, "k", whole))
		eq(t, "EXPIRETIME", whole)(c.ExpireTime(bg, "k"))
		noErr(t, "SET ExpireAt (PXAT)", c.Set(bg, "k", "v", SetOptions{ExpireAt: at}))
		eq(t, "PEXPIRETIME after PXAT", at.Truncate(time.Millisecond))(c.PExpireTime(bg, "k"))

		// What a unit cannot carry is refused before it is sent.
		for _, tc := range []struct {
			what string
			err  error
		}{
			{"PEXPIRE 1.5ms", func() error { _, err := c.PExpire(bg, "k", 1500*time.Microsecond); return err }()},
			{"SET TTL 10ns", c.Set(bg, "k", "v", SetOptions{TTL: 10})},
			{"BLPOP 1.5ms", func() error { _, err := c.BLPop(bg, []string{"q"}, 1500*time.Microsecond); return err }()},
			{"EXPIREAT zero time", func() error { _, err := c.ExpireAt(bg, "k", time.Time{}); return err }()},
			{"XREAD negative BLOCK", func() error {
				_, err := c.XRead(bg, []string{"s"}, []string{"0"}, XReadOptions{Block: -time.Second})
				return err
			}()},
		} {
			if !errors.Is(tc.err, ErrInvalidArgument) {
				t.Errorf("%s: err = %v, want ErrInvalidArgument", tc.what, tc.err)
			}
		}
		eq(t, "the key kept its value", "v")(c.Get(bg, "k"))
	})
}

// XREAD with BlockForever sends BLOCK 0: it waits until data arrives.
func TestXReadBlockForever(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	type result struct {
		streams []XStream
		err     error
	}
	done := make(chan result, 1)
	go func() {
		s, err := c.XRead(bg, []string{"forever"}, []string{"$"}, XReadOptions{Block: BlockForever})
		done <- result{s, err}
	}()
	// Wait until the server has the reader blocked, then give it data.
	for {
		info := val[string](t, "INFO clients")(c.Info(bg, "clients"))
		if strings.Contains(info, "blocked_clients:1") {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("XREAD BLOCK forever returned before any data: %+v, %v", r.streams, r.err)
		default:
		}
	}
	val[string](t, "XADD")(c.XAdd(bg, "forever", "*", nil, "f", "v"))
	r := <-done
	if r.err != nil || len(r.streams) != 1 || len(r.streams[0].Messages) != 1 {
		t.Errorf("XREAD BLOCK forever = %+v, %v", r.streams, r.err)
	}
}

// Values of every form, durations and options go from the caller's stack
// to the connection without an allocation.
func TestValueAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	// Not constants: a constant converted to any costs nothing anyway.
	str := strings.Repeat("v", 10)
	bytes := []byte(str)
	n, f := len(str)*12345, float64(len(str))/4
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"SET string", func() error { return c.Set(bg, "k", str) }},
		{"SET []byte", func() error { return c.Set(bg, "k", bytes) }},
		{"SET int", func() error { return c.Set(bg, "k", n) }},
		{"SET float64", func() error { return c.Set(bg, "k", f) }},
		{"SET bool", func() error { return c.Set(bg, "k", true) }},
		{"SET named string", func() error { return c.Set(bg, "k", namedString(str)) }},
		{"SET with TTL", func() error { return c.Set(bg, "k", str, SetOptions{TTL: 90 * time.Second}) }},
		{"SET with PX TTL", func() error { return c.Set(bg, "k", bytes, SetOptions{TTL: 1500 * time.Millisecond, Condition: XX}) }},
		{"EXPIRE", func() error { _, err := c.Expire(bg, "k", 2500*time.Millisecond); return err }},
		{"HSET pairs", func() error { _, err := c.HSet(bg, "h", "f1", str, "f2", n, "f3", bytes); return err }},
		{"RPUSH values", func() error { _, err := c.RPush(bg, "l", str, bytes, n); return err }},
		{"LTRIM", func() error { return c.LTrim(bg, "l", 0, 9) }},
		{"ZADD", func() error {
			_, err := c.ZAdd(bg, "z", nil, Z{Score: 1, Member: str}, Z{Score: 2, Member: n})
			return err
		}},
		{"ZSCORE", func() error { _, err := c.ZScore(bg, "z", n); return err }},
		{"MSET", func() error { return c.MSet(bg, "a", str, "b", n) }},
	} {
		if err := tc.fn(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if allocs := testing.AllocsPerRun(200, func() { _ = tc.fn() }); allocs != 0 {
			t.Errorf("%s: %v allocs per call, want 0", tc.name, allocs)
		}
	}
}

// BenchmarkValueForms measures SET with a value of each form: all 0
// allocs/op.
func BenchmarkValueForms(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	str, bytes := "some value", []byte("some value")
	for _, bc := range []struct {
		name string
		v    func() error
	}{
		{"string", func() error { return c.Set(bg, "k", str) }},
		{"bytes", func() error { return c.Set(bg, "k", bytes) }},
		{"int", func() error { return c.Set(bg, "k", 123456789) }},
		{"float64", func() error { return c.Set(bg, "k", 3.25) }},
		{"string+TTL", func() error { return c.Set(bg, "k", str, SetOptions{TTL: time.Minute}) }},
	} {
		b.Run("value="+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.v(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
