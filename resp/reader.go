package resp

import "bytes"

// Default limits of a Reader whose fields are left zero.
const (
	// DefaultMaxBulkLen matches the server's default proto-max-bulk-len.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxAggregateLen bounds the element count of one aggregate.
	DefaultMaxAggregateLen = 1 << 26
	// DefaultMaxDepth bounds nesting; real replies nest a handful of levels.
	DefaultMaxDepth = 512
)

// maxHeaderLine is the longest header line (type byte, sign, 19 digits) that
// can be valid. A longer one is rejected without waiting for more input.
const maxHeaderLine = 24

// A Reader parses RESP values from byte slices. Its zero value is ready to use
// with the default limits. A Reader is not safe for concurrent use; a
// connection owns one.
//
// Parse is resumable: when it returns ErrIncomplete it keeps its position, and
// the next call must pass the same bytes again, extended by what has arrived
// since (the buffer may have moved, its contents must not have changed). Call
// Reset to parse unrelated input instead.
type Reader struct {
	// MaxBulkLen is the longest bulk, verbatim or streamed string, and the
	// longest simple string, error or number line, accepted. Zero means
	// DefaultMaxBulkLen.
	MaxBulkLen int64
	// MaxAggregateLen is the most elements (pairs, for maps and attributes)
	// one aggregate may have. Zero means DefaultMaxAggregateLen.
	MaxAggregateLen int64
	// MaxDepth is the deepest nesting of aggregates accepted. Zero means
	// DefaultMaxDepth.
	MaxDepth int

	// Resume state of a value in progress.
	off       int     // where the next element starts
	need      int     // input length needed before another call can progress
	stack     []level // open aggregates, innermost last
	afterAttr bool    // the last complete element was an attribute
	attrEnd   int     // end of an attribute that prefixes the top-level value
	topCount  int64   // element count of a top-level streamed aggregate
	// lossy: the value in progress holds something AppendValue writes
	// differently from how it came (a RESP2 null, a streamed string or
	// aggregate, a length with a leading zero), so its bytes cannot be
	// copied as they stand (Value.exact).
	lossy bool
}

// level is an aggregate that has been opened but not finished.
type level struct {
	left  int64 // elements still expected; -1 while streamed (unknown count)
	count int64 // elements seen so far
	kind  Type
}

// Need returns the input length that the value in progress needs at least
// before Parse can make progress; 0 when no value is in progress. A caller can
// skip calling Parse until that many bytes are buffered.
func (r *Reader) Need() int { return r.need }

// Reset drops any value in progress.
func (r *Reader) Reset() {
	r.off, r.need, r.attrEnd, r.topCount = 0, 0, 0, 0
	r.afterAttr, r.lossy = false, false
	r.stack = r.stack[:0]
}

// hardLimit caps the configurable lengths so that offset arithmetic on them
// can never overflow an int.
const hardLimit = 1 << 40

func (r *Reader) maxBulkLen() int64 {
	if r.MaxBulkLen > 0 {
		return min(r.MaxBulkLen, hardLimit)
	}
	return DefaultMaxBulkLen
}

func (r *Reader) maxAggregateLen() int64 {
	if r.MaxAggregateLen > 0 {
		return min(r.MaxAggregateLen, hardLimit)
	}
	return DefaultMaxAggregateLen
}

func (r *Reader) maxDepth() int {
	if r.MaxDepth > 0 {
		return r.MaxDepth
	}
	return DefaultMaxDepth
}

// Parse parses the first value in buf. It returns the value, a view into buf,
// and the number of bytes the value takes, so the next value starts at
// buf[n:]. An attribute (RESP3 |) before the value is attached to it, not
// returned on its own.
//
// When buf ends inside the value, Parse returns ErrIncomplete and remembers
// its progress (see Reader). When buf is not valid RESP or exceeds a limit, it
// returns a *ProtocolError; the reader is then reset, and the stream it came
// from cannot be trusted any more.
func (r *Reader) Parse(buf []byte) (v Value, n int, err error) {
	if len(buf) < r.need {
		return Value{}, 0, ErrIncomplete
	}
	if r.off == 0 && len(buf) > 0 {
		// Most replies are one complete simple string, error, integer or
		// bulk string; read those in one pass. (At offset 0 nothing of a
		// value is in progress but, perhaps, the need for more bytes.)
		if n := r.simple(buf, &v); n > 0 {
			r.need = 0
			return v, n, nil
		}
	}
	n, err = r.scan(buf)
	if err != nil {
		if err != ErrIncomplete {
			r.Reset()
		}
		return Value{}, 0, err
	}
	v = valueAt(buf[:n], r.attrEnd, r.topCount)
	v.exact = v.typ.IsAggregate() && !r.lossy
	r.Reset()
	return v, n, nil
}

// simple parses a complete, valid top-level simple string, simple error,
// integer, bulk string or null (RESP3 _, RESP2 $-1 and *-1) at the start
// of buf into v and returns its length.
// For anything else (other types, a streamed bulk, incomplete or invalid
// input) it returns 0, and the general scanner takes over, so errors
// and resumption behave exactly as they do there.
func (r *Reader) simple(buf []byte, v *Value) int {
	switch c := Type(buf[0]); c {
	case Null:
		if len(buf) >= 3 && buf[1] == '\r' && buf[2] == '\n' {
			*v = Value{typ: Null}
			return 3
		}
		return 0
	case Array:
		if len(buf) >= 5 && string(buf[1:5]) == "-1\r\n" { // a RESP2 null array
			*v = Value{typ: Null}
			return 5
		}
		return 0
	case SimpleString, SimpleError:
		window := buf[1:]
		if int64(len(window)) > r.maxBulkLen() {
			return 0
		}
		i := bytes.IndexByte(window, '\r')
		if i < 0 || i+2 > len(window) || window[i+1] != '\n' || bytes.IndexByte(window[:i], '\n') >= 0 {
			return 0
		}
		*v = Value{typ: c, data: window[:i]}
		return i + 3
	case Integer, BulkString:
		if c == BulkString && len(buf) >= 5 && string(buf[1:5]) == "-1\r\n" { // a RESP2 null (a missing key)
			*v = Value{typ: Null}
			return 5
		}
		// The header's digits, read and converted in one pass.
		var u uint64
		neg := false
		i := 1
		if c == Integer && i < len(buf) && (buf[i] == '-' || buf[i] == '+') {
			neg = buf[i] == '-'
			i++
		}
		digits := i
		for ; i < len(buf) && i <= maxHeaderLine && buf[i]-'0' <= 9; i++ {
			if u > (1<<63-10)/10 {
				return 0 // near overflow: let the general path decide
			}
			u = u*10 + uint64(buf[i]-'0')
		}
		if i == digits || i+1 >= len(buf) || buf[i] != '\r' || buf[i+1] != '\n' {
			return 0
		}
		hdrEnd := i + 2
		if c == Integer {
			n := int64(u)
			if neg {
				n = -n
			}
			*v = Value{typ: Integer, data: buf[1:i], num: n}
			return hdrEnd
		}
		if int64(u) > r.maxBulkLen() {
			return 0
		}
		end := hdrEnd + int(u) + 2
		if end > len(buf) || buf[end-2] != '\r' || buf[end-1] != '\n' {
			return 0
		}
		*v = Value{typ: BulkString, data: buf[hdrEnd : end-2]}
		return end
	}
	return 0
}

// scan validates elements from r.off until the top-level value is complete.
// It returns the value's length, ErrIncomplete (with r.off and r.need set) or
// a protocol error. It never recurses: open aggregates live on r.stack.
func (r *Reader) scan(buf []byte) (int, error) {
	off := r.off
	for {
		if off >= len(buf) {
			return r.incomplete(off, off+1)
		}
		start := off
		c := Type(buf[off])
		if r.afterAttr && (c == Attribute || c == '.') {
			return 0, syntaxError(off, "an attribute must be followed by a value")
		}
		r.afterAttr = false
		var err error
		switch c {
		case SimpleString, SimpleError, Double, BigNumber:
			var end int
			end, off, err = r.line(buf, off+1, r.maxBulkLen(), ErrTooLong)
			if err == nil {
				if c == Double && !validDouble(buf[start+1:end]) {
					err = syntaxError(start, "malformed double")
				} else if c == BigNumber && !validBigNumber(buf[start+1:end]) {
					err = syntaxError(start, "malformed big number")
				}
			}
		case Integer:
			var end int
			end, off, err = r.line(buf, off+1, maxHeaderLine, ErrSyntax)
			if err == nil {
				if _, ok := parseInt(buf[start+1 : end]); !ok {
					err = syntaxError(start, "malformed integer")
				}
			}
		case Null:
			off, err = fixed(buf, off, "_\r\n", "malformed null")
		case Boolean:
			want := "#t\r\n"
			if len(buf) > off+1 && buf[off+1] == 'f' {
				want = "#f\r\n"
			}
			off, err = fixed(buf, off, want, "malformed boolean")
		case BulkString, BulkError, VerbatimString:
			off, err = r.bulk(buf, off, c)
		case Array, Set, Push, Map, Attribute:
			var pushed bool
			off, pushed, err = r.open(buf, off, c)
			if err == nil && pushed {
				continue // its elements come next
			}
		case '.':
			off, err = r.closeStreamed(buf, off)
		default:
			err = syntaxError(off, "unknown type byte")
		}
		if err != nil {
			if err == ErrIncomplete {
				// off holds the input length the element needs.
				return r.incomplete(start, off)
			}
			return 0, err
		}
		done, err := r.finish(off, c == Attribute)
		if err != nil || done {
			return off, err
		}
	}
}

// incomplete records where to resume and how much input that needs.
func (r *Reader) incomplete(resumeAt, need int) (int, error) {
	r.off, r.need = resumeAt, need
	return 0, ErrIncomplete
}

// finish records that a complete element ended at off and closes every
// aggregate it completes. An attribute is not a value of its parent: the value
// after it is. done reports that the top-level value is complete.
func (r *Reader) finish(off int, attribute bool) (done bool, err error) {
	for {
		if attribute {
			r.afterAttr = true
			if len(r.stack) == 0 {
				r.attrEnd = off
			}
			return false, nil
		}
		if len(r.stack) == 0 {
			return true, nil
		}
		top := &r.stack[len(r.stack)-1]
		top.count++
		if top.left < 0 {
			if top.count > r.maxAggregateLen()*top.kind.elementsPer() {
				return false, &ProtocolError{Kind: ErrTooManyElements, Offset: off, Reason: "streamed aggregate has too many elements"}
			}
			return false, nil
		}
		if top.left--; top.left > 0 {
			return false, nil
		}
		attribute = top.kind == Attribute
		r.stack = r.stack[:len(r.stack)-1]
	}
}

// line finds the CRLF that ends the line whose content starts at from. It
// returns the index of the CR and of the byte after the LF. When the input
// ends first it returns ErrIncomplete and, as next, the length it needs; a
// line longer than max is a protocol error of kind tooLong, and a CR or LF
// inside the line is a syntax error.
func (r *Reader) line(buf []byte, from int, max int64, tooLong error) (end, next int, err error) {
	window := buf[from:]
	if int64(len(window)) > max+1 {
		window = window[:max+1]
	}
	i := bytes.IndexByte(window, '\r')
	if i < 0 {
		if int64(len(window)) > max {
			return 0, 0, &ProtocolError{Kind: tooLong, Offset: from, Reason: "line too long"}
		}
		return 0, len(buf) + 1, ErrIncomplete
	}
	end = from + i
	if end+1 >= len(buf) {
		return 0, end + 2, ErrIncomplete
	}
	if buf[end+1] != '\n' {
		return 0, 0, syntaxError(end, "CR not followed by LF")
	}
	if bytes.IndexByte(window[:i], '\n') >= 0 {
		return 0, 0, syntaxError(from, "LF inside a line")
	}
	return end, end + 2, nil
}

// fixed matches a value that has exactly one spelling (null, booleans, end
// markers). On a mismatch it returns a syntax error with reason.
func fixed(buf []byte, off int, want, reason string) (int, error) {
	n := off + len(want)
	if len(buf) < n {
		// A mismatch already visible is an error even before the rest
		// arrives; and since the next byte may be one, that is all Need asks
		// for, so the error comes at the same point however input is split.
		if string(buf[off:]) != want[:len(buf)-off] {
			return 0, syntaxError(off, reason)
		}
		return len(buf) + 1, ErrIncomplete
	}
	if string(buf[off:n]) != want {
		return 0, syntaxError(off, reason)
	}
	return n, nil
}

// bulk validates a bulk string, bulk error or verbatim string (and a RESP2
// null bulk, or a RESP3 streamed string) starting at off. It returns the
// offset after it, or with ErrIncomplete the input length it needs.
func (r *Reader) bulk(buf []byte, off int, c Type) (int, error) {
	end, next, err := r.line(buf, off+1, maxHeaderLine, ErrSyntax)
	if err != nil {
		return next, err
	}
	hdr := buf[off+1 : end]
	if len(hdr) == 1 && hdr[0] == '?' && c == BulkString {
		r.lossy = true
		return r.streamedString(buf, next)
	}
	n, ok := parseLen(hdr)
	if n < 0 || (len(hdr) > 1 && hdr[0] == '0') {
		r.lossy = true
	}
	switch {
	case !ok:
		return 0, syntaxError(off, "malformed length")
	case n == -1:
		if c != BulkString {
			return 0, syntaxError(off, "only a bulk string can be null")
		}
		return next, nil
	case n > r.maxBulkLen():
		return 0, &ProtocolError{Kind: ErrTooLong, Offset: off, Reason: "bulk length over the limit"}
	case c == VerbatimString && n < 4:
		return 0, syntaxError(off, "verbatim string shorter than its format prefix")
	}
	// A bad verbatim prefix is rejected as soon as it is visible, so the
	// error is the same however the input is split.
	if c == VerbatimString && len(buf) > next+3 && buf[next+3] != ':' {
		return 0, syntaxError(next, "verbatim string without format prefix")
	}
	need := next + int(n) + 2
	if len(buf) < need {
		if c == VerbatimString && len(buf) <= next+3 {
			return next + 4, ErrIncomplete // the prefix check comes first
		}
		return need, ErrIncomplete
	}
	if buf[need-2] != '\r' || buf[need-1] != '\n' {
		return 0, syntaxError(need-2, "bulk string not followed by CRLF")
	}
	return need, nil
}

// streamedString validates the chunks of a RESP3 streamed string ($?), from
// the first chunk header at off to the empty chunk that ends it.
func (r *Reader) streamedString(buf []byte, off int) (int, error) {
	var total int64
	for {
		if off >= len(buf) {
			return off + 1, ErrIncomplete
		}
		if buf[off] != ';' {
			return 0, syntaxError(off, "streamed string chunk without ';'")
		}
		end, next, err := r.line(buf, off+1, maxHeaderLine, ErrSyntax)
		if err != nil {
			return next, err
		}
		n, ok := parseLen(buf[off+1 : end])
		if !ok || n < 0 {
			return 0, syntaxError(off, "malformed chunk length")
		}
		if n == 0 {
			return next, nil
		}
		if total += n; total > r.maxBulkLen() {
			return 0, &ProtocolError{Kind: ErrTooLong, Offset: off, Reason: "streamed string over the limit"}
		}
		need := next + int(n) + 2
		if len(buf) < need {
			return need, ErrIncomplete
		}
		if buf[need-2] != '\r' || buf[need-1] != '\n' {
			return 0, syntaxError(need-2, "chunk not followed by CRLF")
		}
		off = need
	}
}

// open validates an aggregate header at off and, for a non-empty aggregate,
// pushes a level for its elements. An empty aggregate or a RESP2 null array
// is a complete value: pushed is false.
func (r *Reader) open(buf []byte, off int, c Type) (next int, pushed bool, err error) {
	end, next, err := r.line(buf, off+1, maxHeaderLine, ErrSyntax)
	if err != nil {
		return next, false, err
	}
	hdr := buf[off+1 : end]
	left := int64(-1)
	if len(hdr) == 1 && hdr[0] == '?' || len(hdr) > 1 && (hdr[0] == '0' || hdr[0] == '-') {
		r.lossy = true // streamed, null, or a leading zero
	}
	if len(hdr) == 1 && hdr[0] == '?' {
		if c != Array && c != Set && c != Map {
			return 0, false, syntaxError(off, "only arrays, sets and maps can be streamed")
		}
	} else {
		n, ok := parseLen(hdr)
		switch {
		case !ok:
			return 0, false, syntaxError(off, "malformed length")
		case n == -1:
			if c != Array {
				return 0, false, syntaxError(off, "only an array can be null")
			}
			return next, false, nil
		case n > r.maxAggregateLen():
			return 0, false, &ProtocolError{Kind: ErrTooManyElements, Offset: off, Reason: "aggregate length over the limit"}
		case n == 0:
			return next, false, nil
		}
		left = n * c.elementsPer()
	}
	if len(r.stack) >= r.maxDepth() {
		return 0, false, &ProtocolError{Kind: ErrTooDeep, Offset: off, Reason: "aggregates nested too deep"}
	}
	r.stack = append(r.stack, level{left: left, kind: c})
	return next, true, nil
}

// closeStreamed validates the end marker (.) of a streamed aggregate and pops
// its level.
func (r *Reader) closeStreamed(buf []byte, off int) (int, error) {
	// Where no end marker can be valid, '.' alone is enough to say so.
	top := len(r.stack) - 1
	if top < 0 || r.stack[top].left != -1 {
		return 0, syntaxError(off, "end marker outside a streamed aggregate")
	}
	if r.stack[top].kind == Map && r.stack[top].count%2 != 0 {
		return 0, syntaxError(off, "streamed map ended after a key")
	}
	next, err := fixed(buf, off, ".\r\n", "malformed end marker")
	if err != nil {
		return next, err
	}
	if top == 0 {
		r.topCount = r.stack[0].count / r.stack[0].kind.elementsPer()
	}
	r.stack = r.stack[:top]
	return next, nil
}
