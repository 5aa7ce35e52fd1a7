package fastredis

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

func TestTypedCommands(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			mustDo(t, c, "FLUSHDB")
			if err := c.Set(ctx, "k", "v\r\n\x00"); err != nil {
				t.Fatal(err)
			}
			if v, err := c.Get(ctx, "k"); err != nil || v != "v\r\n\x00" {
				t.Errorf("Get = %q, %v", v, err)
			}
			buf, err := c.GetAppend(ctx, []byte("pre:"), "k")
			if err != nil || string(buf) != "pre:v\r\n\x00" {
				t.Errorf("GetAppend = %q, %v", buf, err)
			}
			if _, err := c.Get(ctx, "missing"); !errors.Is(err, Nil) {
				t.Errorf("Get missing: %v", err)
			}
			if err := c.SetBytes(ctx, "b", []byte{0, 1, 2}); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Incr(ctx, "counter"); err != nil || n != 1 {
				t.Errorf("Incr = %d, %v", n, err)
			}
			var e *Error
			if _, err := c.Incr(ctx, "k"); !errors.As(err, &e) || e.Command != "INCR" || e.Prefix != "ERR" {
				t.Errorf("Incr of a string: %v", err)
			}
			vals, err := c.MGet(ctx, "k", "missing", "counter")
			if err != nil || len(vals) != 3 || !vals[0].Valid || vals[1].Valid || vals[2].Value != "1" {
				t.Errorf("MGet = %+v, %v", vals, err)
			}
			if n, err := c.HSet(ctx, "h", FieldValue{Field: "f1", Value: "v1"}); err != nil || n != 1 {
				t.Errorf("HSet = %d, %v", n, err)
			}
			if n, err := c.HSetMap(ctx, "h", map[string]string{"f2": "v2", "f3": ""}); err != nil || n != 2 {
				t.Errorf("HSetMap = %d, %v", n, err)
			}
			if v, err := c.HGet(ctx, "h", "f2"); err != nil || v != "v2" {
				t.Errorf("HGet = %q, %v", v, err)
			}
			if b, err := c.HGetAppend(ctx, nil, "h", "f1"); err != nil || string(b) != "v1" {
				t.Errorf("HGetAppend = %q, %v", b, err)
			}
			m, err := c.HGetAll(ctx, "h")
			if err != nil || len(m) != 3 || m["f1"] != "v1" || m["f3"] != "" {
				t.Errorf("HGetAll = %v, %v", m, err)
			}
			if m, err := c.HGetAll(ctx, "nohash"); err != nil || len(m) != 0 {
				t.Errorf("HGetAll missing = %v, %v", m, err)
			}
		})
	}
}

func TestCmd(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	c := newTestClient(t, Options{Addr: srv.Addr})
	var cmd Cmd
	if err := c.Exec(ctx, &cmd); !errors.Is(err, ErrEmptyCommand) {
		t.Errorf("empty Cmd: %v", err)
	}
	if err := c.Exec(ctx, cmd.Reset("SET").Key("a").ArgBytes([]byte("1\x00"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, cmd.Reset("INCRBYFLOAT").Key("f").ArgFloat(2.5)); err != nil {
		t.Fatal(err)
	}
	if f, _ := cmd.Reply().Float(); f != 2.5 {
		t.Errorf("INCRBYFLOAT reply %v", cmd.Reply())
	}
	if err := c.Exec(ctx, cmd.Reset("INCRBY").Key("i").ArgInt(-7)); err != nil {
		t.Fatal(err)
	}
	if n, _ := cmd.Reply().Int(); n != -7 {
		t.Errorf("INCRBY reply %v", cmd.Reply())
	}
	if err := c.Exec(ctx, cmd.Reset("MGET").Key("a").Key("nope").Key("i")); err != nil {
		t.Fatal(err)
	}
	var got []string
	it := cmd.Reply().Iter()
	for it.Next() {
		if it.Value().IsNull() {
			got = append(got, "<nil>")
			continue
		}
		got = append(got, it.Value().String())
	}
	if len(got) != 3 || got[0] != "1\x00" || got[1] != "<nil>" || got[2] != "-7" || cmd.Reply().Type() != resp.Array {
		t.Errorf("MGET via Cmd = %q", got)
	}
	if err := c.Exec(ctx, cmd.Reset("GET").Key("nope")); !errors.Is(err, Nil) {
		t.Errorf("GET missing via Cmd: %v", err)
	}
	var e *Error
	if err := c.Exec(ctx, cmd.Reset("lpush").Key("a").Arg("x")); !errors.As(err, &e) || e.Command != "LPUSH" || e.Prefix != "WRONGTYPE" {
		t.Errorf("error via Cmd: %v", err)
	}
}

// The hot path allocates nothing: typed methods into caller buffers, and a
// reused Cmd.
func TestHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	timed := newTestClient(t, Options{Addr: srv.Addr, ReadTimeout: time.Second}) // ReadTimeout costs no allocation
	ctx := context.Background()
	value := []byte("some value")
	dst := make([]byte, 0, 64)
	var cmd Cmd
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"SetBytes", func() { must(t, c.SetBytes(ctx, "k", value)) }},
		{"GetAppend", func() { dst, _ = c.GetAppend(ctx, dst[:0], "k") }},
		{"Incr", func() { _, err := c.Incr(ctx, "n"); must(t, err) }},
		{"Cmd", func() { must(t, c.Exec(ctx, cmd.Reset("GET").Key("k"))) }},
		{"GetAppend with ReadTimeout", func() { dst, _ = timed.GetAppend(ctx, dst[:0], "k") }},
	} {
		tc.fn()
		if allocs := testing.AllocsPerRun(200, tc.fn); allocs != 0 {
			t.Errorf("%s: %v allocs per call, want 0", tc.name, allocs)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Large arguments travel by reference to the connection's buffer (argBuf),
// and commands past vectorArgs are written from the caller's buffers:
// values around and above both thresholds arrive intact, and a pipeline
// copies them when queued, so the caller may reuse its buffer at once.
func TestLargeArguments(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "big:"})
	ctx := context.Background()
	for _, n := range []int{largeArg - 1, largeArg, largeArg + 1, 100 << 10, 1 << 20} {
		value := make([]byte, n)
		for i := range value {
			value[i] = byte(i * 7)
		}
		must(t, c.SetBytes(ctx, "b", value))
		got, err := c.GetAppend(ctx, nil, "b")
		if err != nil || string(got) != string(value) {
			t.Fatalf("SetBytes of %d bytes: got %d bytes, %v", n, len(got), err)
		}
		must(t, c.Set(ctx, "s", string(value)))
		eq(t, "Set of a large string", string(value))(c.Get(ctx, "s"))

		// Several large arguments with small ones between them: above
		// vectorArgs written from their buffers (writev), in order.
		must(t, c.MSet(ctx, "m1", value, "m2", "small", "m3", string(value[:n/2])))
		vals, err := c.MGet(ctx, "m1", "m2", "m3")
		if err != nil || len(vals) != 3 || vals[0].Value != string(value) || vals[1].Value != "small" || vals[2].Value != string(value[:n/2]) {
			t.Fatalf("MSet of %d bytes: %d values, %v", n, len(vals), err)
		}

		p := c.Pipeline()
		p.SetBytes("p", value)
		sent := string(value)
		value[0]++ // after queueing: must not change what is sent
		get := p.Get("p")
		must(t, p.Exec(ctx))
		if v, err := get.Result(); err != nil || v != sent {
			t.Fatalf("pipelined SetBytes of %d bytes: %d bytes, %v", n, len(v), err)
		}
	}
}
