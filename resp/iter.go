package resp

import "bytes"

// An Iterator walks the elements of an aggregate Value without allocating:
//
//	it := v.Iter()
//	for it.Next() {
//		e := it.Value()
//		...
//	}
type Iterator struct {
	rest []byte // bytes of the elements not yet passed
	left int64  // elements not yet returned
	cur  Value
	// open means rest starts at the current element, an aggregate whose
	// extent is not known yet. Next skips over it only when asked for the
	// element after it, so walking down a deep nest stays linear.
	open bool
}

// Next advances to the next element and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.open {
		n, _ := skip(it.rest)
		it.rest = it.rest[n:]
		it.open = false
	}
	if it.left <= 0 {
		it.cur = Value{}
		return false
	}
	var n int
	it.cur, n, it.open = decode(it.rest)
	it.rest = it.rest[n:]
	it.left--
	return true
}

// Value returns the element Next advanced to.
func (it *Iterator) Value() Value { return it.cur }

// Remaining returns how many elements Next has not yet returned.
func (it *Iterator) Remaining() int { return int(it.left) }

// valueAt builds the Value of a complete, validated top-level frame: an
// optional attribute ending at attrEnd, then the value. count is the element
// count of a streamed aggregate, which its header does not give.
func valueAt(frame []byte, attrEnd int, count int64) Value {
	v, hdrEnd := decodeHeader(frame[attrEnd:])
	if attrEnd > 0 {
		v.attrs = frame[:attrEnd]
	}
	if v.typ.IsAggregate() {
		body := frame[attrEnd+hdrEnd:]
		if v.num < 0 { // streamed: drop the end marker, take the counted length
			body = body[:len(body)-3]
			v.num = count
		}
		v.data = body
	}
	return v
}

// Appended returns the value that AppendValue wrote into b, which must
// hold exactly that value and nothing else. It does not check b again: a
// Reader validates what comes in, and AppendValue's output is valid and
// canonical by construction, so reading it back (a reply kept earlier)
// needs no second scan. For any other bytes, use a Reader.
func Appended(b []byte) Value {
	if len(b) == 0 {
		return Value{}
	}
	v, _, _ := decode(b)
	v.exact = v.typ.IsAggregate()
	return v
}

// decode reads one validated element (with an attribute before it, if any)
// from the start of b and returns it with the number of bytes it takes. For a
// counted aggregate it does not walk the elements to find where they end:
// open is then true, n covers only the attribute before the aggregate's
// header, and the value's data runs to the end of b (its iterator stops after
// its count of elements anyway).
func decode(b []byte) (v Value, n int, open bool) {
	var attrs []byte
	if b[0] == byte(Attribute) {
		an, _ := skip(b)
		attrs, b = b[:an], b[an:]
	}
	v, hdrEnd := decodeHeader(b)
	v.attrs = attrs
	end := hdrEnd
	switch {
	case v.typ.IsAggregate() && v.num >= 0:
		v.data = b[hdrEnd:]
		return v, len(attrs), true
	case v.typ.IsAggregate():
		// Streamed: the count is only known by walking the elements.
		end, v.num = skip(b)
		v.data = b[hdrEnd : end-3]
	case v.streamed:
		end = hdrEnd + len(v.data)
	case v.typ == BulkString || v.typ == BulkError || v.typ == VerbatimString:
		end = hdrEnd + len(v.data) + 2
	}
	return v, len(attrs) + end, false
}

// decodeHeader reads the header of a validated element at the start of b.
// Scalars come back complete; for a bulk string, data is its payload and
// hdrEnd the offset of the payload. For an aggregate, num is its header count
// (-1 when streamed) and data is left for the caller to set.
func decodeHeader(b []byte) (v Value, hdrEnd int) {
	v.typ = Type(b[0])
	i := bytes.IndexByte(b, '\r')
	line := b[1:i]
	hdrEnd = i + 2
	switch v.typ {
	case Integer:
		v.num, _ = parseInt(line)
		v.data = line
	case Boolean:
		if line[0] == 't' {
			v.num = 1
		}
		v.data = line
	case SimpleString, SimpleError, Double, BigNumber:
		v.data = line
	case Null:
	case BulkString, BulkError, VerbatimString:
		switch {
		case line[0] == '-':
			v.typ = Null
		case line[0] == '?':
			v.streamed = true
			v.data = b[hdrEnd : hdrEnd+streamedLen(b[hdrEnd:])]
		default:
			n, _ := parseLen(line)
			v.data = b[hdrEnd : hdrEnd+int(n)]
		}
	default: // aggregates
		switch line[0] {
		case '-':
			v.typ = Null
		case '?':
			v.num = -1
		default:
			v.num, _ = parseLen(line)
		}
	}
	return v, hdrEnd
}

// streamedLen returns the length of the validated chunks of a streamed
// string, up to and including the empty chunk that ends them.
func streamedLen(b []byte) int {
	off := 0
	for {
		i := off + bytes.IndexByte(b[off:], '\r')
		n, _ := parseLen(b[off+1 : i])
		if n == 0 {
			return i + 2
		}
		off = i + 2 + int(n) + 2
	}
}

// skip returns the length of the validated element at the start of b (an
// attribute there counts as one element of its own) and, when that element is
// a streamed aggregate, the number of entries it holds.
//
// It walks iteratively, keeping one counter of the elements still owed to
// counted aggregates. Only streamed aggregates, whose length is unknown, need
// that counter saved while they are open; they nest rarely, so a small array
// on the stack holds the saved counters and a heap slice takes over past that.
func skip(b []byte) (end int, count int64) {
	var small [8]int64
	saved := small[:0]
	owed := int64(1)
	off := 0
	outerStreamed := false
	for owed > 0 || len(saved) > 0 {
		c := Type(b[off])
		if c == '.' {
			off += 3
			owed, saved = saved[len(saved)-1], saved[:len(saved)-1]
			continue
		}
		v, hdrEnd := decodeHeader(b[off:])
		if c == Attribute && off > 0 {
			// Not a value itself: its pairs come next, then the value it
			// annotates takes the slot.
			owed += v.num * 2
			off += hdrEnd
			continue
		}
		if outerStreamed && owed == 0 && len(saved) == 1 {
			count++ // a direct element of the outer streamed aggregate
		}
		if owed > 0 {
			owed--
		}
		switch {
		case v.typ.IsAggregate() && v.num < 0:
			outerStreamed = outerStreamed || off == 0
			saved = append(saved, owed)
			owed = 0
		case v.typ.IsAggregate():
			owed += v.num * c.elementsPer()
		case v.streamed:
			hdrEnd += len(v.data)
		case v.typ != Null && (c == BulkString || c == BulkError || c == VerbatimString):
			hdrEnd += len(v.data) + 2
		}
		off += hdrEnd
	}
	if outerStreamed {
		count /= Type(b[0]).elementsPer()
	}
	return off, count
}
