package fastredis

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// The conversions between a struct field and the text Redis keeps. Reading
// takes a view of the reply (never retained: strings and []byte are copied
// out); writing appends to the command being built. The formats:
//
//   - string, []byte: as they are.
//   - integers and floats: decimal (strconv); reading checks the range of
//     the field's size, and floats accept Redis's inf, -inf and nan.
//   - bool: written 1 or 0; read with strconv.ParseBool (1, 0, t, f, true,
//     false, TRUE, ...).
//   - time.Time: written RFC 3339 with nanoseconds (time.RFC3339Nano, as
//     go-redis does); read from RFC 3339, or from an integer, taken as Unix
//     seconds (as EXPIRETIME and TIME give them).
//   - time.Duration: written in nanoseconds (go-redis's format); read from
//     an integer of nanoseconds, or text time.ParseDuration accepts ("1.5s").
//   - any other type implementing encoding.TextMarshaler and
//     TextUnmarshaler (on its value or its pointer), else BinaryMarshaler
//     and BinaryUnmarshaler: through them. (Text comes first both ways, so
//     that a type with both, such as a UUID, reads back what it wrote.)
//     A type with go-redis's ScanRedis(string) error method is read with it.
//   - a pointer to any of these: the value it points to.
//
// Other types (maps, other slices, channels, functions, interfaces, structs
// without the interfaces) cannot be scanned: the struct is refused with an
// error naming the field.

// decodeFunc sets v, an addressable field, from b.
type decodeFunc func(v reflect.Value, b []byte) error

// encodeFunc appends the text of v, a field, to dst.
type encodeFunc func(dst []byte, v reflect.Value) ([]byte, error)

var (
	timeType            = reflect.TypeFor[time.Time]()
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	binUnmarshalerType  = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	binMarshalerType    = reflect.TypeFor[encoding.BinaryMarshaler]()
)

// str views b as a string for parsing; it must not be retained (strconv's
// errors copy what they quote).
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func unsupported(t reflect.Type, read bool) error {
	if read {
		return fmt.Errorf("type %v cannot be scanned (not a string, number, bool, []byte, time, or a TextUnmarshaler)", t)
	}
	return fmt.Errorf("type %v cannot be written (not a string, number, bool, []byte, time, or a TextMarshaler)", t)
}

// redisScanner is go-redis's Scanner interface, which types written for
// go-redis implement; it is matched by its method, without importing it.
type redisScanner interface {
	ScanRedis(s string) error
}

var redisScannerType = reflect.TypeFor[redisScanner]()

// decoderFor picks the decoder of a field of type t.
func decoderFor(t reflect.Type) (decodeFunc, error) {
	switch {
	case t == timeType:
		return scanTime, nil
	case t == durationType:
		return scanDuration, nil
	case reflect.PointerTo(t).Implements(redisScannerType):
		return func(v reflect.Value, b []byte) error {
			return v.Addr().Interface().(redisScanner).ScanRedis(string(b))
		}, nil
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return func(v reflect.Value, b []byte) error {
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(b)
		}, nil
	case reflect.PointerTo(t).Implements(binUnmarshalerType):
		return func(v reflect.Value, b []byte) error {
			return v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b)
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, b []byte) error { v.SetString(string(b)); return nil }, nil
	case reflect.Bool:
		return func(v reflect.Value, b []byte) error {
			x, err := strconv.ParseBool(str(b))
			v.SetBool(x)
			return err
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(v reflect.Value, b []byte) error {
			x, err := strconv.ParseInt(str(b), 10, bits)
			if err == nil {
				v.SetInt(x)
			}
			return err
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := t.Bits()
		return func(v reflect.Value, b []byte) error {
			x, err := strconv.ParseUint(str(b), 10, bits)
			if err == nil {
				v.SetUint(x)
			}
			return err
		}, nil
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value, b []byte) error {
			x, err := strconv.ParseFloat(str(b), bits)
			if err == nil {
				v.SetFloat(x)
			}
			return err
		}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(v reflect.Value, b []byte) error {
				v.SetBytes(append(make([]byte, 0, len(b)), b...))
				return nil
			}, nil
		}
	case reflect.Pointer:
		elem, err := decoderFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value, b []byte) error {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			return elem(v.Elem(), b)
		}, nil
	}
	return nil, unsupported(t, true)
}

// encoderFor picks the encoder of a field of type t.
func encoderFor(t reflect.Type) (encodeFunc, error) {
	switch {
	case t == timeType:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return addr(v).Interface().(*time.Time).AppendFormat(dst, time.RFC3339Nano), nil
		}, nil
	case t == durationType:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return strconv.AppendInt(dst, v.Int(), 10), nil
		}, nil
	case reflect.PointerTo(t).Implements(textMarshalerType):
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			b, err := addr(v).Interface().(encoding.TextMarshaler).MarshalText()
			return append(dst, b...), err
		}, nil
	case reflect.PointerTo(t).Implements(binMarshalerType):
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			b, err := addr(v).Interface().(encoding.BinaryMarshaler).MarshalBinary()
			return append(dst, b...), err
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return append(dst, v.String()...), nil }, nil
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.Bool() {
				return append(dst, '1'), nil
			}
			return append(dst, '0'), nil
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(dst, v.Int(), 10), nil }, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(dst, v.Uint(), 10), nil }, nil
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(dst []byte, v reflect.Value) ([]byte, error) { return appendFloat(dst, v.Float(), bits), nil }, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(dst []byte, v reflect.Value) ([]byte, error) { return append(dst, v.Bytes()...), nil }, nil
		}
	case reflect.Pointer:
		elem, err := encoderFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(dst []byte, v reflect.Value) ([]byte, error) { return elem(dst, v.Elem()) }, nil
	}
	return nil, unsupported(t, false)
}

// addr returns a pointer to v, which HSetStruct and StructFields make sure
// is addressable (a struct given by value is copied first).
func addr(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v.Addr()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p
}

// appendFloat writes f as Redis writes and reads numbers: the shortest
// decimal that reads back as f (at the field's size), without an exponent
// (as go-redis writes them), and inf, -inf, nan.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits)
}

// scanTime reads RFC 3339 (with or without fractional seconds), or an
// integer as Unix seconds.
func scanTime(v reflect.Value, b []byte) error {
	s := str(b)
	if isInteger(s) {
		// Tried first only when it can succeed: a failed ParseInt allocates its error.
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			*v.Addr().Interface().(*time.Time) = time.Unix(n, 0)
			return nil
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("not RFC 3339 or Unix seconds: %q", s)
	}
	*v.Addr().Interface().(*time.Time) = t
	return nil
}

// isInteger reports whether s is an optionally signed run of digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// scanDuration reads nanoseconds, or a time.ParseDuration string.
func scanDuration(v reflect.Value, b []byte) error {
	s := str(b)
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err // out of range
		}
		v.SetInt(n)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not nanoseconds or a duration: " + strconv.Quote(s))
	}
	v.SetInt(int64(d))
	return nil
}
