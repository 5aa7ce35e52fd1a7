package fastredis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// Point is a user type with an argument transformer.
type Point struct{ X, Y int }

func TestTransformers(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})

			// Built in: maps flatten, for HSET, MSET and MSETNX alike.
			mustDo(t, c, "MSET", map[string]any{"a": 1, "b": "two"})
			if r := mustDo(t, c, "MGET", "a", "b"); len(r.Elems) != 2 || r.Elems[0].Str != "1" || r.Elems[1].Str != "two" {
				t.Errorf("MGET = %+v", r)
			}
			mustDo(t, c, "MSETNX", map[string]string{"c": "3"})
			mustDo(t, c, "HSET", "h", map[string]string{"f": "v", "g": "w"})
			m, err := mustDo(t, c, "HGETALL", "h").Map()
			if err != nil || len(m) != 2 || m["g"] != "w" {
				t.Errorf("HGETALL as a map: %v %v", m, err)
			}
			if _, err := c.Do(ctx, "HSET", "h", map[string]any{"bad": []string{"x", "y"}}); err == nil {
				t.Error("a map value that is not one argument: want an error")
			}

			// User registered: a Point becomes GEOADD-like arguments, and
			// HGETALL's reply becomes a RESP3 map under RESP2 as well.
			c.SetArgTransformer("hset", func(args []any) ([]any, error) {
				out := make([]any, 0, len(args)+2)
				for _, a := range args {
					if p, ok := a.(Point); ok {
						out = append(out, "x", p.X, "y", p.Y)
						continue
					}
					out = append(out, a)
				}
				return out, nil
			})
			c.SetReplyTransformer("HGETALL", func(r Reply) (Reply, error) {
				r.Type = resp.Map
				return r, nil
			})
			mustDo(t, c, "HSET", "p", Point{3, 4})
			r := mustDo(t, c, "HGETALL", "p")
			if r.Type != resp.Map || len(r.Elems) != 4 {
				t.Errorf("transformed HGETALL = %+v", r)
			}
			boom := errors.New("boom")
			c.SetArgTransformer("SET", func([]any) ([]any, error) { return nil, boom })
			if _, err := c.Do(ctx, "set", "k", "v"); !errors.Is(err, boom) {
				t.Errorf("failing transformer: %v", err)
			}
			c.SetArgTransformer("SET", nil)
			mustDo(t, c, "SET", "k", "v")
		})
	}
}

func TestReplyConversions(t *testing.T) {
	if _, err := (Reply{Type: resp.Integer}).Map(); err == nil {
		t.Error("Map of an integer: want an error")
	}
	if _, err := (Reply{Type: resp.Array, Elems: make([]Reply, 3)}).Map(); err == nil {
		t.Error("Map of 3 elements: want an error")
	}
	s, err := (Reply{Type: resp.Array, Elems: []Reply{{Type: resp.BulkString, Str: "a"}, {Type: resp.Null}}}).Strings()
	if err != nil || len(s) != 2 || s[0] != "a" || s[1] != "" {
		t.Errorf("Strings = %q %v", s, err)
	}
}

// Strings and Map convert integer, double and boolean elements to their
// text, as RESP2 would send them, and refuse nested aggregates and error
// elements by index instead of turning them into "".
func TestReplyElementText(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			s, err := mustDo(t, c, "EVAL", "return {1, 'two', -3}", 0).Strings()
			if err != nil || len(s) != 3 || s[0] != "1" || s[1] != "two" || s[2] != "-3" {
				t.Errorf("integers: %q %v", s, err)
			}
			mustDo(t, c, "ZADD", "elemtext:z", "1.5", "a")
			s, err = mustDo(t, c, "ZMSCORE", "elemtext:z", "a", "missing").Strings()
			if err != nil || len(s) != 2 || s[0] != "1.5" || s[1] != "" {
				t.Errorf("doubles (RESP3) or strings (RESP2) and a null: %q %v", s, err)
			}
			if _, err := mustDo(t, c, "EVAL", "return {1, {2}}", 0).Strings(); err == nil || !strings.Contains(err.Error(), "element 1") {
				t.Errorf("a nested array: %v, want an error naming element 1", err)
			}
			// A RESP3 map (a flat array in RESP2) with integer values.
			m, err := mustDo(t, c, "EVAL", "return {map={a=1, b='x'}}", 0).Map()
			if err != nil || len(m) != 2 || m["a"] != "1" || m["b"] != "x" {
				t.Errorf("a map with integer values: %q %v", m, err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		r    Reply
		want []string
		err  string
	}{
		{"boolean", Reply{Type: resp.Set, Elems: []Reply{{Type: resp.Boolean, Int: 1}, {Type: resp.Boolean}}}, []string{"1", "0"}, ""},
		{"big number", Reply{Type: resp.Array, Elems: []Reply{{Type: resp.BigNumber, Str: "12345678901234567890"}}}, []string{"12345678901234567890"}, ""},
		{"error element", Reply{Type: resp.Array, Elems: []Reply{{Type: resp.SimpleError, Str: "ERR x"}}}, nil, "element 0 is an error reply: ERR x"},
		{"nested map", Reply{Type: resp.Array, Elems: []Reply{{Type: resp.Integer}, {Type: resp.Map}}}, nil, "element 1 is a nested map"},
	} {
		got, err := tc.r.Strings()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %q %v, want error %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
}
