package resp

import (
	"math"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	var b []byte
	b = AppendArrayHeader(b, 7)
	b = AppendBulkString(b, "SET")
	b = AppendBulk(b, []byte("k\r\n\x00"))
	b = AppendBulkInt(b, math.MinInt64)
	b = AppendBulkUint(b, math.MaxUint64)
	b = AppendBulkFloat(b, 1.5)
	b = AppendBulkFloat(b, math.Inf(-1))
	b = AppendBulkBool(b, true)
	want := "*7\r\n$3\r\nSET\r\n$4\r\nk\r\n\x00\r\n$20\r\n-9223372036854775808\r\n$20\r\n18446744073709551615\r\n" +
		"$3\r\n1.5\r\n$4\r\n-inf\r\n$1\r\n1\r\n"
	if string(b) != want {
		t.Fatalf("got  %q\nwant %q", b, want)
	}
}

func TestAppendReplies(t *testing.T) {
	cases := []struct {
		got  []byte
		want string
	}{
		{AppendSimpleString(nil, "OK"), "+OK\r\n"},
		{AppendError(nil, "ERR x"), "-ERR x\r\n"},
		{AppendBulkError(nil, "ERR\r\n"), "!5\r\nERR\r\n\r\n"},
		{AppendInt(nil, -12), ":-12\r\n"},
		{AppendInt(nil, 7), ":7\r\n"},
		{AppendNull(nil), "_\r\n"},
		{AppendNullBulk(nil), "$-1\r\n"},
		{AppendNullArray(nil), "*-1\r\n"},
		{AppendBool(nil, false), "#f\r\n"},
		{AppendDouble(nil, 0.1), ",0.1\r\n"},
		{AppendDouble(nil, math.Inf(1)), ",inf\r\n"},
		{AppendDouble(nil, math.NaN()), ",nan\r\n"},
		{AppendBigNumber(nil, "-123456789012345678901234567890"), "(-123456789012345678901234567890\r\n"},
		{AppendVerbatim(nil, "txt", "hi"), "=6\r\ntxt:hi\r\n"},
		{AppendMapHeader(nil, 2), "%2\r\n"},
		{AppendSetHeader(nil, 12), "~12\r\n"},
		{AppendPushHeader(nil, 3), ">3\r\n"},
		{AppendAttributeHeader(nil, 1), "|1\r\n"},
	}
	for _, tc := range cases {
		if string(tc.got) != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
		// Everything written reads back as one complete value.
		if tc.want[0] == '%' || tc.want[0] == '~' || tc.want[0] == '>' || tc.want[0] == '|' {
			continue
		}
		var r Reader
		if _, n, err := r.Parse(tc.got); err != nil || n != len(tc.got) {
			t.Errorf("read back %q: n=%d err=%v", tc.got, n, err)
		}
	}
}

func TestAppendBulkFloatRoundTrip(t *testing.T) {
	for _, f := range []float64{0, -0.5, 1e300, 5e-324, math.MaxFloat64, 123456789.123456789} {
		b := AppendBulkFloat(nil, f)
		var r Reader
		v, _, err := r.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := v.Float(); err != nil || got != f {
			t.Errorf("%v -> %q -> %v, %v", f, b, got, err)
		}
	}
}
