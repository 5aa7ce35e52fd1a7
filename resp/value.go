package resp

import "bytes"

// A Value is one parsed RESP value: a view into the bytes it was parsed from.
// It stays valid only while those bytes are unchanged; copy out what must
// outlive them (String, AppendBytes). The zero Value is an invalid value of
// type 0.
//
// Scalars hold their payload: the string of a simple or bulk string, the text
// of an error, a number or a double. Aggregates hold their elements, read with
// Iter.
type Value struct {
	data  []byte // scalar payload, or the element bytes of an aggregate
	attrs []byte // the attribute (|...) that came before the value, if any
	num   int64  // integer or boolean value; element count of an aggregate
	typ   Type
	// streamed marks a RESP3 streamed string, whose data holds its chunks
	// (;len CRLF bytes CRLF ... ;0 CRLF) rather than a contiguous payload.
	streamed bool
	// exact marks a top-level aggregate from Parse whose data is its
	// elements' bytes exactly as AppendValue would write them, so that
	// AppendValue copies them in one piece.
	exact bool
}

// Type returns the value's type.
func (v Value) Type() Type { return v.typ }

// IsNull reports whether the value is a null: RESP3 _, or RESP2 $-1 or *-1.
func (v Value) IsNull() bool { return v.typ == Null }

// IsError reports whether the value is a simple or bulk error. Its text
// (such as "ERR unknown command") is in Bytes.
func (v Value) IsError() bool { return v.typ == SimpleError || v.typ == BulkError }

// Bytes returns the payload of a string, error, number or double as a view
// into the parsed input, without copying: for a verbatim string, the text
// after its format prefix; for a boolean, "t" or "f"; for an integer, its
// decimal text. It returns nil for nulls and aggregates. A RESP3 streamed
// string has no contiguous payload to view: Bytes then returns a new slice
// with its chunks joined.
func (v Value) Bytes() []byte {
	switch {
	case v.streamed:
		return v.AppendBytes(nil)
	case v.typ == VerbatimString:
		return v.data[4:]
	case v.typ.IsAggregate():
		return nil
	}
	return v.data
}

// AppendBytes appends the payload that Bytes returns to dst, joining the
// chunks of a streamed string.
func (v Value) AppendBytes(dst []byte) []byte {
	if !v.streamed {
		return append(dst, v.Bytes()...)
	}
	for c := v.data; len(c) > 0; {
		// Chunks are trusted: the reader validated them.
		i := bytes.IndexByte(c, '\r')
		n, _ := parseLen(c[1:i])
		if n == 0 {
			break
		}
		start := i + 2
		dst = append(dst, c[start:start+int(n)]...)
		c = c[start+int(n)+2:]
	}
	return dst
}

// String returns a copy of the payload that Bytes returns, as a string.
func (v Value) String() string {
	if v.streamed {
		return string(v.AppendBytes(nil))
	}
	return string(v.Bytes())
}

// Format returns the three-letter format of a verbatim string ("txt", "mkd"),
// and "" for any other type.
func (v Value) Format() string {
	if v.typ != VerbatimString {
		return ""
	}
	return string(v.data[:3])
}

// Int returns the value as an int64: an integer, a boolean (1 or 0), or a
// string, big number or double whose text is a whole number in range. A
// null or anything else gives a *TypeError.
func (v Value) Int() (int64, error) {
	switch v.typ {
	case Integer, Boolean:
		return v.num, nil
	case SimpleString, BulkString, VerbatimString, BigNumber:
		if n, ok := parseInt(v.Bytes()); ok {
			return n, nil
		}
	case Double:
		if f, ok := parseFloat(v.data); ok && f == float64(int64(f)) && f >= -(1<<63) && f < 1<<63 {
			return int64(f), nil
		}
	}
	return 0, &TypeError{Want: "integer", Got: v.typ}
}

// Float returns the value as a float64: a double (including inf, -inf and
// nan), an integer, or a string or big number holding a number.
func (v Value) Float() (float64, error) {
	switch v.typ {
	case Integer:
		return float64(v.num), nil
	case Double, SimpleString, BulkString, VerbatimString, BigNumber:
		if f, ok := parseFloat(v.Bytes()); ok {
			return f, nil
		}
	}
	return 0, &TypeError{Want: "float", Got: v.typ}
}

// Bool returns the value as a bool: a RESP3 boolean, or an integer (RESP2
// sends booleans as 1 and 0; any non-zero integer is true).
func (v Value) Bool() (bool, error) {
	switch v.typ {
	case Boolean, Integer:
		return v.num != 0, nil
	}
	return false, &TypeError{Want: "boolean", Got: v.typ}
}

// Len returns the number of elements of an aggregate (for a map or an
// attribute, the number of key-value pairs), and 0 for any other type.
func (v Value) Len() int {
	if v.typ.IsAggregate() {
		return int(v.num)
	}
	return 0
}

// Iter returns an iterator over the elements of an aggregate. For a map or an
// attribute it yields each key followed by its value. For other types it
// yields nothing.
func (v Value) Iter() Iterator {
	if !v.typ.IsAggregate() {
		return Iterator{}
	}
	return Iterator{rest: v.data, left: v.num * v.typ.elementsPer()}
}

// Attrs returns the attribute map the server sent before this value (RESP3),
// and whether there was one.
func (v Value) Attrs() (Value, bool) {
	if v.attrs == nil {
		return Value{}, false
	}
	a, hdrEnd := decodeHeader(v.attrs)
	a.data = v.attrs[hdrEnd:]
	return a, true
}

// WireLen returns the size in bytes v had on the wire, attributes
// included, computed from the view without walking it. It is exact for a
// value a Reader's Parse returned (a whole reply), except that a RESP2 null
// ($-1 or *-1) counts as RESP3's 3 bytes; for an aggregate element met
// through an Iterator it may count more. It is what a client reports as a
// reply's size.
func (v Value) WireLen() int {
	n := len(v.attrs)
	switch v.typ {
	case Null:
		return n + 3
	case BulkString, BulkError, VerbatimString:
		if v.streamed {
			return n + 4 + len(v.data) // $?CRLF, then the chunks and their terminator
		}
		return n + 1 + decimalLen(int64(len(v.data))) + 2 + len(v.data) + 2
	case Array, Set, Push, Map, Attribute:
		return n + 1 + decimalLen(v.num) + 2 + len(v.data)
	case 0:
		return 0
	}
	return n + 1 + len(v.data) + 2 // simple string, error, integer, double, big number, boolean
}

func decimalLen(x int64) int {
	n := 1
	if x < 0 {
		n, x = 2, -x
	}
	for x >= 10 {
		x /= 10
		n++
	}
	return n
}
