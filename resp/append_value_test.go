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
		})
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
