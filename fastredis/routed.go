package fastredis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/fastredis/fastredis/internal/route"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// A routed client is a Client view whose commands go to a route.Router
// rather than to a connection: the cluster client is one, with every typed
// method, Do and Exec, and no second copy of them. The three ways a command
// starts (a typed method's argBuf, Do's encoded bytes, a Cmd) meet in
// routedCmd, which the router reads (Argv), runs on the node it picks (Run)
// or answers with a reply it composed (Deliver). Nothing on the way
// allocates: routedCmd is pooled, and the encode closure that Run hands the
// node's connection lives on Run's stack.

func init() {
	route.NewClient = newRoutedClient
	route.Call = callNode
	route.CallMany = callNodeMany
	route.NewNode = newNodeClient
	route.ShareHooks = shareHooks
	route.EmitEvent = emitHookEvent
	route.NewHooks = newHooks
}

// shareHooks returns opts (a fastredis.Options) carrying the hooks of
// from (a *Client, or Options that carry hooks: see newHooks), so that the
// client made from them shares them: hooks added to either later reach
// both.
func shareHooks(from any, opts any) any {
	o, ok := opts.(Options)
	if !ok {
		return opts
	}
	if r := hooksOf(from); r != nil {
		o.hooks = r
	}
	return o
}

// newHooks returns opts (a fastredis.Options) carrying a hook registry made
// from its Hooks, for a client kind that makes several clients and needs
// them to share one before the first exists (sentinel).
func newHooks(opts any) any {
	o, ok := opts.(Options)
	if !ok {
		return opts
	}
	o.hooks = o.hooksRegistry()
	return o
}

// hooksOf returns the hook registry of x: a *Client, or Options carrying
// one.
func hooksOf(x any) *hookRegistry {
	switch v := x.(type) {
	case *Client:
		if v != nil {
			return v.hooks
		}
	case Options:
		return v.hooks
	}
	return nil
}

// emitHookEvent hands ev (a HookEvent) to the event hooks of c (a *Client,
// or Options carrying hooks): how the cluster and sentinel packages report
// their events.
func emitHookEvent(c any, ev any) {
	e, ok := ev.(HookEvent)
	if r := hooksOf(c); ok && r != nil {
		r.emit(e)
	}
}

// newNodeClient makes the client of one cluster node: a plain Client, whose
// connections send READONLY when it serves reads on a replica.
func newNodeClient(template any, readOnly bool) (any, error) {
	opts, ok := template.(Options)
	if !ok {
		return nil, errors.New("fastredis: node client: template is not an Options")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := newClient(opts)
	c.readOnly = readOnly
	if opts.LazyConnect {
		return c, nil
	}
	if err := c.connectAll(context.Background()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// newRoutedClient makes the routed view: options shape how commands are
// encoded (KeyPrefix) and decoded; it has no connection of its own.
func newRoutedClient(r route.Router, template any) (any, error) {
	opts, ok := template.(Options)
	if !ok {
		return nil, errors.New("fastredis: routed client: template is not an Options")
	}
	if r == nil {
		return nil, errors.New("fastredis: routed client: no router")
	}
	c := &Client{opts: opts, router: r, transform: new(transformerSet), hooks: opts.hooksRegistry(), stats: new(clientStats)}
	c.opts.hooks = nil
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.done = c.ctx.Done()
	return c, nil
}

// routedUnsupported is the error of what a routed view does not do (yet).
func routedUnsupported(what string) error {
	return fmt.Errorf("fastredis: %s: not supported by this client kind: %w", what, errors.ErrUnsupported)
}

// routedCmd is a command of a routed client in flight (route.Command).
type routedCmd struct {
	a        *argBuf         // a typed method's arguments, or nil
	enc      []byte          // Do's and Exec's encoded command (a nil: always)
	h        netpoll.Handler // the caller's result
	blocking bool
	ask      askingHandler
	rd       resp.Reader  // parses a composed reply (Deliver)
	info     *CommandInfo // the command's view for the hooks, or nil
}

var routedPool = sync.Pool{New: func() any { return new(routedCmd) }}

func getRoutedCmd(h netpoll.Handler, blocking bool) *routedCmd {
	rc := routedPool.Get().(*routedCmd)
	rc.h, rc.blocking = h, blocking
	return rc
}

func (rc *routedCmd) release() {
	rc.a, rc.h, rc.info = nil, nil, nil
	rc.ask.h = nil
	if cap(rc.enc) > 64<<10 {
		rc.enc = nil
	}
	rc.enc = rc.enc[:0]
	routedPool.Put(rc)
}

// routeArgs runs a typed method's command through the router; its
// replies go to h (r, or a hook's view passing them on to r).
func (c *Client) routeArgs(ctx context.Context, a *argBuf, r *result, h netpoll.Handler, info *CommandInfo) error {
	rc := getRoutedCmd(h, a.blocking)
	rc.a, rc.info = a, info
	err := c.router.Route(ctx, rc)
	rc.release()
	if err != nil {
		return err
	}
	return r.err
}

// routeEncoded runs an encoded command (Do, Exec) through the router.
func (c *Client) routeEncoded(ctx context.Context, h netpoll.Handler, encode func([]byte) []byte, blocking bool, info *CommandInfo) error {
	rc := getRoutedCmd(h, blocking)
	rc.enc, rc.info = encode(rc.enc[:0]), info
	err := c.router.Route(ctx, rc)
	rc.release()
	return err
}

func (rc *routedCmd) Blocking() bool { return rc.blocking }

func (rc *routedCmd) encode(dst []byte) []byte {
	if rc.a == nil {
		return append(dst, rc.enc...)
	}
	dst = resp.AppendArrayHeader(dst, rc.a.n)
	return rc.a.appendTo(dst)
}

func (rc *routedCmd) size() int {
	if rc.a == nil {
		return len(rc.enc)
	}
	return rc.a.size() + 16
}

// Argv parses the command's bulk strings. A typed method's large
// arguments, kept by reference, come from where they lie.
func (rc *routedCmd) Argv(dst [][]byte) [][]byte {
	if rc.a == nil {
		return parseArgv(rc.enc, dst)
	}
	a := rc.a
	b, off := a.b, 0
	refs := a.refs
	for off < len(b) && b[off] == '$' {
		n, rest := readLength(b[off+1:])
		off = len(b) - len(rest)
		if len(refs) > 0 && refs[0].at == off {
			r := refs[0]
			refs = refs[1:]
			if r.p != nil {
				dst = append(dst, r.p)
			} else {
				dst = append(dst, unsafe.Slice(unsafe.StringData(r.s), len(r.s)))
			}
			off += 2
			continue
		}
		if n < 0 || off+n+2 > len(b) {
			return dst
		}
		dst = append(dst, b[off:off+n:off+n])
		off += n + 2
	}
	return dst
}

// readLength reads a RESP length line (the digits after '*' or '$' and
// the CRLF) and returns the length and what follows.
func readLength(b []byte) (int, []byte) {
	n, i := 0, 0
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int(b[i]-'0')
	}
	if i+1 >= len(b) || b[i] != '\r' {
		return -1, nil
	}
	if neg {
		n = -n
	}
	return n, b[i+2:]
}

// Run sends the command to node and waits for its reply.
func (rc *routedCmd) Run(ctx context.Context, node any, asking bool) error {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return errors.New("fastredis: routed command: node is not a *Client")
	}
	if rs, ok := rc.h.(resettable); ok {
		rs.resetError()
	}
	if rc.info != nil {
		rc.info.addr = n.serverAddr()
	}
	var encode func([]byte) []byte
	replies := 1
	var h netpoll.Handler = rc.h
	if asking {
		encode = func(b []byte) []byte {
			b = append(b, "*1\r\n$6\r\nASKING\r\n"...)
			return rc.encode(b)
		}
		rc.ask.h = rc.h
		h, replies = &rc.ask, 2
	} else {
		encode = rc.encode
	}
	if rc.blocking {
		return n.doBlockingN(ctx, h, replies, encode)
	}
	var trip *tripInfo
	if !asking && rc.a != nil && rc.a.vectored() {
		trip = &tripInfo{args: rc.a}
	}
	return n.roundTrip(ctx, n.readDeadline(ctx), h, replies, rc.size()+16, encode, nil, trip)
}

// ServerError is the error reply of the last Run, or nil.
func (rc *routedCmd) ServerError() error {
	rs, ok := rc.h.(resettable)
	if !ok {
		return nil
	}
	if e := rs.serverError(); e != nil {
		return e
	}
	return nil
}

// Deliver gives the caller a composed reply.
func (rc *routedCmd) Deliver(reply []byte) error {
	if rs, ok := rc.h.(resettable); ok {
		rs.resetError()
	}
	if rc.info != nil {
		rc.info.addr = "" // composed from several nodes' replies
	}
	v, _, err := rc.rd.Parse(reply)
	if err != nil {
		return err
	}
	rc.h.Reply(0, v)
	return nil
}

// askingHandler drops ASKING's +OK and passes the command's reply on.
type askingHandler struct{ h netpoll.Handler }

func (a *askingHandler) Reply(i int, v resp.Value) {
	if i == 1 {
		a.h.Reply(0, v)
	}
}

// callNode runs argv on node, for the router's fan-out paths, and appends
// its reply (errors included) to dst.
func callNode(ctx context.Context, node any, dst []byte, argv [][]byte, asking bool) ([]byte, error) {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return dst, errors.New("fastredis: routed call: node is not a *Client")
	}
	if len(argv) == 0 {
		return dst, ErrEmptyCommand
	}
	h := &appendHandler{dst: dst}
	var enc []byte
	replies := 1
	if asking {
		enc, replies, h.skip = append(enc, "*1\r\n$6\r\nASKING\r\n"...), 2, 1
	}
	enc = encodeArgv(enc, argv, "", nil)
	encode := func(b []byte) []byte { return append(b, enc...) }
	var err error
	if blockingCommand(argv[0], func() bool { return argvHasBlock(argv) }) {
		err = n.doBlockingN(ctx, h, replies, encode)
	} else {
		err = n.roundTrip(ctx, n.readDeadline(ctx), h, replies, len(enc), encode, nil, nil)
	}
	return h.dst, err
}

// appendHandler re-encodes a reply, errors included, after skipping the
// first skip replies (ASKING's).
type appendHandler struct {
	dst  []byte
	skip int
}

func (h *appendHandler) Reply(i int, v resp.Value) {
	if i >= h.skip {
		h.dst = resp.AppendValue(h.dst, v)
	}
}

func argvHasBlock(argv [][]byte) bool {
	for _, a := range argv[1:] {
		if len(a) == 5 && (string(a) == "BLOCK" || string(a) == "block" || equalFoldASCII(a, "BLOCK")) {
			return true
		}
	}
	return false
}

func equalFoldASCII(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// callNodeMany runs argvs on node as one batch (route.CallMany).
func callNodeMany(ctx context.Context, node any, argvs [][][]byte, replies [][]byte) ([][]byte, error) {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return replies, errors.New("fastredis: routed call: node is not a *Client")
	}
	if len(argvs) == 0 {
		return replies, nil
	}
	h := manyPool.Get().(*manyHandler)
	defer h.release()
	enc := h.enc[:0]
	for _, argv := range argvs {
		if len(argv) == 0 {
			return replies, ErrEmptyCommand
		}
		enc = encodeArgv(enc, argv, "", nil)
	}
	h.enc = enc
	for len(replies) < len(argvs) {
		replies = append(replies, nil)
	}
	h.replies = replies
	err := n.roundTrip(ctx, n.readDeadline(ctx), h, len(argvs), len(enc), h.encode, nil, nil)
	return replies, err
}

// manyHandler re-encodes each reply of a batch into its own buffer; it
// holds the batch's encoded commands too. Pooled.
type manyHandler struct {
	replies [][]byte
	enc     []byte
}

var manyPool = sync.Pool{New: func() any { return new(manyHandler) }}

func (h *manyHandler) encode(b []byte) []byte { return append(b, h.enc...) }

func (h *manyHandler) release() {
	h.replies = nil
	if cap(h.enc) > 64<<10 {
		h.enc = nil
	}
	manyPool.Put(h)
}

// Reply keeps command i's reply. A batch sent again after a lost connection
// replaces the replies of the first try: each holds exactly one reply.
func (h *manyHandler) Reply(i int, v resp.Value) {
	h.replies[i] = resp.AppendValue(h.replies[i][:0], v)
}
