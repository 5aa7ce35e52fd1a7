package resp

import (
	"errors"
	"math"
	"testing"
)

func parseOne(t *testing.T, in string) Value {
	t.Helper()
	var r Reader
	v, n, err := r.Parse([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Parse(%q): n=%d err=%v", in, n, err)
	}
	return v
}

func TestValueInt(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{":42\r\n", 42, true},
		{":-9223372036854775808\r\n", math.MinInt64, true},
		{"$2\r\n17\r\n", 17, true},
		{"+-3\r\n", -3, true},
		{"#t\r\n", 1, true},
		{",12\r\n", 12, true},
		{",1.5\r\n", 0, false},
		{",inf\r\n", 0, false},
		{"(123\r\n", 123, true},
		{"(99999999999999999999\r\n", 0, false},
		{"$3\r\nabc\r\n", 0, false},
		{"_\r\n", 0, false},
		{"*0\r\n", 0, false},
	}
	for _, tc := range cases {
		got, err := parseOne(t, tc.in).Int()
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("Int(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		var te *TypeError
		if !tc.ok && !errors.As(err, &te) {
			t.Errorf("Int(%q) err = %v, want *TypeError", tc.in, err)
		}
	}
}

func TestValueFloat(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{",3.25\r\n", 3.25, true},
		{",inf\r\n", math.Inf(1), true},
		{",-inf\r\n", math.Inf(-1), true},
		{",1e400\r\n", math.Inf(1), true},
		{":7\r\n", 7, true},
		{"$4\r\n10.5\r\n", 10.5, true},
		{"$3\r\n1e3\r\n", 1000, true},
		{"$3\r\nabc\r\n", 0, false},
		{"#t\r\n", 0, false},
	}
	for _, tc := range cases {
		got, err := parseOne(t, tc.in).Float()
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("Float(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && err == nil {
			t.Errorf("Float(%q) = %v, want an error", tc.in, got)
		}
	}
	if f, err := parseOne(t, ",nan\r\n").Float(); err != nil || !math.IsNaN(f) {
		t.Errorf("nan: %v %v", f, err)
	}
}

func TestValueBool(t *testing.T) {
	for in, want := range map[string]bool{"#t\r\n": true, "#f\r\n": false, ":1\r\n": true, ":0\r\n": false} {
		if got, err := parseOne(t, in).Bool(); err != nil || got != want {
			t.Errorf("Bool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := parseOne(t, "+OK\r\n").Bool(); err == nil {
		t.Error("Bool of a simple string: want an error")
	}
}

func TestValueStrings(t *testing.T) {
	v := parseOne(t, "=15\r\ntxt:Some string\r\n")
	if v.Format() != "txt" || v.String() != "Some string" || string(v.AppendBytes([]byte(">"))) != ">Some string" {
		t.Errorf("verbatim: %q %q", v.Format(), v.String())
	}
	v = parseOne(t, "$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n")
	if v.String() != "abc" || string(v.Bytes()) != "abc" || string(v.AppendBytes([]byte("x"))) != "xabc" {
		t.Errorf("streamed: %q", v.String())
	}
	v = parseOne(t, "-WRONGTYPE Operation\r\n")
	if !v.IsError() || v.String() != "WRONGTYPE Operation" {
		t.Errorf("error: %v %q", v.IsError(), v.String())
	}
	if v := parseOne(t, "$-1\r\n"); !v.IsNull() || v.Bytes() != nil || v.String() != "" {
		t.Errorf("null: %v", v)
	}
	if v := parseOne(t, "*1\r\n:1\r\n"); v.Bytes() != nil || v.Len() != 1 {
		t.Errorf("array Bytes: %q", v.Bytes())
	}
}

func TestValueAttrs(t *testing.T) {
	v := parseOne(t, "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n")
	a, ok := v.Attrs()
	if !ok || a.Type() != Attribute || a.Len() != 1 {
		t.Fatalf("Attrs = %v %v", a, ok)
	}
	it := a.Iter()
	if !it.Next() || it.Value().String() != "key-popularity" || !it.Next() || it.Value().Type() != Map || it.Next() {
		t.Fatal("attribute contents")
	}
	if v.Type() != Array || v.Len() != 1 {
		t.Fatalf("value = %s", render(v))
	}
	if _, ok := parseOne(t, ":1\r\n").Attrs(); ok {
		t.Error("no attribute expected")
	}
}

func TestIteratorRemaining(t *testing.T) {
	v := parseOne(t, "%2\r\n+a\r\n*2\r\n:1\r\n:2\r\n+b\r\n:3\r\n")
	it := v.Iter()
	if it.Remaining() != 4 {
		t.Fatalf("Remaining = %d", it.Remaining())
	}
	var got []string
	for it.Next() {
		got = append(got, render(it.Value()))
	}
	want := []string{`+"a"`, `*2[:"1" :"2"]`, `+"b"`, `:"3"`}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("element %d = %s, want %s", i, got[i], want[i])
		}
	}
	if it.Next() || it.Remaining() != 0 {
		t.Error("iterator should be exhausted")
	}
	var empty Iterator
	if empty.Next() {
		t.Error("zero Iterator yields")
	}
}
