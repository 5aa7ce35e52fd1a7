package resp

import (
	"bytes"
	"errors"
	"testing"
)

var validCases = []struct {
	name, in, want string
}{
	{"simple string", "+OK\r\n", `+"OK"`},
	{"empty simple string", "+\r\n", `+""`},
	{"simple error", "-ERR unknown command\r\n", `-"ERR unknown command"`},
	{"integer", ":1000\r\n", `:"1000"`},
	{"negative integer", ":-42\r\n", `:"-42"`},
	{"plus integer", ":+7\r\n", `:"+7"`},
	{"int64 max", ":9223372036854775807\r\n", `:"9223372036854775807"`},
	{"int64 min", ":-9223372036854775808\r\n", `:"-9223372036854775808"`},
	{"bulk", "$5\r\nhello\r\n", `$"hello"`},
	{"empty bulk", "$0\r\n\r\n", `$""`},
	{"binary bulk", "$4\r\n\r\n\x00\xff\r\n", `$"\r\n\x00\xff"`},
	{"leading zero length", "$003\r\nabc\r\n", `$"abc"`},
	{"null bulk", "$-1\r\n", `_`},
	{"null array", "*-1\r\n", `_`},
	{"null", "_\r\n", `_`},
	{"true", "#t\r\n", `#"t"`},
	{"false", "#f\r\n", `#"f"`},
	{"double", ",3.14\r\n", `,"3.14"`},
	{"double exp", ",1e-7\r\n", `,"1e-7"`},
	{"double inf", ",inf\r\n", `,"inf"`},
	{"double -inf", ",-inf\r\n", `,"-inf"`},
	{"double nan", ",nan\r\n", `,"nan"`},
	{"big number", "(3492890328409238509324850943850943825024385\r\n", `("3492890328409238509324850943850943825024385"`},
	{"bulk error", "!21\r\nSYNTAX invalid syntax\r\n", `!"SYNTAX invalid syntax"`},
	{"verbatim", "=15\r\ntxt:Some string\r\n", `=txt:"Some string"`},
	{"empty array", "*0\r\n", `*0[]`},
	{"array", "*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n", `*3[:"1" $"foo" +"bar"]`},
	{"nested", "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n+x\r\n", `*2[*2[:"1" :"2"] *1[+"x"]]`},
	{"array with nulls", "*3\r\n$-1\r\n*-1\r\n_\r\n", `*3[_ _ _]`},
	{"map", "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", `%2[+"first" :"1" +"second" :"2"]`},
	{"set", "~2\r\n+a\r\n+b\r\n", `~2[+"a" +"b"]`},
	{"push", ">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n", `>3[+"message" +"chan" $"hi"]`},
	{"attribute on top", "|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n", `||1[+"ttl" :"3600"]$"val"`},
	{"attribute inside", "*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", `*2[||1[+"a" +"b"]:"1" :"2"]`},
	{"empty attribute", "|0\r\n:5\r\n", `||0[]:"5"`},
	{"streamed string", "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", `$"Hello word"`},
	{"streamed array", "*?\r\n:1\r\n:2\r\n.\r\n", `*2[:"1" :"2"]`},
	{"streamed empty", "~?\r\n.\r\n", `~0[]`},
	{"streamed map", "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n", `%2[+"a" :"1" +"b" :"2"]`},
	{"streamed nested", "*2\r\n*?\r\n*?\r\n:1\r\n.\r\n*1\r\n:2\r\n.\r\n:3\r\n", `*2[*2[*1[:"1"] *1[:"2"]] :"3"]`},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			var r Reader
			// A following value must not be consumed.
			in := tc.in + "+next\r\n"
			v, n, err := r.Parse([]byte(in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if n != len(tc.in) {
				t.Errorf("n = %d, want %d", n, len(tc.in))
			}
			if got := render(v); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			v2, _, err := r.Parse([]byte(in[n:]))
			if err != nil || v2.String() != "next" {
				t.Errorf("next value: %v %q", err, v2.String())
			}
		})
	}
}

// TestParseIncomplete feeds every proper prefix of every valid case: each must
// be ErrIncomplete with a sensible Need, and resuming must give the same value.
func TestParseIncomplete(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			whole := []byte(tc.in)
			for cut := 0; cut < len(whole); cut++ {
				var r Reader
				_, _, err := r.Parse(whole[:cut])
				if err != ErrIncomplete {
					t.Fatalf("prefix %q: err = %v, want ErrIncomplete", whole[:cut], err)
				}
				if r.Need() <= cut || r.Need() > len(whole) {
					t.Fatalf("prefix %q: Need = %d, want in (%d, %d]", whole[:cut], r.Need(), cut, len(whole))
				}
				// Resume one byte at a time from there.
				var v Value
				n := 0
				for k := cut + 1; k <= len(whole); k++ {
					v, n, err = r.Parse(whole[:k])
					if err == nil {
						break
					}
					if err != ErrIncomplete {
						t.Fatalf("resume at %d: %v", k, err)
					}
				}
				if err != nil || n != len(whole) {
					t.Fatalf("resumed from %d: n=%d err=%v", cut, n, err)
				}
				if got := render(v); got != tc.want {
					t.Fatalf("resumed from %d: got %s, want %s", cut, got, tc.want)
				}
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	cases := []struct {
		name, in string
		kind     error
		r        Reader
	}{
		{"unknown type", "x\r\n", ErrSyntax, Reader{}},
		{"CR without LF", "+OK\rX\n", ErrSyntax, Reader{}},
		{"LF inside line", "+O\nK\r\n", ErrSyntax, Reader{}},
		{"integer letters", ":12a\r\n", ErrSyntax, Reader{}},
		{"integer empty", ":\r\n", ErrSyntax, Reader{}},
		{"integer overflow", ":9223372036854775808\r\n", ErrSyntax, Reader{}},
		{"header too long", ":00000000000000000000000001\r\n", ErrSyntax, Reader{}},
		{"header too long before CR", "$0000000000000000000000000000", ErrSyntax, Reader{}},
		{"bulk negative", "$-2\r\n", ErrSyntax, Reader{}},
		{"bulk plus", "$+2\r\nab\r\n", ErrSyntax, Reader{}},
		{"bulk bad terminator", "$2\r\nabc\r\n", ErrSyntax, Reader{}},
		{"bulk error null", "!-1\r\n", ErrSyntax, Reader{}},
		{"verbatim short", "=3\r\ntxt\r\n", ErrSyntax, Reader{}},
		{"verbatim no colon", "=5\r\ntxtxy\r\n", ErrSyntax, Reader{}},
		{"verbatim no colon early", "=50\r\ntxtx", ErrSyntax, Reader{}},
		{"null bad", "_x\r\n", ErrSyntax, Reader{}},
		{"bool bad", "#x\r\n", ErrSyntax, Reader{}},
		{"double bad", ",1.2.3\r\n", ErrSyntax, Reader{}},
		{"double empty", ",\r\n", ErrSyntax, Reader{}},
		{"big number bad", "(12x\r\n", ErrSyntax, Reader{}},
		{"map null", "%-1\r\n", ErrSyntax, Reader{}},
		{"push streamed", ">?\r\n", ErrSyntax, Reader{}},
		{"end outside", ".\r\n", ErrSyntax, Reader{}},
		{"end in counted", "*1\r\n.\r\n", ErrSyntax, Reader{}},
		{"streamed map odd", "%?\r\n+a\r\n.\r\n", ErrSyntax, Reader{}},
		{"attribute then attribute", "|0\r\n|0\r\n:1\r\n", ErrSyntax, Reader{}},
		{"attribute then end", "*?\r\n|0\r\n.\r\n", ErrSyntax, Reader{}},
		{"chunk without semicolon", "$?\r\n:1\r\n", ErrSyntax, Reader{}},
		{"bulk too long", "$11\r\n", ErrTooLong, Reader{MaxBulkLen: 10}},
		{"simple too long", "+01234567890", ErrTooLong, Reader{MaxBulkLen: 10}},
		{"streamed too long", "$?\r\n;6\r\n012345\r\n;6\r\n", ErrTooLong, Reader{MaxBulkLen: 10}},
		{"array too long", "*11\r\n", ErrTooManyElements, Reader{MaxAggregateLen: 10}},
		{"streamed too many", "*?\r\n:1\r\n:2\r\n:3\r\n", ErrTooManyElements, Reader{MaxAggregateLen: 2}},
		{"too deep", "*1\r\n*1\r\n*1\r\n:1\r\n", ErrTooDeep, Reader{MaxDepth: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			_, _, err := r.Parse([]byte(tc.in))
			var pe *ProtocolError
			if !errors.As(err, &pe) || !errors.Is(err, tc.kind) {
				t.Fatalf("Parse(%q) = %v, want a *ProtocolError of kind %v", tc.in, err, tc.kind)
			}
			if pe.Offset < 0 || pe.Offset > len(tc.in) {
				t.Errorf("offset %d out of range", pe.Offset)
			}
			// After an error the reader is reset and parses fresh input.
			if v, _, err := r.Parse([]byte("+OK\r\n")); err != nil || v.String() != "OK" {
				t.Errorf("after error: %v %v", v, err)
			}
		})
	}
}

// TestDeepNesting: a 100,000-deep nest fails on the depth limit, and with the
// limit raised it parses without recursion.
func TestDeepNesting(t *testing.T) {
	const depth = 100_000
	in := append(bytes.Repeat([]byte("*1\r\n"), depth), ":1\r\n"...)
	var r Reader
	if _, _, err := r.Parse(in); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("err = %v, want ErrTooDeep", err)
	}
	r.MaxDepth = depth
	v, n, err := r.Parse(in)
	if err != nil || n != len(in) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	for i := 0; i < depth; i++ {
		it := v.Iter()
		if !it.Next() {
			t.Fatalf("level %d has no element", i)
		}
		v = it.Value()
	}
	if got, _ := v.Int(); got != 1 {
		t.Fatalf("innermost = %v", v)
	}
}

// TestLargeBulkInPieces: a 1 MiB bulk arriving in 64 KiB pieces is not
// re-scanned: Need tells the caller to wait, and each call is O(1).
func TestLargeBulkInPieces(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 1<<20)
	in := AppendBulk(nil, payload)
	var r Reader
	calls := 0
	for k := 64 << 10; ; k += 64 << 10 {
		k = min(k, len(in))
		if k < r.Need() {
			continue
		}
		calls++
		v, n, err := r.Parse(in[:k])
		if err == ErrIncomplete {
			if r.Need() != len(in) {
				t.Fatalf("Need = %d, want %d", r.Need(), len(in))
			}
			continue
		}
		if err != nil || n != len(in) || !bytes.Equal(v.Bytes(), payload) {
			t.Fatalf("n=%d err=%v", n, err)
		}
		break
	}
	if calls != 2 {
		t.Errorf("Parse called %d times, want 2 (one to learn Need, one to finish)", calls)
	}
}

// TestResumeInsideAggregate: resuming an array of many elements continues
// after the last complete element instead of starting over.
func TestResumeInsideAggregate(t *testing.T) {
	in := AppendArrayHeader(nil, 1000)
	for i := 0; i < 1000; i++ {
		in = AppendBulkString(in, "element")
	}
	var r Reader
	_, _, err := r.Parse(in[:len(in)/2])
	if err != ErrIncomplete {
		t.Fatal(err)
	}
	if r.off < len(in)/2-20 {
		t.Fatalf("resume offset %d, want near %d", r.off, len(in)/2)
	}
	v, n, err := r.Parse(in)
	if err != nil || n != len(in) || v.Len() != 1000 {
		t.Fatalf("n=%d len=%d err=%v", n, v.Len(), err)
	}
}

func TestPipelinedValues(t *testing.T) {
	in := []byte("+OK\r\n:1\r\n$3\r\nabc\r\n*1\r\n_\r\n")
	want := []string{`+"OK"`, `:"1"`, `$"abc"`, `*1[_]`}
	var r Reader
	for i, w := range want {
		v, n, err := r.Parse(in)
		if err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		if got := render(v); got != w {
			t.Errorf("value %d = %s, want %s", i, got, w)
		}
		in = in[n:]
	}
	if len(in) != 0 {
		t.Fatalf("left %q", in)
	}
}

// TestSimpleMatchesScan: every value the one-pass path takes reads the same,
// and has the same length, as through the general scanner.
func TestSimpleMatchesScan(t *testing.T) {
	inputs := []string{"$-1\r\n", "*-1\r\n", "_\r\n", "$-1\r\n+OK\r\n", "_\r\n:1\r\n"}
	for _, tc := range validCases {
		inputs = append(inputs, tc.in)
	}
	for i, in := range inputs {
		var fast Value
		var r Reader
		n := r.simple([]byte(in), &fast)
		if n == 0 {
			if i < 5 {
				t.Errorf("%q: nulls take the one-pass path", in)
			}
			continue
		}
		var slow Reader
		m, err := slow.scan([]byte(in))
		if err != nil {
			t.Errorf("%q: the scanner fails: %v", in, err)
			continue
		}
		v := valueAt([]byte(in)[:m], slow.attrEnd, slow.topCount)
		if n != m || render(fast) != render(v) {
			t.Errorf("%q: one pass %d bytes %s, scanner %d bytes %s", in, n, render(fast), m, render(v))
		}
	}
}
