package fuzz

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// roundTripSeed is one set of FuzzRoundTrip arguments.
type roundTripSeed struct {
	name string
	data string
	sep  byte
	i    int64
	u    uint64
	f    float64
	b    bool
}

var roundTripSeeds = []roundTripSeed{
	{"get", "GET key", ' ', 0, 0, 0, false},
	{"set", "SET\x00key\x00value", 0, 42, 42, 1.5, true},
	{"empty", "", ' ', -1, 1, math.Copysign(0, -1), false},
	{"binary", "\r\n\x00\xff\r\n*1\r\n$-1\r\n", '\n', math.MinInt64, math.MaxUint64, math.MaxFloat64, true},
	{"numbers", "ZADD z 1 a", ' ', math.MaxInt64, 1 << 63, math.SmallestNonzeroFloat64, false},
	{"inf", "ZRANGEBYSCORE z", ' ', 10, 10, math.Inf(1), true},
	{"neg-inf", "ZRANGEBYSCORE z", ' ', -10, 0, math.Inf(-1), false},
	{"nan", "nan", 'a', 7, 7, math.NaN(), true},
	{"odd-nan", "x", 'x', 0, 0, math.Float64frombits(0xfff8000000000000), false},
	{"digits", "-00123456789012345678901234567890", '-', 1e18, 1e19, 1e21, true},
	{"small-float", "0.1", '.', 3, 3, 0.1, false},
	{"negative-exp", "1e-300", 'e', 0, 0, -1e-300, true},
	{"integral-float", "12", ',', 12, 12, 12, false},
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundTripSeeds {
		f.Add([]byte(s.data), s.sep, s.i, s.u, s.f, s.b)
	}
	f.Fuzz(func(t *testing.T, data []byte, sep byte, i int64, u uint64, fl float64, b bool) {
		checkCommandRoundTrip(t, data, sep, i, u, fl, b)
		checkReplyRoundTrip(t, data, i, fl, b)
	})
}

// parseAll parses buf, which must hold exactly one value, with a Reader with
// the default limits.
func parseAll(t *testing.T, buf []byte) resp.Value {
	t.Helper()
	var r resp.Reader
	v, n, err := r.Parse(buf)
	if err != nil || n != len(buf) {
		t.Fatalf("Parse(%q) = %d, %v; want %d bytes", buf, n, err, len(buf))
	}
	checkAccessors(t, v)
	return v
}

// checkCommandRoundTrip writes a command (an array of bulk strings) with the
// append functions and checks that the reader gives back its arguments.
func checkCommandRoundTrip(t *testing.T, data []byte, sep byte, i int64, u uint64, fl float64, b bool) {
	args := bytes.Split(data, []byte{sep})
	want := make([]string, 0, len(args)+4)
	// Appending must leave what dst held alone.
	buf := []byte("previous command\r\n")
	prefix := len(buf)
	buf = resp.AppendArrayHeader(buf, len(args)+4)
	for j, a := range args {
		if j%2 == 0 {
			buf = resp.AppendBulk(buf, a)
		} else {
			buf = resp.AppendBulkString(buf, string(a))
		}
		want = append(want, string(a))
	}
	buf = resp.AppendBulkInt(buf, i)
	want = append(want, strconv.FormatInt(i, 10))
	buf = resp.AppendBulkUint(buf, u)
	want = append(want, strconv.FormatUint(u, 10))
	buf = resp.AppendBulkFloat(buf, fl)
	floatAt := len(want)
	want = append(want, "") // checked with Float
	buf = resp.AppendBulkBool(buf, b)
	want = append(want, map[bool]string{true: "1", false: "0"}[b])

	if string(buf[:prefix]) != "previous command\r\n" {
		t.Fatalf("appending changed dst: %q", buf[:prefix])
	}
	cmd := buf[prefix:]
	// Two commands in a row parse as two values.
	two := append(bytes.Clone(cmd), cmd...)
	var r resp.Reader
	for off := 0; off < len(two); {
		v, n, err := r.Parse(two[off:])
		if err != nil || n != len(cmd) {
			t.Fatalf("Parse(%q) = %d, %v; want %d bytes", two[off:], n, err, len(cmd))
		}
		off += n
		checkAccessors(t, v)
		if v.Type() != resp.Array || v.Len() != len(want) {
			t.Fatalf("command %q read back as %v of %d", cmd, v.Type(), v.Len())
		}
		it := v.Iter()
		for j := 0; it.Next(); j++ {
			e := it.Value()
			if e.Type() != resp.BulkString {
				t.Fatalf("argument %d of %q read back as %v", j, cmd, e.Type())
			}
			if j == floatAt {
				got, err := e.Float()
				if err != nil || !sameFloat(got, fl) {
					t.Fatalf("AppendBulkFloat(%v) wrote %q, read back as %v, %v", fl, e.Bytes(), got, err)
				}
				continue
			}
			if string(e.Bytes()) != want[j] {
				t.Fatalf("argument %d: wrote %q, read back %q", j, want[j], e.Bytes())
			}
		}
	}
}

// reply is one RESP3 reply written with an append function, and a check of
// the value the reader gives back for it.
type reply struct {
	name  string
	write func([]byte) []byte
	check func(resp.Value) error
}

func replies(data []byte, i int64, fl float64, b bool) []reply {
	// A simple string or error line: the bytes of data without CR and LF.
	line := []byte{}
	for _, c := range data {
		if c != '\r' && c != '\n' {
			line = append(line, c)
		}
	}
	digits := []byte{'+'}
	if b {
		digits[0] = '-'
	}
	for _, c := range data {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) == 1 {
		digits = append(digits, '0')
	}
	format := "txt"
	if b {
		format = "mkd"
	}

	want := func(v resp.Value, typ resp.Type, payload []byte) error {
		if v.Type() != typ || !bytes.Equal(v.Bytes(), payload) {
			return fmt.Errorf("read back %v %q, want %v %q", v.Type(), v.Bytes(), typ, payload)
		}
		return nil
	}
	double := func(f float64) reply {
		return reply{fmt.Sprintf("double %v", f),
			func(dst []byte) []byte { return resp.AppendDouble(dst, f) },
			func(v resp.Value) error {
				got, err := v.Float()
				if v.Type() != resp.Double || err != nil || !sameFloat(got, f) {
					return fmt.Errorf("read back %v %q: %v, %v", v.Type(), v.Bytes(), got, err)
				}
				return nil
			}}
	}
	null := func(name string, write func([]byte) []byte) reply {
		return reply{name, write, func(v resp.Value) error {
			if !v.IsNull() {
				return fmt.Errorf("read back %v", v.Type())
			}
			return nil
		}}
	}
	return []reply{
		{"simple string", func(dst []byte) []byte { return resp.AppendSimpleString(dst, string(line)) },
			func(v resp.Value) error { return want(v, resp.SimpleString, line) }},
		{"error", func(dst []byte) []byte { return resp.AppendError(dst, "ERR "+string(line)) },
			func(v resp.Value) error {
				if !v.IsError() {
					return fmt.Errorf("not an error")
				}
				return want(v, resp.SimpleError, append([]byte("ERR "), line...))
			}},
		{"bulk error", func(dst []byte) []byte { return resp.AppendBulkError(dst, string(data)) },
			func(v resp.Value) error {
				if !v.IsError() {
					return fmt.Errorf("not an error")
				}
				return want(v, resp.BulkError, data)
			}},
		{"bulk string", func(dst []byte) []byte { return resp.AppendBulk(dst, data) },
			func(v resp.Value) error { return want(v, resp.BulkString, data) }},
		{"integer", func(dst []byte) []byte { return resp.AppendInt(dst, i) },
			func(v resp.Value) error {
				if n, err := v.Int(); v.Type() != resp.Integer || err != nil || n != i {
					return fmt.Errorf("read back %v %d, %v", v.Type(), n, err)
				}
				return nil
			}},
		{"boolean", func(dst []byte) []byte { return resp.AppendBool(dst, b) },
			func(v resp.Value) error {
				if got, err := v.Bool(); v.Type() != resp.Boolean || err != nil || got != b {
					return fmt.Errorf("read back %v %v, %v", v.Type(), got, err)
				}
				return nil
			}},
		null("null", resp.AppendNull),
		null("null bulk", resp.AppendNullBulk),
		null("null array", resp.AppendNullArray),
		double(fl),
		double(math.Inf(1)),
		double(math.Inf(-1)),
		double(math.NaN()),
		{"big number", func(dst []byte) []byte { return resp.AppendBigNumber(dst, string(digits)) },
			func(v resp.Value) error { return want(v, resp.BigNumber, digits) }},
		{"verbatim", func(dst []byte) []byte { return resp.AppendVerbatim(dst, format, string(data)) },
			func(v resp.Value) error {
				if v.Format() != format {
					return fmt.Errorf("format %q, want %q", v.Format(), format)
				}
				return want(v, resp.VerbatimString, data)
			}},
	}
}

// checkReplyRoundTrip writes each RESP3 reply type, alone, inside every kind
// of aggregate, and with an attribute, and checks what the reader gives back.
func checkReplyRoundTrip(t *testing.T, data []byte, i int64, fl float64, b bool) {
	rs := replies(data, i, fl, b)
	check := func(where string, r reply, v resp.Value) {
		t.Helper()
		if err := r.check(v); err != nil {
			t.Fatalf("%s, %s: %v", r.name, where, err)
		}
	}

	for _, r := range rs {
		check("alone", r, parseAll(t, r.write(nil)))
	}

	// Arrays, sets and pushes of every reply.
	headers := []struct {
		typ   resp.Type
		write func([]byte, int) []byte
	}{
		{resp.Array, resp.AppendArrayHeader},
		{resp.Set, resp.AppendSetHeader},
		{resp.Push, resp.AppendPushHeader},
	}
	for _, h := range headers {
		buf := h.write(nil, len(rs))
		for _, r := range rs {
			buf = r.write(buf)
		}
		v := parseAll(t, buf)
		if v.Type() != h.typ || v.Len() != len(rs) {
			t.Fatalf("%v of %d read back as %v of %d", h.typ, len(rs), v.Type(), v.Len())
		}
		it := v.Iter()
		for _, r := range rs {
			it.Next()
			check("in a "+h.typ.String(), r, it.Value())
		}
	}

	// A map from the index of each reply to the reply, each value with an
	// attribute whose one pair maps "index" to the index.
	buf := resp.AppendMapHeader(nil, len(rs))
	for j, r := range rs {
		buf = resp.AppendBulkInt(buf, int64(j))
		buf = resp.AppendAttributeHeader(buf, 1)
		buf = resp.AppendSimpleString(buf, "index")
		buf = resp.AppendInt(buf, int64(j))
		buf = r.write(buf)
	}
	v := parseAll(t, buf)
	if v.Type() != resp.Map || v.Len() != len(rs) {
		t.Fatalf("map of %d read back as %v of %d", len(rs), v.Type(), v.Len())
	}
	it := v.Iter()
	for j, r := range rs {
		it.Next()
		if k, err := it.Value().Int(); err != nil || k != int64(j) {
			t.Fatalf("map key %d read back as %d, %v", j, k, err)
		}
		it.Next()
		e := it.Value()
		check("as a map value", r, e)
		checkIndexAttr(t, e, j)
	}

	// Each reply at the top level with an attribute, and an empty attribute
	// before a nested aggregate.
	for j, r := range rs {
		buf := resp.AppendAttributeHeader(nil, 1)
		buf = resp.AppendSimpleString(buf, "index")
		buf = resp.AppendInt(buf, int64(j))
		buf = r.write(buf)
		v := parseAll(t, buf)
		check("with an attribute", r, v)
		checkIndexAttr(t, v, j)
	}
	buf = resp.AppendAttributeHeader(nil, 0)
	buf = resp.AppendArrayHeader(buf, 1)
	buf = resp.AppendMapHeader(buf, 1)
	buf = rs[0].write(buf)
	buf = resp.AppendSetHeader(buf, 0)
	v = parseAll(t, buf)
	if a, ok := v.Attrs(); !ok || a.Len() != 0 || v.Len() != 1 {
		t.Fatalf("%q read back as %s", buf, treeOf(v).render())
	}
	it = v.Iter()
	it.Next()
	m := it.Value()
	it = m.Iter()
	it.Next()
	check("as a map key", rs[0], it.Value())
	it.Next()
	if s := it.Value(); s.Type() != resp.Set || s.Len() != 0 {
		t.Fatalf("empty set read back as %v of %d", s.Type(), s.Len())
	}
}

// checkIndexAttr checks that v has the attribute {"index": j}.
func checkIndexAttr(t *testing.T, v resp.Value, j int) {
	t.Helper()
	a, ok := v.Attrs()
	if !ok || a.Len() != 1 {
		t.Fatalf("attribute of %s missing", treeOf(v).render())
	}
	it := a.Iter()
	it.Next()
	if k := it.Value(); k.Type() != resp.SimpleString || k.String() != "index" {
		t.Fatalf("attribute key read back as %v %q", k.Type(), k.Bytes())
	}
	it.Next()
	if n, err := it.Value().Int(); err != nil || n != int64(j) {
		t.Fatalf("attribute value read back as %d, %v; want %d", n, err, j)
	}
}
