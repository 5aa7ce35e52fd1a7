package fuzz

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

func FuzzDifferential(f *testing.F) {
	var all strings.Builder
	for _, s := range seeds {
		f.Add([]byte(s.data))
		all.WriteString(s.data)
	}
	f.Add([]byte(all.String()))
	f.Fuzz(func(t *testing.T, data []byte) {
		differential(t, data)
		for _, in := range generated(data) {
			differential(t, in)
		}
	})
}

// differential checks that the reader and the reference parser agree on
// data, with each set of limits.
func differential(t *testing.T, data []byte) {
	t.Helper()
	for _, l := range limitSets {
		r := &resp.Reader{MaxBulkLen: l.maxBulk, MaxAggregateLen: l.maxAgg, MaxDepth: l.maxDepth}
		got, _ := parseOnce(t, r, data)
		ref := &refParser{buf: data, maxBulk: l.maxBulk, maxAgg: l.maxAgg, maxDepth: l.maxDepth}
		node, n, err := ref.parse()
		want := result{err: err}
		if err == nil {
			want = result{tree: node.render(), n: n}
		}
		if (got.err == nil) != (want.err == nil) || errKind(got.err) != errKind(want.err) ||
			(got.err == nil && (got.tree != want.tree || got.n != want.n)) {
			t.Fatalf("limits %s: input %q\nreader:    %v (%s)\nreference: %v (%s)",
				l.name, data, got, errKind(got.err), want, errKind(want.err))
		}
	}
}

// refParser is the reference RESP parser of the differential test: plain
// recursive descent over the input, building a tree, written from the grammar
// rather than from resp's code. It applies the same limits as the reader, in
// the same order, so that the two agree on the kind of every error, not only
// on whether there is one: each rule is checked at the point where a parser
// reading from left to right first has the bytes to check it, and the first
// broken rule in reading order decides the error.
//
// It also mirrors the reader's choice of when input is incomplete and when it
// is already invalid: a line (a header, an integer, a simple string) is
// checked once its CRLF has arrived, except that a line longer than its limit
// is rejected as soon as that many bytes are there without a CR; a fixed
// token (_\r\n, #t\r\n, #f\r\n, .\r\n) is rejected at its first wrong byte;
// a bulk string's payload and CRLF are checked once they have all arrived,
// except the format prefix of a verbatim string, checked first, as soon as
// its fourth byte is there.
//
// Errors are the kinds of resp (resp.ErrSyntax and so on) and ErrIncomplete.
type refParser struct {
	buf      []byte
	maxBulk  int64 // longest string, simple or bulk or streamed
	maxAgg   int64 // most entries (pairs, for maps and attributes) in an aggregate
	maxDepth int   // most aggregates open at once
}

// headerMax is the longest header line (after the type byte) that can be valid.
const headerMax = 24

func (p *refParser) parse() (*tree, int, error) { return p.value(0, 0) }

// value reads a value starting at pos, with the attribute before it, if any.
// depth is the number of aggregates (attributes included) open around it.
func (p *refParser) value(pos, depth int) (*tree, int, error) {
	if pos >= len(p.buf) {
		return nil, 0, resp.ErrIncomplete
	}
	if p.buf[pos] != '|' {
		return p.element(pos, depth)
	}
	attrs, pos, err := p.aggregate(pos, '|', depth)
	if err != nil {
		return nil, 0, err
	}
	if pos >= len(p.buf) {
		return nil, 0, resp.ErrIncomplete
	}
	if c := p.buf[pos]; c == '|' || c == '.' {
		return nil, 0, resp.ErrSyntax // an attribute must be followed by a value
	}
	v, pos, err := p.element(pos, depth)
	if err != nil {
		return nil, 0, err
	}
	v.attrs = attrs
	return v, pos, nil
}

// element reads a value without an attribute, starting at its type byte.
func (p *refParser) element(pos, depth int) (*tree, int, error) {
	typ := p.buf[pos]
	switch typ {
	case '+', '-':
		text, next, err := p.line(pos+1, p.maxBulk, resp.ErrTooLong)
		if err != nil {
			return nil, 0, err
		}
		return &tree{typ: typ, payload: text}, next, nil
	case ',':
		text, next, err := p.line(pos+1, p.maxBulk, resp.ErrTooLong)
		if err != nil {
			return nil, 0, err
		}
		if _, ok := refFloat(text); !ok {
			return nil, 0, resp.ErrSyntax
		}
		return &tree{typ: typ, payload: text}, next, nil
	case '(':
		text, next, err := p.line(pos+1, p.maxBulk, resp.ErrTooLong)
		if err != nil {
			return nil, 0, err
		}
		if !reBigNumber.Match(text) {
			return nil, 0, resp.ErrSyntax
		}
		return &tree{typ: typ, payload: text}, next, nil
	case ':':
		text, next, err := p.line(pos+1, headerMax, resp.ErrSyntax)
		if err != nil {
			return nil, 0, err
		}
		if _, ok := refInt(text); !ok {
			return nil, 0, resp.ErrSyntax
		}
		return &tree{typ: typ, payload: text}, next, nil
	case '_':
		next, err := p.fixed(pos, "_\r\n")
		if err != nil {
			return nil, 0, err
		}
		return &tree{typ: typ}, next, nil
	case '#':
		// The second byte says which boolean is meant; until it is there,
		// any prefix of either is fine.
		want := "#t\r\n"
		if pos+1 < len(p.buf) && p.buf[pos+1] == 'f' {
			want = "#f\r\n"
		}
		next, err := p.fixed(pos, want)
		if err != nil {
			return nil, 0, err
		}
		return &tree{typ: typ, payload: []byte(want[1:2])}, next, nil
	case '$', '!', '=':
		return p.bulk(pos, typ)
	case '*', '~', '>', '%':
		return p.aggregate(pos, typ, depth)
	case '.':
		// value() is only called where a value must come, and a streamed
		// aggregate checks for its end marker itself: '.' here is wrong
		// whatever follows it.
		return nil, 0, resp.ErrSyntax
	}
	return nil, 0, resp.ErrSyntax // unknown type byte
}

// line reads the line whose content starts at from, up to its CRLF. The
// content may hold any bytes but CR and LF, at most max of them; a longer
// one is an error of kind tooLong, reported as soon as max+1 bytes without
// a CR are there.
func (p *refParser) line(from int, max int64, tooLong error) ([]byte, int, error) {
	cr := -1
	for i := from; ; i++ {
		if int64(i-from) > max {
			return nil, 0, tooLong
		}
		if i >= len(p.buf) {
			return nil, 0, resp.ErrIncomplete
		}
		if p.buf[i] == '\r' {
			cr = i
			break
		}
	}
	if cr+1 >= len(p.buf) {
		return nil, 0, resp.ErrIncomplete
	}
	if p.buf[cr+1] != '\n' {
		return nil, 0, resp.ErrSyntax // CR without LF
	}
	for i := from; i < cr; i++ {
		if p.buf[i] == '\n' {
			return nil, 0, resp.ErrSyntax // LF inside the line
		}
	}
	return p.buf[from:cr], cr + 2, nil
}

// fixed matches want, a token with one spelling, at pos.
func (p *refParser) fixed(pos int, want string) (int, error) {
	for i := 0; i < len(want); i++ {
		if pos+i >= len(p.buf) {
			return 0, resp.ErrIncomplete
		}
		if p.buf[pos+i] != want[i] {
			return 0, resp.ErrSyntax
		}
	}
	return pos + len(want), nil
}

// length parses a length field: [0-9]+ fitting an int64, or -1.
func length(b []byte) (int64, bool) {
	if string(b) == "-1" {
		return -1, true
	}
	if !reLength.Match(b) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// bulk reads a bulk string ($), bulk error (!) or verbatim string (=).
func (p *refParser) bulk(pos int, typ byte) (*tree, int, error) {
	hdr, pos, err := p.line(pos+1, headerMax, resp.ErrSyntax)
	if err != nil {
		return nil, 0, err
	}
	if typ == '$' && string(hdr) == "?" {
		return p.streamedString(pos)
	}
	n, ok := length(hdr)
	switch {
	case !ok:
		return nil, 0, resp.ErrSyntax
	case n == -1 && typ == '$':
		return &tree{typ: '_'}, pos, nil // RESP2 null bulk string
	case n == -1:
		return nil, 0, resp.ErrSyntax
	case n > p.maxBulk:
		return nil, 0, resp.ErrTooLong
	case typ == '=' && n < 4:
		return nil, 0, resp.ErrSyntax // no room for the format prefix
	}
	if typ == '=' && len(p.buf) > pos+3 && p.buf[pos+3] != ':' {
		return nil, 0, resp.ErrSyntax // no format prefix
	}
	end := pos + int(n) // where the CRLF after the payload goes
	if len(p.buf) < end+2 {
		return nil, 0, resp.ErrIncomplete
	}
	if p.buf[end] != '\r' || p.buf[end+1] != '\n' {
		return nil, 0, resp.ErrSyntax
	}
	if typ == '=' {
		return &tree{typ: typ, format: string(p.buf[pos : pos+3]), payload: p.buf[pos+4 : end]}, end + 2, nil
	}
	return &tree{typ: typ, payload: p.buf[pos:end]}, end + 2, nil
}

// streamedString reads the chunks of a streamed string ($?) from pos: each
// ;len CRLF data CRLF, up to ;0 CRLF. It reads back as one bulk string.
func (p *refParser) streamedString(pos int) (*tree, int, error) {
	payload := []byte{}
	for {
		if pos >= len(p.buf) {
			return nil, 0, resp.ErrIncomplete
		}
		if p.buf[pos] != ';' {
			return nil, 0, resp.ErrSyntax
		}
		hdr, next, err := p.line(pos+1, headerMax, resp.ErrSyntax)
		if err != nil {
			return nil, 0, err
		}
		n, ok := length(hdr)
		if !ok || n < 0 {
			return nil, 0, resp.ErrSyntax
		}
		if n == 0 {
			return &tree{typ: '$', payload: payload}, next, nil
		}
		if int64(len(payload))+n > p.maxBulk {
			return nil, 0, resp.ErrTooLong
		}
		end := next + int(n)
		if len(p.buf) < end+2 {
			return nil, 0, resp.ErrIncomplete
		}
		if p.buf[end] != '\r' || p.buf[end+1] != '\n' {
			return nil, 0, resp.ErrSyntax
		}
		payload = append(payload, p.buf[next:end]...)
		pos = end + 2
	}
}

// aggregate reads an array, set, push, map or attribute.
func (p *refParser) aggregate(pos int, typ byte, depth int) (*tree, int, error) {
	hdr, pos, err := p.line(pos+1, headerMax, resp.ErrSyntax)
	if err != nil {
		return nil, 0, err
	}
	per := 1 // elements per entry
	if typ == '%' || typ == '|' {
		per = 2
	}
	node := &tree{typ: typ}

	if string(hdr) == "?" { // streamed: elements up to .\r\n
		if typ != '*' && typ != '~' && typ != '%' {
			return nil, 0, resp.ErrSyntax
		}
		if depth >= p.maxDepth {
			return nil, 0, resp.ErrTooDeep
		}
		for {
			if pos >= len(p.buf) {
				return nil, 0, resp.ErrIncomplete
			}
			if p.buf[pos] == '.' {
				if len(node.kids)%per != 0 {
					return nil, 0, resp.ErrSyntax // a map key without its value
				}
				next, err := p.fixed(pos, ".\r\n")
				if err != nil {
					return nil, 0, err
				}
				node.num = len(node.kids) / per
				return node, next, nil
			}
			kid, next, err := p.value(pos, depth+1)
			if err != nil {
				return nil, 0, err
			}
			node.kids = append(node.kids, kid)
			if int64(len(node.kids)) > p.maxAgg*int64(per) {
				return nil, 0, resp.ErrTooManyElements
			}
			pos = next
		}
	}

	n, ok := length(hdr)
	switch {
	case !ok:
		return nil, 0, resp.ErrSyntax
	case n == -1 && typ == '*':
		return &tree{typ: '_'}, pos, nil // RESP2 null array
	case n == -1:
		return nil, 0, resp.ErrSyntax
	case n > p.maxAgg:
		return nil, 0, resp.ErrTooManyElements
	case n == 0:
		return node, pos, nil // empty: opens nothing, so no depth check
	}
	if depth >= p.maxDepth {
		return nil, 0, resp.ErrTooDeep
	}
	for i := int64(0); i < n*int64(per); i++ {
		kid, next, err := p.value(pos, depth+1)
		if err != nil {
			return nil, 0, err
		}
		node.kids = append(node.kids, kid)
		pos = next
	}
	node.num = int(n)
	return node, pos, nil
}

// TestReferenceParser pins the reference parser itself on a few inputs, so
// that a bug in it does not hide behind the same bug in the reader.
func TestReferenceParser(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: a rendered tree, or an error kind
	}{
		{"+OK\r\n", `+"OK"`},
		{"$5\r\nhello\r\n", `$"hello"`},
		{"$-1\r\n", `_`},
		{"*-1\r\n", `_`},
		{"*2\r\n:1\r\n#f\r\n", `*2[:"1" #"f"]`},
		{"%1\r\n+k\r\n=7\r\ntxt:abc\r\n", `%1[+"k" ="txt":"abc"]`},
		{"$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n", `$"abc"`},
		{"~?\r\n,inf\r\n(-12\r\n.\r\n", `~2[,"inf" ("-12"]`},
		{"|1\r\n+a\r\n+b\r\n:1\r\n", `|1[+"a" +"b"]:"1"`},
		{"*1\r\n|0\r\n_\r\n", `*1[|0[]_]`},
		{"|0\r\n|0\r\n:1\r\n", "syntax"},
		{"*?\r\n|0\r\n.\r\n", "syntax"},
		{"%?\r\n:1\r\n.\r\n", "syntax"},
		{".\r\n", "syntax"},
		{".", "syntax"},
		{"_x", "syntax"},
		{"=10\r\nabcX", "syntax"},
		{"=10\r\nabc:", "incomplete"},
		{"+" + strings.Repeat("x", 65), "too long"},
		{"+" + strings.Repeat("x", 64), "incomplete"},
		{":" + strings.Repeat("1", 25), "syntax"},
		{"$65\r\n", "too long"},
		{"*17\r\n", "too many"},
		{streamedArray(17), "too many"},
		{nest(8), `*1[*1[*1[*1[*1[*1[*1[*1[:"1"]]]]]]]]`},
		{nest(9), "too deep"},
		{strings.Repeat("*1\r\n", 8) + "*0\r\n", `*1[*1[*1[*1[*1[*1[*1[*1[*0[]]]]]]]]]`},
		{strings.Repeat("*1\r\n", 8) + "*?\r\n", "too deep"},
	} {
		p := &refParser{buf: []byte(tc.in), maxBulk: 64, maxAgg: 16, maxDepth: 8}
		node, n, err := p.parse()
		got := errKind(err)
		if err == nil {
			got = node.render()
			if n != len(tc.in) {
				t.Errorf("%q: consumed %d of %d bytes", tc.in, n, len(tc.in))
			}
		}
		if got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
