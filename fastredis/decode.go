package fastredis

import (
	"context"
	"sync"
	"unsafe"

	"github.com/fastredis/fastredis/resp"
)

// This file holds what the generated command methods (commands_*_gen.go)
// need beyond call.go: the small result types some replies decode into,
// their decoders, and the raw-reply path they run on.
//
// A decoder allocates only what it returns, and as little of it as it can:
// every string of a reply is copied into one backing array the returned
// strings share (strArena), and nested slices are cut from one backing
// slice each, so XRANGE of a thousand entries costs four allocations, not
// thousands.

// rawReply holds a reply re-encoded by modeRaw and parsed again, for the
// decoders that call.go's modes do not cover. It is pooled.
type rawReply struct {
	buf []byte
	rd  resp.Reader
	v   resp.Value
}

var rawReplyPool = sync.Pool{New: func() any { return &rawReply{buf: make([]byte, 0, 512)} }}

func (rr *rawReply) release() {
	rr.v = resp.Value{}
	if cap(rr.buf) > 64<<10 {
		return // let a buffer grown by a large reply go
	}
	rawReplyPool.Put(rr)
}

// execRaw runs the command in a and returns its reply, parsed. A null reply
// is Nil. The caller releases the result, after which its Value is invalid.
func (c *Client) execRaw(ctx context.Context, a *argBuf, command string) (*rawReply, error) {
	r := getResult(modeRaw, command)
	defer r.release()
	rr := rawReplyPool.Get().(*rawReply)
	r.dst = rr.buf[:0]
	err := c.exec(ctx, a, r)
	rr.buf = r.dst[:0]
	if err == nil {
		rr.v, _, err = rr.rd.Parse(r.dst)
	}
	if err == nil && rr.v.IsNull() {
		err = Nil
	}
	if err != nil {
		rr.release()
		return nil, err
	}
	return rr, nil
}

// execStatusNil runs a command whose reply is a status, or a null meaning
// it did nothing (SET with NX or XX): Nil.
func (c *Client) execStatusNil(ctx context.Context, a *argBuf, command string) error {
	rr, err := c.execRaw(ctx, a, command)
	if err != nil {
		return err
	}
	rr.release()
	return nil
}

// sortPattern appends a SORT BY or GET pattern. It names keys, so the key
// prefix applies (as in Do), except to GET's "#", the element itself. (A BY
// pattern without '*', such as "nosort", skips sorting prefixed or not.)
func (a *argBuf) sortPattern(p string) *argBuf {
	if p == "#" {
		return a.str(p)
	}
	return a.key(p)
}

// strArena copies the strings of a reply into one allocation, which the
// returned strings share. Strings already taken stay valid if it grows.
type strArena struct{ b []byte }

func newArena(v resp.Value) strArena { return strArena{b: make([]byte, 0, payload(v))} }

// payload sums the lengths of the strings in v.
func payload(v resp.Value) int {
	switch v.Type() {
	case resp.BulkString, resp.SimpleString, resp.VerbatimString:
		return len(v.Bytes())
	}
	if !v.Type().IsAggregate() {
		return 0
	}
	n := 0
	it := v.Iter()
	for it.Next() {
		n += payload(it.Value())
	}
	return n
}

func (s *strArena) str(v resp.Value) string {
	start := len(s.b)
	s.b = v.AppendBytes(s.b)
	if len(s.b) == start {
		return ""
	}
	return unsafe.String(&s.b[start], len(s.b)-start) // never written again
}

func unexpected(v resp.Value, want string) error {
	return &resp.TypeError{Want: want, Got: v.Type()}
}

func isArray(v resp.Value) bool { return v.Type().IsAggregate() }

// pairs returns the number of key-value pairs in a map or a flat array.
func pairs(v resp.Value) int {
	if v.Type() == resp.Map {
		return v.Len()
	}
	return v.Len() / 2
}

// elems returns the elements of an aggregate reply of exactly n elements.
func elems(v resp.Value, out []resp.Value) error {
	if !isArray(v) || v.Len() != len(out) {
		return unexpected(v, "array of "+string(rune('0'+len(out)))+" elements")
	}
	it := v.Iter()
	for i := range out {
		it.Next()
		out[i] = it.Value()
	}
	return nil
}

// decodeBools reads an array of 1/0 outcomes (SMISMEMBER, SCRIPT EXISTS).
func decodeBools(v resp.Value) ([]bool, error) { return decodeArray(v, resp.Value.Bool) }

func decodeInts(v resp.Value) ([]int64, error) { return decodeArray(v, resp.Value.Int) }

// decodeArray reads an array whose every element one reads.
func decodeArray[T any](v resp.Value, read func(resp.Value) (T, error)) ([]T, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]T, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		x, err := read(it.Value())
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func decodeNullInts(v resp.Value) ([]NullInt64, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]NullInt64, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		if it.Value().IsNull() {
			out = append(out, NullInt64{})
			continue
		}
		n, err := it.Value().Int()
		if err != nil {
			return nil, err
		}
		out = append(out, NullInt64{Value: n, Valid: true})
	}
	return out, nil
}

func decodeNullFloats(v resp.Value) ([]NullFloat, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]NullFloat, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		if it.Value().IsNull() {
			out = append(out, NullFloat{})
			continue
		}
		f, err := it.Value().Float()
		if err != nil {
			return nil, err
		}
		out = append(out, NullFloat{Value: f, Valid: true})
	}
	return out, nil
}

func decodeZMembers(v resp.Value) ([]ZMember, error) {
	ar := newArena(v)
	return zmembers(v, &ar)
}

// zmembers reads members and scores: pairs ([[m, s], ...], RESP3), a flat
// list ([m, s, ...], RESP2, and RESP3 for one member) or a map.
func zmembers(v resp.Value, ar *strArena) ([]ZMember, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	it := v.Iter()
	nested := it.Next() && isArray(it.Value())
	n := v.Len()
	if !nested {
		n = pairs(v)
	}
	out := make([]ZMember, 0, n)
	it = v.Iter()
	for it.Next() {
		m, s := it.Value(), resp.Value{}
		if nested {
			var pair [2]resp.Value
			if err := elems(m, pair[:]); err != nil {
				return nil, err
			}
			m, s = pair[0], pair[1]
		} else {
			if !it.Next() {
				return nil, unexpected(v, "member-score pairs")
			}
			s = it.Value()
		}
		score, err := s.Float()
		if err != nil {
			return nil, err
		}
		out = append(out, ZMember{Member: ar.str(m), Score: score})
	}
	return out, nil
}

// decodeFieldValues reads field-value pairs, nested or flat, or a map.
func decodeFieldValues(v resp.Value) ([]FieldValue, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	ar := newArena(v)
	it := v.Iter()
	nested := it.Next() && isArray(it.Value())
	n := v.Len()
	if !nested {
		n = pairs(v)
	}
	out := make([]FieldValue, 0, n)
	it = v.Iter()
	for it.Next() {
		f, val := it.Value(), resp.Value{}
		if nested {
			var pair [2]resp.Value
			if err := elems(f, pair[:]); err != nil {
				return nil, err
			}
			f, val = pair[0], pair[1]
		} else {
			if !it.Next() {
				return nil, unexpected(v, "field-value pairs")
			}
			val = it.Value()
		}
		out = append(out, FieldValue{Field: ar.str(f), Value: ar.str(val)})
	}
	return out, nil
}

// decodeScan reads [cursor, [elements...]].
func decodeScan(v resp.Value) (ScanResult, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return ScanResult{}, err
	}
	cursor, err := e[0].Int()
	if err != nil {
		return ScanResult{}, err
	}
	if !isArray(e[1]) {
		return ScanResult{}, unexpected(e[1], "array")
	}
	ar := newArena(e[1])
	out := ScanResult{Cursor: cursor, Elements: make([]string, 0, e[1].Len())}
	it := e[1].Iter()
	for it.Next() {
		out.Elements = append(out.Elements, ar.str(it.Value()))
	}
	return out, nil
}
