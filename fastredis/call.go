package fastredis

import (
	"context"
	"sync"
	"unsafe"

	"github.com/fastredis/fastredis/resp"
)

// The typed command methods share one path: arguments are encoded into a
// pooled argBuf, the reply is decoded by a pooled result in the mode the
// method asks for, and both go back to their pools. Nothing on the way
// allocates; a method allocates only the value it returns (a string, a
// slice, a map) when it returns one.

// argBuf holds a command's encoded arguments (bulk strings, no array
// header) and their count.
type argBuf struct {
	b        []byte
	n        int
	prefix   string
	blocking bool // a blocking command: it runs on a dedicated connection
}

var argBufPool = sync.Pool{New: func() any { return &argBuf{b: make([]byte, 0, 256)} }}

// newArgs starts a command. Its arguments follow; keys through key, which
// applies the client's key prefix.
func (c *Client) newArgs(name string) *argBuf {
	a := argBufPool.Get().(*argBuf)
	a.b, a.n, a.prefix, a.blocking = a.b[:0], 0, c.opts.KeyPrefix, false
	return a.str(name)
}

func (a *argBuf) release() {
	if cap(a.b) > 64<<10 {
		return // let a buffer grown by a large value go
	}
	argBufPool.Put(a)
}

func (a *argBuf) str(s string) *argBuf {
	a.b = resp.AppendBulkString(a.b, s)
	a.n++
	return a
}

func (a *argBuf) bytes(p []byte) *argBuf {
	a.b = resp.AppendBulk(a.b, p)
	a.n++
	return a
}

func (a *argBuf) int(v int64) *argBuf {
	a.b = resp.AppendBulkInt(a.b, v)
	a.n++
	return a
}

func (a *argBuf) float(v float64) *argBuf {
	a.b = resp.AppendBulkFloat(a.b, v)
	a.n++
	return a
}

// key appends a key, with the client's prefix.
func (a *argBuf) key(k string) *argBuf {
	a.b = appendPrefixedBulk(a.b, a.prefix, k)
	a.n++
	return a
}

// appendPrefixedBulk appends prefix+key as one bulk string without joining
// them first.
func appendPrefixedBulk[T string | []byte](dst []byte, prefix string, key T) []byte {
	dst = append(dst, '$')
	dst = appendDecimal(dst, len(prefix)+len(key))
	dst = append(dst, '\r', '\n')
	dst = append(dst, prefix...)
	dst = append(dst, key...)
	return append(dst, '\r', '\n')
}

func appendDecimal(b []byte, n int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// resultMode says what a result extracts from a reply.
type resultMode uint8

const (
	modeStatus      resultMode = iota // an OK; nothing to keep
	modeInt                           // an integer (a null is Nil)
	modeFloat                         // a double or a number in a string
	modeBool                          // a boolean, or an integer 1/0
	modeString                        // a string, copied (a null is Nil)
	modeAppend                        // a string appended to dst (a null is Nil)
	modeStrings                       // an array of strings (nulls become "")
	modeReply                         // the whole reply as a Reply
	modeRaw                           // the reply re-encoded into dst (Cmd)
	modeStringMap                     // a map, or a flat RESP2 array of pairs
	modeNullStrings                   // an array of strings or nulls
)

// result receives one reply for a typed method.
type result struct {
	mode    resultMode
	command string
	err     error // an *Error from the server, or Nil
	i       int64
	f       float64
	b       bool
	s       string
	dst     []byte
	strs    []string
	nstrs   []NullString
	m       map[string]string
	reply   Reply
}

var resultPool = sync.Pool{New: func() any { return new(result) }}

func getResult(mode resultMode, command string) *result {
	r := resultPool.Get().(*result)
	*r = result{mode: mode, command: command}
	return r
}

func (r *result) release() {
	*r = result{}
	resultPool.Put(r)
}

// Reply decodes the reply; it runs on the connection's reading side.
func (r *result) Reply(_ int, v resp.Value) {
	if v.IsError() {
		r.err = newError(v, r.command)
		return
	}
	if v.IsNull() && r.mode != modeReply && r.mode != modeRaw && r.mode != modeStatus {
		r.err = Nil
		return
	}
	var err error
	switch r.mode {
	case modeStatus:
	case modeInt:
		r.i, err = v.Int()
	case modeFloat:
		r.f, err = v.Float()
	case modeBool:
		r.b, err = v.Bool()
	case modeString:
		r.s = v.String()
	case modeAppend:
		r.dst = v.AppendBytes(r.dst)
	case modeStrings:
		r.strs = make([]string, 0, v.Len())
		it := v.Iter()
		for it.Next() {
			r.strs = append(r.strs, it.Value().String())
		}
	case modeNullStrings:
		r.nstrs = decodeNullStrings(v)
	case modeStringMap:
		r.m = make(map[string]string, v.Len())
		it := v.Iter()
		for it.Next() {
			k := it.Value().String()
			if !it.Next() {
				break
			}
			r.m[k] = it.Value().String()
		}
	case modeReply:
		r.reply = newReply(v)
	case modeRaw:
		r.dst = resp.AppendValue(r.dst, v)
	}
	if err != nil {
		r.err = err
	}
}

// exec sends the command in a and decodes its reply into r. It releases a.
func (c *Client) exec(ctx context.Context, a *argBuf, r *result) error {
	defer a.release()
	n, body := a.n, a.b
	encode := func(b []byte) []byte {
		b = resp.AppendArrayHeader(b, n)
		return append(b, body...)
	}
	if a.blocking && c.pin == nil {
		if err := c.doBlocking(ctx, r, encode); err != nil {
			return err
		}
		return r.err
	}
	if err := c.run1(ctx, r, len(body)+16, encode); err != nil {
		return err
	}
	return r.err
}

// decodeNullStrings copies an array of strings and nulls with two
// allocations: the slice, and one string that holds every value back to
// back, which the elements share.
func decodeNullStrings(v resp.Value) []NullString {
	out := make([]NullString, v.Len())
	total := 0
	it := v.Iter()
	for it.Next() {
		total += len(it.Value().Bytes())
	}
	all := make([]byte, 0, total)
	it = v.Iter()
	for it.Next() {
		all = it.Value().AppendBytes(all)
	}
	backing := unsafe.String(unsafe.SliceData(all), len(all)) // all is never written again
	off := 0
	it = v.Iter()
	for i := 0; it.Next(); i++ {
		e := it.Value()
		n := len(e.Bytes())
		out[i] = NullString{Value: backing[off : off+n], Valid: !e.IsNull()}
		off += n
	}
	return out
}
