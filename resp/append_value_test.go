package resp

import "testing"

func TestAppendValueRoundTrip(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			v := parseOne(t, tc.in)
			out := AppendValue([]byte("prefix"), v)
			if string(out[:6]) != "prefix" {
				t.Fatal("dst not kept")
			}
			again := parseOne(t, string(out[6:]))
			if got, want := render(again), render(v); got != want {
				t.Errorf("re-encoded %q reads %s, want %s", out[6:], got, want)
			}
			// An aggregate Parse found exact is copied in one piece: the
			// same bytes as re-encoding it element by element.
			slow := v
			slow.exact = false
			if want := AppendValue(nil, slow); string(out[6:]) != string(want) {
				t.Errorf("copied %q, re-encoded %q (exact %v)", out[6:], want, v.exact)
			}
		})
	}
}

// TestAppended reads back what AppendValue wrote, without a Reader: the
// same value, and the same bytes when written again.
func TestAppended(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			v := parseOne(t, tc.in)
			kept := AppendValue(nil, v)
			back := Appended(kept)
			if got, want := render(back), render(v); got != want {
				t.Errorf("Appended(%q) reads %s, want %s", kept, got, want)
			}
			if again := AppendValue(nil, back); string(again) != string(kept) {
				t.Errorf("written again %q, first %q", again, kept)
			}
		})
	}
	if v := Appended(nil); v.Type() != 0 {
		t.Errorf("Appended(nil) = %v", v.Type())
	}
}

// TestAppendValueExact: Parse marks a top-level aggregate exact unless it
// holds what AppendValue rewrites.
func TestAppendValueExact(t *testing.T) {
	for in, want := range map[string]bool{
		"*2\r\n$1\r\na\r\n:5\r\n":       true,
		"%1\r\n+k\r\n*1\r\n_\r\n":       true,
		"*2\r\n$1\r\na\r\n$-1\r\n":      false, // RESP2 null bulk
		"*1\r\n*-1\r\n":                 false, // RESP2 null array
		"*?\r\n:1\r\n.\r\n":             false, // streamed
		"*1\r\n$?\r\n;1\r\na\r\n;0\r\n": false, // streamed string
		"*1\r\n$01\r\na\r\n":            false, // leading zero
		"$1\r\na\r\n":                   false, // not an aggregate
	} {
		if v := parseOne(t, in); v.exact != want {
			t.Errorf("%q: exact %v, want %v", in, v.exact, want)
		}
	}
}

func BenchmarkAppendValue(b *testing.B) {
	in := AppendArrayHeader(nil, 10)
	for i := 0; i < 10; i++ {
		in = AppendBulkString(in, "value-of-some-length")
	}
	var r Reader
	v, _, err := r.Parse(in)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendValue(dst[:0], v)
	}
}
