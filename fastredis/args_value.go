package fastredis

import (
	"errors"
	"reflect"
	"strconv"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// Values of any kind. The typed methods take a command's values (SET's
// value, LPUSH's elements, ZADD's members, EVAL's arguments, HSET's fields
// and values, ...) as `any`, so that a caller passes a string, a []byte or a
// number as it has it:
//
//	client.Set(ctx, "n", 42)
//	client.Set(ctx, "blob", payload) // a []byte, sent without a copy
//	client.LPush(ctx, "l", "a", 2, 3.5)
//
// Encoding switches on the concrete type and never calls a method of the
// value, so the compiler keeps the interface on the caller's stack: passing
// a string, a []byte or a number allocates nothing. (Calling MarshalBinary or
// String would make every value escape to the heap, one allocation per
// argument on every call; that is why marshalers are not accepted: marshal
// such values first, or use HSetStruct for structs.)

// ErrInvalidArgument is wrapped by the errors of arguments a typed method
// cannot send: a value of an unsupported type, a duration its command's unit
// cannot carry, two option structs. The command is not sent.
var ErrInvalidArgument = errors.New("fastredis: invalid argument")

// argError is an argument that could not be encoded.
type argError struct {
	command string
	msg     string
}

func (e *argError) Error() string {
	if e.command == "" {
		return "fastredis: " + e.msg
	}
	return "fastredis: " + e.command + ": " + e.msg
}

func (e *argError) Is(target error) bool { return target == ErrInvalidArgument }

// fail records the first argument error; the command will not be sent.
func (a *argBuf) fail(msg string) {
	if a.err == nil {
		a.err = &argError{command: a.name, msg: msg}
	}
}

// unsupportedValue records a value of a type values cannot have. It reads
// only the type of v (reflect.TypeOf does not let v escape).
func (a *argBuf) unsupportedValue(v any) {
	if v == nil {
		a.fail("a value is nil: pass a string, []byte, number or bool")
		return
	}
	a.fail("a value of type " + reflect.TypeOf(v).String() +
		" is not supported: pass a string, []byte, number, bool, time.Time or time.Duration (marshal other types first)")
}

// value appends one value: exactly one argument.
func (a *argBuf) value(v any) *argBuf {
	switch v := v.(type) {
	case string:
		return a.str(v)
	case []byte:
		return a.bytes(v)
	case int:
		return a.int(int64(v))
	case int64:
		return a.int(v)
	case int32:
		return a.int(int64(v))
	case int16:
		return a.int(int64(v))
	case int8:
		return a.int(int64(v))
	case uint:
		return a.uint(uint64(v))
	case uint64:
		return a.uint(v)
	case uint32:
		return a.uint(uint64(v))
	case uint16:
		return a.uint(uint64(v))
	case uint8:
		return a.uint(uint64(v))
	case float64:
		return a.float(v)
	case float32:
		return a.float32(v)
	case bool:
		a.b = resp.AppendBulkBool(a.b, v)
		a.n++
		return a
	case time.Time:
		// RFC 3339 with nanoseconds, as HSetStruct writes times and as
		// go-redis does.
		var tmp [64]byte
		return a.small(v.AppendFormat(tmp[:0], time.RFC3339Nano))
	case time.Duration:
		return a.int(int64(v)) // nanoseconds, as HSetStruct and go-redis
	}
	return a.valueOfKind(v)
}

// valueOfKind appends a value whose type is defined on a string, integer,
// float, bool or []byte (type Status string), or records an error. It is the
// slow path of value. reflect.ValueOf does not make v escape either, as long
// as what it yields is copied: a string or []byte from it is appended, never
// kept by reference as str and bytes keep large ones.
func (a *argBuf) valueOfKind(v any) *argBuf {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		a.b = resp.AppendBulkString(a.b, rv.String())
		a.n++
		return a
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.uint(rv.Uint())
	case reflect.Float32:
		return a.float32(float32(rv.Float()))
	case reflect.Float64:
		return a.float(rv.Float())
	case reflect.Bool:
		a.b = resp.AppendBulkBool(a.b, rv.Bool())
		a.n++
		return a
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return a.small(rv.Bytes())
		}
	}
	a.unsupportedValue(v)
	return a
}

// values appends a list of values. An element that is itself a list
// ([]string, [][]byte, []any, []int, []int64, []float64), a FieldValue or
// []FieldValue (a field and its value), or a map[string]string or
// map[string]any (its keys and values, in the map's random order) adds all
// it holds, so a caller can pass what it has without building a []any.
func (a *argBuf) values(vs []any) *argBuf {
	for _, v := range vs {
		a.flatValue(v, 0)
	}
	return a
}

// maxValueDepth bounds how deeply values flattens nested []any.
const maxValueDepth = 8

func (a *argBuf) flatValue(v any, depth int) {
	switch v := v.(type) {
	case []string:
		for _, s := range v {
			a.str(s)
		}
	case [][]byte:
		for _, p := range v {
			a.bytes(p)
		}
	case []int:
		for _, n := range v {
			a.int(int64(n))
		}
	case []int64:
		for _, n := range v {
			a.int(n)
		}
	case []float64:
		for _, f := range v {
			a.float(f)
		}
	case FieldValue:
		a.str(v.Field).str(v.Value)
	case []FieldValue:
		for _, fv := range v {
			a.str(fv.Field).str(fv.Value)
		}
	case map[string]string:
		for k, s := range v {
			a.str(k).str(s)
		}
	case map[string]any:
		for k, x := range v {
			a.str(k).value(x)
		}
	case []any:
		if depth >= maxValueDepth {
			a.fail("values nested too deeply")
			return
		}
		for _, x := range v {
			a.flatValue(x, depth+1)
		}
	default:
		a.value(v)
	}
}

// pairs appends field-value pairs (HSET, XADD) given as values does: the
// flattened list must alternate fields and values.
func (a *argBuf) pairs(vs []any) *argBuf {
	n0 := a.n
	a.values(vs)
	if (a.n-n0)%2 != 0 && a.err == nil {
		a.fail("fields and values must come in pairs, got " + strconv.Itoa(a.n-n0) + " arguments")
	}
	if a.n == n0 && a.err == nil {
		a.fail("no field-value pairs")
	}
	return a
}

// keyValues appends key-value pairs (MSET, MSETNX): like pairs, with every
// first element a key, which gets the client's key prefix and must be a
// string or a []byte.
func (a *argBuf) keyValues(vs []any) *argBuf {
	n0 := a.n
	key := true
	emit := func(v any) {
		if !key {
			a.value(v)
		} else {
			switch k := v.(type) {
			case string:
				a.key(k)
			case []byte:
				a.b = appendPrefixedBulk(a.b, a.prefix, k)
				a.n++
			default:
				a.fail("a key must be a string or a []byte, not " + typeName(v))
			}
		}
		key = !key
	}
	for _, v := range vs {
		switch v := v.(type) {
		case []string:
			for _, s := range v {
				emit(s)
			}
		case map[string]string:
			for k, s := range v {
				emit(k)
				emit(s)
			}
		case map[string]any:
			for k, x := range v {
				emit(k)
				emit(x)
			}
		case []any:
			for _, x := range v {
				emit(x)
			}
		default:
			emit(v)
		}
	}
	switch {
	case a.err != nil:
	case a.n == n0:
		a.fail("no key-value pairs")
	case !key:
		a.fail("keys and values must come in pairs, got " + strconv.Itoa(a.n-n0) + " arguments")
	}
	return a
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

func (a *argBuf) uint(v uint64) *argBuf {
	a.b = resp.AppendBulkUint(a.b, v)
	a.n++
	return a
}

// float32 writes the shortest decimal that reads back as the same float32
// (0.1, not 0.10000000149011612).
func (a *argBuf) float32(v float32) *argBuf {
	var tmp [32]byte
	return a.small(strconv.AppendFloat(tmp[:0], float64(v), 'f', -1, 32))
}

// small appends an argument by copying it (never by reference): a short one
// from a temporary buffer, or one whose memory must not escape.
func (a *argBuf) small(p []byte) *argBuf {
	a.b = resp.AppendBulk(a.b, p)
	a.n++
	return a
}
