package fastredis

import (
	"errors"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// level is a TextMarshaler with pointer-receiver methods.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return errors.New("unknown level " + string(b))
	}
	return nil
}

func (l *level) MarshalText() ([]byte, error) {
	switch *l {
	case 1:
		return []byte("low"), nil
	case 2:
		return []byte("high"), nil
	}
	return nil, errors.New("no level")
}

// blob only has the binary interfaces.
type blob struct{ b [2]byte }

func (x *blob) UnmarshalBinary(b []byte) error {
	if len(b) != 2 {
		return errors.New("want 2 bytes")
	}
	copy(x.b[:], b)
	return nil
}

func (x blob) MarshalBinary() ([]byte, error) { return x.b[:], nil }

// upper has go-redis's Scanner method.
type upper string

func (u *upper) ScanRedis(s string) error {
	*u = upper(strings.ToUpper(s))
	return nil
}

type allKinds struct {
	S    string        `redis:"s"`
	B    []byte        `redis:"b"`
	I    int           `redis:"i"`
	I8   int8          `redis:"i8"`
	I16  int16         `redis:"i16"`
	I32  int32         `redis:"i32"`
	I64  int64         `redis:"i64"`
	U    uint          `redis:"u"`
	U8   uint8         `redis:"u8"`
	U16  uint16        `redis:"u16"`
	U32  uint32        `redis:"u32"`
	U64  uint64        `redis:"u64"`
	F32  float32       `redis:"f32"`
	F64  float64       `redis:"f64"`
	Bool bool          `redis:"bool"`
	T    time.Time     `redis:"t"`
	D    time.Duration `redis:"d"`
	L    level         `redis:"level"`
	Addr netip.Addr    `redis:"addr"`
	Blob blob          `redis:"blob"`
	P    *int          `redis:"p"`
	PP   **string      `redis:"pp"`
	Up   upper         `redis:"up"`
}

// Each conversion, read: the value in the field, or the error's text.
func TestStructScanConversions(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		name, value string
		want        any    // the field's value after the scan
		err         string // or a part of the error
	}{
		{"s", "crlf\r\nnul\x00", "crlf\r\nnul\x00", ""},
		{"s", "", "", ""},
		{"b", "raw\xff", []byte("raw\xff"), ""},
		{"b", "", []byte{}, ""},
		{"i", "-42", -42, ""},
		{"i", "x", nil, `fastredis: field I (int): strconv.ParseInt: parsing "x": invalid syntax`},
		{"i", "1.5", nil, "invalid syntax"},
		{"i", "", nil, "invalid syntax"},
		{"i8", "127", int8(127), ""},
		{"i8", "128", nil, `fastredis: field I8 (int8): strconv.ParseInt: parsing "128": value out of range`},
		{"i16", "-32768", int16(-32768), ""},
		{"i16", "32768", nil, "out of range"},
		{"i32", "2147483648", nil, "out of range"},
		{"i64", "-9223372036854775808", int64(math.MinInt64), ""},
		{"i64", "9223372036854775808", nil, "out of range"},
		{"u", "7", uint(7), ""},
		{"u", "-1", nil, "invalid syntax"},
		{"u8", "255", uint8(255), ""},
		{"u8", "256", nil, "field U8 (uint8): strconv.ParseUint"},
		{"u16", "65536", nil, "out of range"},
		{"u32", "4294967295", uint32(math.MaxUint32), ""},
		{"u64", "18446744073709551615", uint64(math.MaxUint64), ""},
		{"f32", "0.1", float32(0.1), ""},
		{"f32", "1e39", nil, "out of range"},
		{"f64", "3.25", 3.25, ""},
		{"f64", "inf", math.Inf(1), ""},
		{"f64", "-inf", math.Inf(-1), ""},
		{"f64", "1,5", nil, "field F64 (float64): strconv.ParseFloat"},
		{"bool", "1", true, ""},
		{"bool", "true", true, ""},
		{"bool", "0", false, ""},
		{"bool", "yes", nil, `field Bool (bool): strconv.ParseBool: parsing "yes": invalid syntax`},
		{"t", "2024-05-06T07:08:09.123456789Z", ts, ""},
		{"t", "2024-05-06T09:08:09+02:00", ts.Truncate(time.Second), ""},
		{"t", "1715000000", time.Unix(1715000000, 0), ""},
		{"t", "yesterday", nil, `field T (time.Time): not RFC 3339 or Unix seconds: "yesterday"`},
		{"d", "1500000000", 1500 * time.Millisecond, ""},
		{"d", "1m30s", 90 * time.Second, ""},
		{"d", "99999999999999999999", nil, "field D (time.Duration): strconv.ParseInt"},
		{"d", "soon", nil, "field D (time.Duration): not nanoseconds or a duration"},
		{"level", "high", level(2), ""},
		{"level", "mid", nil, "field L (fastredis.level): unknown level mid"},
		{"addr", "::1", netip.MustParseAddr("::1"), ""},
		{"addr", "nope", nil, "field Addr (netip.Addr): ParseAddr"},
		{"blob", "ab", blob{[2]byte{'a', 'b'}}, ""},
		{"blob", "abc", nil, "field Blob (fastredis.blob): want 2 bytes"},
		{"p", "5", 5, ""},
		{"p", "five", nil, "field P (*int)"},
		{"pp", "deep", "deep", ""},
		{"up", "shout", upper("SHOUT"), ""},
	} {
		var dst allKinds
		err := ScanFieldValues(&dst, []FieldValue{{tc.name, tc.value}})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s=%q: error %v, want one with %q", tc.name, tc.value, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%q: %v", tc.name, tc.value, err)
			continue
		}
		got := fieldByTag(t, &dst, tc.name)
		for got.Kind() == reflect.Pointer {
			got = got.Elem()
		}
		if g := got.Interface(); !reflect.DeepEqual(g, tc.want) && !timesEqual(g, tc.want) {
			t.Errorf("%s=%q: got %#v, want %#v", tc.name, tc.value, g, tc.want)
		}
	}
}

func timesEqual(a, b any) bool {
	ta, ok1 := a.(time.Time)
	tb, ok2 := b.(time.Time)
	return ok1 && ok2 && ta.Equal(tb)
}

func fieldByTag(t *testing.T, dst any, tag string) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(dst).Elem()
	for i := 0; i < v.NumField(); i++ {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("redis"), ","); name == tag {
			return v.Field(i)
		}
	}
	t.Fatalf("no field tagged %q", tag)
	return reflect.Value{}
}

// Every kind written by StructFields reads back the same.
func TestStructScanRoundTrip(t *testing.T) {
	p, s := 9, "pointed"
	ps := &s
	in := allKinds{
		S: "a\r\nb", B: []byte{0, 1, 255}, I: -1, I8: math.MinInt8, I16: math.MaxInt16, I32: math.MinInt32,
		I64: math.MaxInt64, U: 1, U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
		F32: 0.1, F64: math.Inf(-1), Bool: true, T: time.Date(2024, 5, 6, 7, 8, 9, 1, time.FixedZone("x", 3600)),
		D: -time.Nanosecond, L: 1, Addr: netip.MustParseAddr("10.0.0.1"), Blob: blob{[2]byte{7, 8}}, P: &p, PP: &ps,
		Up: "UP",
	}
	fvs, err := StructFields(&in)
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{}
	for _, fv := range fvs {
		text[fv.Field] = fv.Value
	}
	for name, want := range map[string]string{
		"i8": "-128", "u64": "18446744073709551615", "f32": "0.1", "f64": "-inf", "bool": "1",
		"t": "2024-05-06T07:08:09.000000001+01:00", "d": "-1", "level": "low", "addr": "10.0.0.1", "blob": "\x07\x08",
		"p": "9", "pp": "pointed",
	} {
		if text[name] != want {
			t.Errorf("written %s = %q, want %q", name, text[name], want)
		}
	}
	var out allKinds
	if err := ScanMap(&out, text); err != nil {
		t.Fatal(err)
	}
	if !out.T.Equal(in.T) {
		t.Errorf("time: %v, want %v", out.T, in.T)
	}
	out.T = in.T
	if **out.PP != s || *out.P != p {
		t.Errorf("pointers: %v, %v", *out.P, **out.PP)
	}
	out.P, out.PP = in.P, in.PP
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	// By value too: MarshalText has a pointer receiver, so it is copied.
	if byValue, err := StructFields(in); err != nil || !reflect.DeepEqual(byValue, fvs) {
		t.Errorf("by value: %v, %v", byValue, err)
	}
}

type Base struct {
	ID      string `redis:"id"`
	Shadow  string `redis:"name"` // hidden by Outer.Name
	private int    // untagged, unexported: ignored
}

type inner struct {
	Deep int `redis:"deep"`
}

type Extra struct {
	Note string `redis:"note"`
}

func TestStructScanFieldRules(t *testing.T) {
	type ok struct {
		Base
		*Extra
		inner
		Name   string `redis:"name"`
		Skip   string `redis:"-"`
		Dash   string `redis:"-,"`
		Untagd string
		Opt    int       `redis:"opt,omitempty"`
		OptP   *int      `redis:"optp,omitempty"`
		When   time.Time `redis:"when,omitempty"`
	}
	var v ok
	err := ScanMap(&v, map[string]string{
		"id": "7", "name": "outer", "note": "allocated", "deep": "3", "-": "dash",
		"Skip": "x", "Untagd": "x", "Name": "x", "private": "1", "unknown": "x", "opt": "4",
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "7" || v.Name != "outer" || v.Shadow != "" || v.Extra == nil || v.Note != "allocated" ||
		v.Deep != 3 || v.Dash != "dash" || v.Skip != "" || v.Untagd != "" || v.Opt != 4 || v.OptP != nil || v.private != 0 {
		t.Errorf("scanned %+v (Extra %+v)", v, v.Extra)
	}

	// Writing: nil pointers (and an embedded nil pointer's fields) and empty
	// omitempty fields are left out; other zero values are written.
	fvs, err := StructFields(&ok{})
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldValue{{"id", ""}, {"deep", "0"}, {"name", ""}, {"-", ""}}
	if !reflect.DeepEqual(fvs, want) {
		t.Errorf("zero value writes %q, want %q", fvs, want)
	}
	zero := 0
	fvs, _ = StructFields(ok{Extra: &Extra{}, OptP: &zero, Opt: 1})
	if len(fvs) != 7 {
		t.Errorf("writes %q", fvs)
	}
}

// Bad destinations and unsupported types are errors, never panics.
func TestStructScanErrors(t *testing.T) {
	var s struct {
		A int `redis:"a"`
	}
	var nilPtr *struct{}
	type unsupported struct {
		M map[string]string `redis:"m"`
	}
	type partly struct {
		OK  string `redis:"ok"`
		Bad []int  `redis:"bad"`
	}
	type unexported struct {
		a int `redis:"a"`
	}
	_ = unexported{a: 1} // the field is used, through reflection
	type conflict struct {
		A string `redis:"x"`
		B string `redis:"x"`
	}
	type embedsUnexportedPtr struct {
		*inner
	}
	type onlyText struct {
		C chan int `redis:"c"`
	}
	m := map[string]string{"a": "1"}
	for _, tc := range []struct {
		name string
		dst  any
		want string
	}{
		{"nil", nil, "<nil> is not a pointer to a struct"},
		{"struct by value", s, "is not a pointer to a struct"},
		{"pointer to int", new(int), "*int is not a pointer to a struct"},
		{"nil pointer", nilPtr, "*struct {} is nil"},
		{"map", &unsupported{}, "field M (map[string]string): type map[string]string cannot be"},
		{"slice", &partly{}, "field Bad ([]int)"},
		{"unexported", &unexported{}, "fastredis: struct fastredis.unexported: field a has a redis tag but is not exported"},
		{"conflict", &conflict{}, `fields A and B are both named "x"`},
		{"embedded unexported pointer", &embedsUnexportedPtr{}, "embedded pointer to an unexported struct type"},
		{"chan", &onlyText{}, "field C (chan int)"},
	} {
		for _, fn := range []func() error{
			func() error { return ScanMap(tc.dst, m) },
			func() error { return ScanFieldValues(tc.dst, nil) },
			func() error { return ScanValues(tc.dst, []string{"a"}, []NullString{{"1", true}}) },
		} {
			if err := fn(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
			}
		}
		if tc.name == "struct by value" {
			continue // fine for writing
		}
		if _, err := StructFields(tc.dst); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: StructFields: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if err := ScanValues(&s, []string{"a", "b"}, []NullString{{"1", true}}); err == nil {
		t.Error("ScanValues with 2 names for 1 value: no error")
	}
	var l struct {
		L level `redis:"l"`
	}
	if _, err := StructFields(&l); err == nil || !strings.Contains(err.Error(), "field L (fastredis.level): no level") {
		t.Errorf("MarshalText failing: %v", err)
	}
	// A failed field stops the scan; the fields before it are set.
	var two struct {
		A int `redis:"a"`
		B int `redis:"b"`
	}
	err := ScanFieldValues(&two, []FieldValue{{"a", "1"}, {"b", "x"}})
	if err == nil || two.A != 1 {
		t.Errorf("%+v, %v", two, err)
	}
}

// ScanValues skips nulls; ScanFieldValues keeps the last of a repeated
// name; a ClientInfo scans too.
func TestStructScanValues(t *testing.T) {
	var v struct {
		A string `redis:"a"`
		B string `redis:"b"`
	}
	v.B = "kept"
	if err := ScanValues(&v, []string{"a", "b"}, []NullString{{"x", true}, {}}); err != nil || v.A != "x" || v.B != "kept" {
		t.Errorf("%+v, %v", v, err)
	}
	if err := ScanFieldValues(&v, []FieldValue{{"a", "1"}, {"a", "2"}}); err != nil || v.A != "2" {
		t.Errorf("%+v, %v", v, err)
	}
	var ci struct {
		ID   int64  `redis:"id"`
		Name string `redis:"name"`
		Idle int    `redis:"idle"`
	}
	info := ClientInfo{{"id", "12"}, {"addr", "127.0.0.1:1"}, {"name", "w"}, {"idle", "0"}}
	if err := ScanFieldValues(&ci, info); err != nil || ci.ID != 12 || ci.Name != "w" {
		t.Errorf("ClientInfo: %+v, %v", ci, err)
	}
	msg := XMessage{ID: "1-1", Fields: []FieldValue{{"a", "m"}}}
	if err := msg.Scan(&v); err != nil || v.A != "m" {
		t.Errorf("XMessage.Scan: %+v, %v", v, err)
	}
}

type loopA struct {
	*loopB
	A int `redis:"a"`
}

type loopB struct {
	*loopA
	B int `redis:"b"`
}

type Loop struct {
	*Loop
	X int `redis:"x"`
}

// Types that embed themselves or each other end the walk.
func TestStructScanEmbeddingLoops(t *testing.T) {
	var l Loop
	if err := ScanMap(&l, map[string]string{"x": "1"}); err != nil || l.X != 1 || l.Loop != nil {
		t.Errorf("self-embedding: %+v, %v", l, err)
	}
	if err := ScanMap(&loopA{}, map[string]string{"a": "1"}); err == nil {
		t.Error("embedded pointers to unexported types: no error")
	}
}

// The spec is built once per type.
func TestStructScanSpecCached(t *testing.T) {
	type T struct {
		A int `redis:"a"`
	}
	typ := reflect.TypeFor[T]()
	first := specOf(typ)
	if again := specOf(typ); again != first {
		t.Error("two specs for one type")
	}
}

// Any value for any field is set or refused with an error, never a panic.
func FuzzStructScan(f *testing.F) {
	for _, seed := range []string{"", "1", "-1", "1e400", "nan", "2024-05-06T07:08:09Z", "1s", "::1", "\xff\x00"} {
		f.Add(uint8(0), seed)
	}
	typ := reflect.TypeFor[allKinds]()
	f.Fuzz(func(t *testing.T, field uint8, value string) {
		name := typ.Field(int(field) % typ.NumField()).Tag.Get("redis")
		var dst allKinds
		if err := ScanFieldValues(&dst, []FieldValue{{name, value}}); err != nil && !strings.HasPrefix(err.Error(), "fastredis: field ") {
			t.Errorf("%s=%q: error %v does not name the field", name, value, err)
		}
	})
}
