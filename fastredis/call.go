package fastredis

import (
	"context"
	"sync"
	"unsafe"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// The typed command methods share one path: arguments are encoded into a
// pooled argBuf, the reply is decoded by a pooled result in the mode the
// method asks for, and both go back to their pools. Nothing on the way
// allocates; a method allocates only the value it returns (a string, a
// slice, a map) when it returns one.

// argBuf holds a command's encoded arguments (bulk strings, no array
// header) and their count. A large argument (largeArg bytes or more) is
// not copied in: b holds its bulk header and trailer, refs the value, and
// appendTo splices it in when the command is written to the connection, so
// a 1 MiB value is copied once, not twice.
type argBuf struct {
	b        []byte
	n        int
	prefix   string
	blocking bool     // a blocking command: it runs on a dedicated connection
	refs     []argRef // large arguments, in order
	name     string   // the command's name, for argument errors
	err      error    // the first argument that could not be encoded; the command is not sent

	hdr  [16]byte // the array header, for buffers
	bufs [][]byte // buffers' list, reused
}

// argRef is a large argument whose payload belongs at b[at:] (between its
// header and its trailer).
type argRef struct {
	at int
	s  string
	p  []byte
}

// largeArg is the size from which an argument is kept by reference.
const largeArg = 8 << 10

// appendTo appends the encoded arguments to dst.
func (a *argBuf) appendTo(dst []byte) []byte {
	prev := 0
	for _, r := range a.refs {
		dst = append(dst, a.b[prev:r.at]...)
		dst = append(dst, r.s...)
		dst = append(dst, r.p...)
		prev = r.at
	}
	return append(dst, a.b[prev:]...)
}

// vectorArgs is the size of a command with large arguments from which it is
// written from the caller's memory (netpoll's DoBuffers, writev) rather
// than copied into the connection's batch: past it, the copy costs more
// than sharing a write(2) with other callers saves.
const vectorArgs = 64 << 10

// vectored reports whether the command is written from its buffers.
func (a *argBuf) vectored() bool {
	return len(a.refs) > 0 && a.size() >= vectorArgs
}

// buffers returns the whole command (array header, arguments) as buffers
// that point into a and into the large values it references. They are
// valid until a is reset.
func (a *argBuf) buffers() [][]byte {
	bufs := append(a.bufs[:0], resp.AppendArrayHeader(a.hdr[:0], a.n))
	prev := 0
	for _, r := range a.refs {
		bufs = append(bufs, a.b[prev:r.at])
		if r.p != nil {
			bufs = append(bufs, r.p)
		} else {
			bufs = append(bufs, unsafe.Slice(unsafe.StringData(r.s), len(r.s))) // only read
		}
		prev = r.at
	}
	a.bufs = append(bufs, a.b[prev:])
	return a.bufs
}

// size returns the encoded size of the arguments.
func (a *argBuf) size() int {
	n := len(a.b)
	for _, r := range a.refs {
		n += len(r.s) + len(r.p)
	}
	return n
}

// reset empties the buffer for a new command.
func (a *argBuf) reset(prefix string) {
	clear(a.refs) // drop the references to the last command's values
	clear(a.bufs)
	a.bufs = a.bufs[:0]
	a.b, a.n, a.prefix, a.blocking, a.refs = a.b[:0], 0, prefix, false, a.refs[:0]
	a.name, a.err = "", nil
}

var argBufPool = sync.Pool{New: func() any { return &argBuf{b: make([]byte, 0, 256)} }}

// newArgs starts a command. Its arguments follow; keys through key, which
// applies the client's key prefix.
func (c *Client) newArgs(name string) *argBuf {
	a := argBufPool.Get().(*argBuf)
	a.reset(c.opts.KeyPrefix)
	a.name = name
	return a.str(name)
}

func (a *argBuf) release() {
	a.reset("")
	if cap(a.b) > 64<<10 {
		return // let a buffer grown by many arguments go
	}
	argBufPool.Put(a)
}

func (a *argBuf) str(s string) *argBuf {
	if len(s) >= largeArg {
		a.b = resp.AppendBulkHeader(a.b, len(s))
		a.refs = append(a.refs, argRef{at: len(a.b), s: s})
		a.b = append(a.b, '\r', '\n')
	} else {
		a.b = resp.AppendBulkString(a.b, s)
	}
	a.n++
	return a
}

func (a *argBuf) bytes(p []byte) *argBuf {
	if len(p) >= largeArg {
		a.b = resp.AppendBulkHeader(a.b, len(p))
		a.refs = append(a.refs, argRef{at: len(a.b), p: p})
		a.b = append(a.b, '\r', '\n')
	} else {
		a.b = resp.AppendBulk(a.b, p)
	}
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

// exec sends the command in a and decodes its reply into r, through the
// process hooks if there are any. It releases a.
func (c *Client) exec(ctx context.Context, a *argBuf, r *result) error {
	defer a.release()
	if a.err != nil {
		return a.err // an argument could not be encoded: nothing is sent
	}
	if r.command == "CLIENT TRACKING" {
		if c.pin == nil {
			return connStateError(r.command)
		}
		c.pin.dirty.Store(true)
	}
	if ch := c.hooks.chain.Load(); ch != nil {
		ci := c.getInfo(r.command)
		ci.args, ci.res = a, r
		err := ch.process(ctx, ci)
		ci.release()
		return err
	}
	return c.execArgs(ctx, a, r, r, nil)
}

// execArgs sends the command in a; its replies go to h, which is r or
// passes them on to r. info, when not nil, is the command's CommandInfo,
// told which node answered on a routed view.
func (c *Client) execArgs(ctx context.Context, a *argBuf, r *result, h netpoll.Handler, info *CommandInfo) error {
	if c.router != nil {
		return c.routeArgs(ctx, a, r, h, info)
	}
	encode := func(b []byte) []byte {
		b = resp.AppendArrayHeader(b, a.n)
		return a.appendTo(b)
	}
	if a.blocking && c.pin == nil {
		if err := c.doBlocking(ctx, h, encode); err != nil {
			return err
		}
		return r.err
	}
	var trip *tripInfo
	if a.vectored() {
		trip = &tripInfo{args: a}
	}
	if err := c.roundTrip(ctx, c.readDeadline(ctx), h, 1, a.size()+16, encode, nil, trip); err != nil {
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
