package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// tree is a parsed RESP value in a form that both the real reader (through
// the resp.Value accessors) and the reference parser can build, so that the
// two can be compared by rendering them.
type tree struct {
	typ     byte   // the resp.Type byte
	payload []byte // scalars: what Value.Bytes returns
	format  string // verbatim strings only
	num     int    // aggregates: Value.Len (pairs for maps and attributes)
	kids    []*tree
	attrs   *tree // the attribute before the value, typ '|'
}

// render gives a canonical, readable form of t: attributes first, then the
// type byte, then the payload (%q) or the length and elements.
func (t *tree) render() string {
	var b strings.Builder
	t.renderTo(&b)
	return b.String()
}

func (t *tree) renderTo(b *strings.Builder) {
	if t.attrs != nil {
		t.attrs.renderTo(b)
	}
	b.WriteByte(t.typ)
	switch {
	case t.typ == byte(resp.Null):
	case resp.Type(t.typ).IsAggregate():
		fmt.Fprintf(b, "%d[", t.num)
		for i, k := range t.kids {
			if i > 0 {
				b.WriteByte(' ')
			}
			k.renderTo(b)
		}
		b.WriteByte(']')
	case t.typ == byte(resp.VerbatimString):
		fmt.Fprintf(b, "%q:%q", t.format, t.payload)
	default:
		fmt.Fprintf(b, "%q", t.payload)
	}
}

// treeOf builds the tree of a value parsed by the real reader, using only its
// exported accessors.
func treeOf(v resp.Value) *tree {
	t := &tree{typ: byte(v.Type())}
	if a, ok := v.Attrs(); ok {
		t.attrs = treeOf(a)
	}
	if v.Type().IsAggregate() {
		t.num = v.Len()
		for it := v.Iter(); it.Next(); {
			t.kids = append(t.kids, treeOf(it.Value()))
		}
		return t
	}
	if v.Type() != resp.Null {
		t.payload = bytes.Clone(v.Bytes())
		if t.payload == nil {
			t.payload = []byte{}
		}
	}
	t.format = v.Format()
	return t
}

// result is the outcome of parsing one value: a rendered tree and its length,
// or an error.
type result struct {
	tree string
	n    int
	err  error // nil, resp.ErrIncomplete or a *resp.ProtocolError
}

func (r result) String() string {
	if r.err != nil {
		return "error " + r.err.Error()
	}
	return fmt.Sprintf("n=%d %s", r.n, r.tree)
}

// errKind classifies err: "" for nil, "incomplete", "syntax", "too long",
// "too many", "too deep", or "other: ..." for anything unexpected.
func errKind(err error) string {
	switch {
	case err == nil:
		return ""
	case err == resp.ErrIncomplete:
		return "incomplete"
	case errors.Is(err, resp.ErrSyntax):
		return "syntax"
	case errors.Is(err, resp.ErrTooLong):
		return "too long"
	case errors.Is(err, resp.ErrTooManyElements):
		return "too many"
	case errors.Is(err, resp.ErrTooDeep):
		return "too deep"
	}
	return "other: " + err.Error()
}

// errOffset is the Offset of a *resp.ProtocolError, -1 otherwise.
func errOffset(err error) int {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		return pe.Offset
	}
	return -1
}

// checkError checks that err, returned by Parse(buf), is one of the errors
// Parse documents, consistently wrapped.
func checkError(t *testing.T, buf []byte, err error) {
	t.Helper()
	if err == resp.ErrIncomplete {
		return
	}
	kind := errKind(err)
	if strings.HasPrefix(kind, "other") || kind == "" {
		t.Fatalf("Parse(%q): unexpected error %T %v (%s)", buf, err, err, kind)
	}
	var pe *resp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q): error %T %v is not a *resp.ProtocolError", buf, err, err)
	}
	if !errors.Is(err, pe.Kind) {
		t.Fatalf("Parse(%q): errors.Is(err, err.Kind) is false for %v", buf, err)
	}
	for _, k := range []error{resp.ErrSyntax, resp.ErrTooLong, resp.ErrTooManyElements, resp.ErrTooDeep, resp.ErrIncomplete} {
		if k != pe.Kind && errors.Is(err, k) {
			t.Fatalf("Parse(%q): %v also matches %v", buf, err, k)
		}
	}
	// An offset points into the input, or (for a streamed aggregate with one
	// element too many) just past the element that broke the limit.
	if pe.Offset < 0 || pe.Offset > len(buf) {
		t.Fatalf("Parse(%q): error offset %d outside the input (len %d): %v", buf, pe.Offset, len(buf), err)
	}
	if err.Error() == "" {
		t.Fatalf("Parse(%q): empty error text", buf)
	}
}

// The grammar of RESP numbers, spelled as regular expressions for clarity.
var (
	reInteger   = regexp.MustCompile(`^[+-]?[0-9]+$`)
	reLength    = regexp.MustCompile(`^[0-9]+$`)
	reDouble    = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	reInfNaN    = regexp.MustCompile(`^(?i)([+-]?inf|nan)$`)
	reBigNumber = regexp.MustCompile(`^[+-]?[0-9]+$`)
)

// refInt parses an integer the way the grammar defines it: [+-]?[0-9]+ fitting
// an int64.
func refInt(s []byte) (int64, bool) {
	if !reInteger.Match(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	return n, err == nil
}

// refFloat parses a double the way RESP3 defines it; out-of-range magnitudes
// become ±Inf (or ±0), as strconv reports them.
func refFloat(s []byte) (float64, bool) {
	if reInfNaN.Match(s) {
		switch strings.ToLower(string(s)) {
		case "inf", "+inf":
			return math.Inf(1), true
		case "-inf":
			return math.Inf(-1), true
		}
		return math.NaN(), true
	}
	if !reDouble.Match(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// checkAccessors calls every accessor of v, of its attributes and of every
// element under it, and checks that they agree with each other and with the
// grammar. None of them may panic.
func checkAccessors(t *testing.T, v resp.Value) {
	t.Helper()
	typ := v.Type()
	_ = typ.String()
	b := v.Bytes()
	if s := v.String(); s != string(b) {
		t.Fatalf("%v: String %q != Bytes %q", typ, s, b)
	}
	if ab := v.AppendBytes([]byte("pre")); string(ab) != "pre"+string(b) {
		t.Fatalf("%v: AppendBytes %q != pre+Bytes %q", typ, ab, b)
	}
	if v.IsNull() != (typ == resp.Null) {
		t.Fatalf("%v: IsNull %v", typ, v.IsNull())
	}
	if v.IsError() != (typ == resp.SimpleError || typ == resp.BulkError) {
		t.Fatalf("%v: IsError %v", typ, v.IsError())
	}
	if f := v.Format(); (typ == resp.VerbatimString) != (len(f) == 3) || (typ != resp.VerbatimString && f != "") {
		t.Fatalf("%v: Format %q", typ, f)
	}
	if typ == resp.Attribute {
		t.Fatalf("an attribute came back as a value of its own")
	}

	// Int, Float and Bool, against the grammar.
	n, errInt := v.Int()
	f, errFloat := v.Float()
	bo, errBool := v.Bool()
	for _, err := range []error{errInt, errFloat, errBool} {
		var te *resp.TypeError
		if err != nil && (!errors.As(err, &te) || te.Got != typ || te.Error() == "") {
			t.Fatalf("%v: accessor error %T %v", typ, err, err)
		}
	}
	switch typ {
	case resp.Integer:
		want, ok := refInt(b)
		if !ok || errInt != nil || n != want {
			t.Fatalf("integer %q: Int = %d, %v", b, n, errInt)
		}
		if errFloat != nil || f != float64(want) {
			t.Fatalf("integer %q: Float = %v, %v", b, f, errFloat)
		}
		if errBool != nil || bo != (want != 0) {
			t.Fatalf("integer %q: Bool = %v, %v", b, bo, errBool)
		}
	case resp.Boolean:
		if string(b) != "t" && string(b) != "f" {
			t.Fatalf("boolean payload %q", b)
		}
		if errBool != nil || bo != (string(b) == "t") {
			t.Fatalf("boolean %q: Bool = %v, %v", b, bo, errBool)
		}
		if errInt != nil || (n == 1) != bo || (n != 0 && n != 1) {
			t.Fatalf("boolean %q: Int = %v, %v", b, n, errInt)
		}
	case resp.Double:
		want, ok := refFloat(b)
		if !ok || errFloat != nil || !sameFloat(f, want) {
			t.Fatalf("double %q: Float = %v, %v; want %v", b, f, errFloat, want)
		}
		integral := !math.IsInf(want, 0) && !math.IsNaN(want) && want == math.Trunc(want) &&
			want >= -(1<<63) && want < 1<<63
		if integral != (errInt == nil) || (integral && n != int64(want)) {
			t.Fatalf("double %q: Int = %d, %v", b, n, errInt)
		}
	case resp.SimpleString, resp.BulkString, resp.VerbatimString, resp.BigNumber:
		want, ok := refInt(b)
		if ok != (errInt == nil) || (ok && n != want) {
			t.Fatalf("%v %q: Int = %d, %v", typ, b, n, errInt)
		}
		wantF, ok := refFloat(b)
		if ok != (errFloat == nil) || (ok && !sameFloat(f, wantF)) {
			t.Fatalf("%v %q: Float = %v, %v; want %v", typ, b, f, errFloat, wantF)
		}
		if typ == resp.BigNumber && !reBigNumber.Match(b) {
			t.Fatalf("big number payload %q", b)
		}
	default:
		if errInt == nil || errFloat == nil {
			t.Fatalf("%v: Int/Float succeeded: %v %v", typ, n, f)
		}
	}
	if typ != resp.Boolean && typ != resp.Integer && errBool == nil {
		t.Fatalf("%v: Bool succeeded", typ)
	}

	// Attributes.
	if a, ok := v.Attrs(); ok {
		if a.Type() != resp.Attribute {
			t.Fatalf("Attrs has type %v", a.Type())
		}
		checkAggregate(t, a)
	}

	// Aggregates.
	if !typ.IsAggregate() {
		if v.Len() != 0 {
			t.Fatalf("%v: Len %d", typ, v.Len())
		}
		it := v.Iter()
		if it.Next() || it.Remaining() != 0 {
			t.Fatalf("%v: Iter yields elements", typ)
		}
		if typ == resp.Null && len(b) != 0 {
			t.Fatalf("null with payload %q", b)
		}
		return
	}
	if len(b) != 0 {
		t.Fatalf("%v: aggregate with payload %q", typ, b)
	}
	checkAggregate(t, v)
}

func checkAggregate(t *testing.T, v resp.Value) {
	t.Helper()
	per := 1
	if v.Type() == resp.Map || v.Type() == resp.Attribute {
		per = 2
	}
	want := v.Len() * per
	if v.Len() < 0 {
		t.Fatalf("%v: Len %d", v.Type(), v.Len())
	}
	it := v.Iter()
	got := 0
	for {
		if it.Remaining() != want-got {
			t.Fatalf("%v: Remaining %d after %d of %d", v.Type(), it.Remaining(), got, want)
		}
		if !it.Next() {
			break
		}
		got++
		checkAccessors(t, it.Value())
	}
	if got != want {
		t.Fatalf("%v: Iter yielded %d elements, Len %d says %d", v.Type(), got, v.Len(), want)
	}
	if it.Next() || it.Remaining() != 0 || it.Value().Type() != 0 {
		t.Fatalf("%v: Iter goes on after its end", v.Type())
	}
}
