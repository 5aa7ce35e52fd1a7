package netpoll

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/bytebufferpool"

	"github.com/fastredis/fastredis/resp"
)

// Who owns the write side of a connection. At most one writer at a time
// moves pending bytes to the socket; the others only append.
const (
	writerNone   = iota
	writerCaller // a caller writing its batch straight to the socket (gnet)
	writerLoop   // the gnet event loop
	writerHanded // handed to the waiting vector writer, not yet taken (vector.go)
)

// The inbound buffer, where a reply that arrives in pieces is assembled,
// is kept between replies up to minShrinkInbound bytes; a bigger one only
// while replies of its size keep coming (inPeak, as outPeak for writes:
// from the second such reply on), and one bigger than maxKeptInbound
// never.
const (
	minShrinkInbound = 1 << 20
	maxKeptInbound   = 64 << 20
)

// A write buffer bigger than minShrinkOutbound is kept for the next batch
// only while batches of its size keep coming (see wrote); one bigger than
// maxKeptOutbound never is.
const (
	minShrinkOutbound = 1 << 20
	maxKeptOutbound   = 64 << 20
)

// transport moves bytes for a Conn.
type transport interface {
	// flush makes sure the pending bytes get written. Do calls it, without
	// the mutex, after claiming the write side with claimWriter.
	flush()
	// shut starts closing the socket; the transport's reading side then
	// calls Conn.shutdown.
	shut()
}

// A Conn is one connection to a server, shared by any number of goroutines.
// Create one with Dial.
type Conn struct {
	opts Options
	t    transport

	mu      sync.Mutex
	pending *bytebufferpool.ByteBuffer // encoded, not yet written
	spare   *bytebufferpool.ByteBuffer // being written by the owner of the write side
	writer  int
	closed  bool
	err     error // why it closed; a *lostError

	q       *queue
	waiters atomic.Int32  // callers waiting for room
	room    chan struct{} // signalled when room may have been made
	done    chan struct{} // closed when the connection is closed
	closing atomic.Bool   // Close was called
	outPeak int           // the largest recent batch (see wrote); guarded by mu

	// Vectored writes (vector.go): vecTurn holds the one vector writer
	// waiting for the write side, which vecWaiting (guarded by mu) tells
	// its owner; vecHanded wakes the waiter when the side is handed over.
	vecTurn    chan struct{}
	vecHanded  chan struct{}
	vecWaiting bool

	// Replies owed, counted since the connection opened: queued is the
	// number of replies the requests pushed so far expect (guarded by mu);
	// sent is the part of it whose requests' bytes have been taken for
	// writing. The server cannot answer a request before it reads it, so
	// a reply that starts when every reply sent for has been matched
	// belongs to nobody (see onData).
	queued uint64
	sent   atomic.Uint64

	// Reading side, owned by whoever reads the socket.
	rd       resp.Reader
	in       []byte     // a partial reply carried over between reads
	inOwed   bool       // that partial reply started while a reply was owed
	inPeak   int        // the largest recent reply assembled in in, decaying by 1/64 per reply
	answered uint64     // replies matched to requests so far
	badReply bool       // the reply that broke the stream was the front request's
	finished []*request // answered by the bytes being handled, completed after them (onData)

	// Direct reads (direct.go): with a transport that supports them, a
	// caller that finds nobody reading the socket reads its own reply.
	// readIdle is true while nobody reads (every reply owed has come);
	// it changes under mu.
	direct   directReader // nil when the transport cannot
	readIdle atomic.Bool
	active   atomic.Int32 // callers inside DoDeadline
	// directReads counts the requests whose callers read their own
	// replies (for tests).
	directReads atomic.Uint64
	// spin is the direct reader's polling budget (spin.go), used by the
	// holder of the reading side only; polledReads counts the direct reads
	// whose replies came while polling (for tests).
	spin        spinner
	polledReads atomic.Uint64

	// Socket timeout (Options.SocketTimeout): when replies became owed, or
	// bytes last arrived while they were, in UnixNano; and the watchdog.
	progress    atomic.Int64
	hasWatchdog bool        // SocketTimeout > 0; set once, read freely
	watchdog    *time.Timer // guarded by mu
	timedOut    atomic.Bool
}

func newConn(opts Options) *Conn {
	c := &Conn{
		opts:      opts,
		pending:   bytebufferpool.Get(),
		spare:     bytebufferpool.Get(),
		q:         newQueue(opts.MaxPending),
		room:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		vecTurn:   make(chan struct{}, 1),
		vecHanded: make(chan struct{}, 1),
	}
	c.rd = resp.Reader{MaxBulkLen: opts.MaxBulkLen, MaxAggregateLen: opts.MaxAggregateLen, MaxDepth: opts.MaxDepth}
	c.hasWatchdog = opts.SocketTimeout > 0
	c.spin = newSpinner(opts.SpinWait)
	return c
}

// startWatchdog starts the socket timeout's checks, once the transport
// runs.
func (c *Conn) startWatchdog() {
	if c.hasWatchdog {
		c.mu.Lock()
		if !c.closed {
			c.watchdog = time.AfterFunc(c.opts.SocketTimeout, c.checkProgress)
		}
		c.mu.Unlock()
	}
}

// checkProgress runs every SocketTimeout: it closes the connection if
// replies are owed and nothing has arrived for that long.
func (c *Conn) checkProgress() {
	select {
	case <-c.done:
		return
	default:
	}
	timeout := c.opts.SocketTimeout
	idle := time.Duration(time.Now().UnixNano() - c.progress.Load())
	if c.q.len() > 0 && idle >= timeout {
		c.timedOut.Store(true)
		c.t.shut()
		return
	}
	next := timeout
	if c.q.len() > 0 {
		next = timeout - idle
	}
	c.mu.Lock()
	if !c.closed {
		c.watchdog.Reset(next)
	}
	c.mu.Unlock()
}

// Do sends a request and waits for its replies. encode appends the encoded
// command (or, for a group that must stay contiguous on the wire, every
// command of the group) to the slice it is given and returns it; it runs with
// the connection locked, so it must only encode. replies is how many replies
// the request expects; h receives each of them.
//
// Do returns nil when every reply has been passed to h. It returns the
// context's error if ctx ends first: the request's replies are then still
// read and dropped, and h is not called again. If the connection fails, Do
// returns an error matching ErrConnLost and the cause.
func (c *Conn) Do(ctx context.Context, h Handler, replies int, encode func(dst []byte) []byte) error {
	return c.DoDeadline(ctx, time.Time{}, h, replies, encode)
}

// DoDeadline is Do with a deadline besides the context's (zero for none):
// past it, it returns context.DeadlineExceeded as Do does when a context
// expires. Unlike a context.WithDeadline made for each call, the deadline
// costs no allocation: the request's timer is reused.
func (c *Conn) DoDeadline(ctx context.Context, deadline time.Time, h Handler, replies int, encode func(dst []byte) []byte) error {
	if h == nil || replies < 1 || replies > 1<<30 {
		return ErrBadRequest
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	c.active.Add(1)
	defer c.active.Add(-1)
	if c.direct != nil && c.readIdle.Load() {
		return c.doDirect(ctx, deadline, mayPoll(ctx), h, replies, encode)
	}
	req := acquireRequest(h, replies)
	expired := req.deadline(deadline)
	c.mu.Lock()
	if err := c.enqueueLocked(ctx, expired, req, replies, encode); err != nil {
		c.mu.Unlock()
		req.disarm(expired != nil)
		releaseRequest(req)
		return err
	}
	lead := c.claimWriter()
	if c.waiters.Load() > 0 && c.hasRoom() {
		c.signalRoom() // pass the wake-up on to the next waiter
	}
	wake := c.takeReadRole()
	c.mu.Unlock()
	if wake {
		c.direct.wakeReader()
	}
	if lead {
		c.t.flush()
	}
	return c.wait(ctx, expired, req)
}

// enqueueLocked waits for room, encodes the request's command into the
// pending batch and queues the request. Call with the mutex held; on an
// error nothing was queued.
func (c *Conn) enqueueLocked(ctx context.Context, expired <-chan time.Time, req *request, replies int, encode func(dst []byte) []byte) error {
	if err := c.waitForRoom(ctx, expired); err != nil {
		return err
	}
	start := len(c.pending.B)
	c.pending.B = encode(c.pending.B)
	if len(c.pending.B) == start {
		return ErrBadRequest
	}
	if c.hasWatchdog && c.q.len() == 0 {
		c.progress.Store(time.Now().UnixNano()) // replies owed from now
	}
	if c.q.push(req) {
		c.watchRing() // grown: shrink it again once traffic ebbs
	}
	c.queued += uint64(replies)
	return nil
}

// Send writes a command that gets no reply of its own (in RESP3,
// SUBSCRIBE and its kin are answered with pushes). encode is as for Do. It
// returns once the command is queued for writing.
func (c *Conn) Send(ctx context.Context, encode func(dst []byte) []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if err := c.waitForRoom(ctx, nil); err != nil {
		c.mu.Unlock()
		return err
	}
	start := len(c.pending.B)
	c.pending.B = encode(c.pending.B)
	if len(c.pending.B) == start {
		c.mu.Unlock()
		return ErrBadRequest
	}
	lead := c.claimWriter()
	c.mu.Unlock()
	if lead {
		c.t.flush()
	}
	return nil
}

// waitForRoom returns, with the mutex held, once the connection can take a
// request, or with the error that prevents it (expired is the deadline's
// channel, nil for none).
func (c *Conn) waitForRoom(ctx context.Context, expired <-chan time.Time) error {
	for {
		if c.closed {
			return c.err
		}
		if c.hasRoom() {
			return nil
		}
		c.waiters.Add(1)
		c.mu.Unlock()
		err := c.await(c.room, ctx, expired)
		c.waiters.Add(-1)
		c.mu.Lock()
		if err != nil {
			return err
		}
	}
}

// await waits for a signal on ch, or for the connection to close (both
// nil: look again), or for ctx or the deadline's channel (their error).
func (c *Conn) await(ch <-chan struct{}, ctx context.Context, expired <-chan time.Time) error {
	select {
	case <-ch:
	case <-c.done:
	case <-ctx.Done():
		return ctx.Err()
	case <-expired:
		return context.DeadlineExceeded
	}
	return nil
}

func (c *Conn) hasRoom() bool {
	n := len(c.pending.B)
	return !c.q.full() && (n == 0 || n < c.opts.MaxPendingBytes)
}

func (c *Conn) signalRoom() {
	select {
	case c.room <- struct{}{}:
	default:
	}
}

// claimWriter makes the caller the owner of the write side if nobody owns
// it. Call with the mutex held.
func (c *Conn) claimWriter() bool {
	if c.writer != writerNone {
		return false
	}
	c.writer = writerCaller
	return true
}

func (c *Conn) wait(ctx context.Context, expired <-chan time.Time, req *request) error {
	var err error
	if done := ctx.Done(); done == nil && expired == nil {
		<-req.done // nothing else can end the wait: a receive, not a select
	} else {
		select {
		case <-req.done:
		case <-done:
			err = ctx.Err()
		case <-expired:
			err = context.DeadlineExceeded
		}
	}
	req.disarm(expired != nil)
	if err != nil {
		if req.abandon() {
			return err // the reader drops its replies and recycles it
		}
		<-req.done // the reader is completing it right now
	}
	err = req.err
	releaseRequest(req)
	return err
}

// gatherAbove is the number of requests in flight above which the caller
// that takes the write side yields once before taking the pending batch.
// Callers come in waves: a read that completes several requests wakes
// their callers together, and each sends its next command at once. A caller
// that wrote as soon as it found the write side free would carry only its
// own command, and the callers behind it, finding the side free again,
// would each pay a write(2) of their own (on loopback a write also runs
// the server's receive path, several microseconds). Yielding lets the wave
// append first, so one write carries it. With three requests in flight the
// wave is likely; below that the yield would only add latency (a lone
// caller, or two taking turns, writes at once).
//
// Measured on a three-master cluster (the threshold used to be 64): with
// 128 callers, about 43 per connection, 0.69 write(2)s per command before
// and 0.14 after, and twice the throughput; with 16 callers, 0.9 before
// and 0.55 after.
const gatherAbove = 2

// gather lets other callers append to the batch before the write side
// takes it, when other requests are in flight.
func (c *Conn) gather() {
	if c.q.len() > gatherAbove {
		runtime.Gosched()
	}
}

// takePending hands the pending bytes to the owner of the write side, who
// calls wrote when they are written. It returns nil, and gives the write side
// up, when there is nothing to write.
func (c *Conn) takePending() *bytebufferpool.ByteBuffer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handOverLocked() {
		return nil // the vector writer writes what is pending
	}
	if len(c.pending.B) == 0 || c.closed {
		c.writer = writerNone
		return nil
	}
	return c.swapPendingLocked()
}

// swapPendingLocked takes the pending bytes, if any, for writing and leaves
// an empty buffer in their place. Call with the mutex held.
func (c *Conn) swapPendingLocked() *bytebufferpool.ByteBuffer {
	if len(c.pending.B) == 0 || c.closed {
		return nil
	}
	b := c.pending
	c.sent.Store(c.queued) // every request pushed so far is in b or written before it
	if c.spare == nil {
		// The previous owner of the write side has not returned its buffer
		// yet (it handed over to the loop and is on its way out).
		c.spare = bytebufferpool.Get()
	}
	c.pending, c.spare = c.spare, nil
	if c.waiters.Load() > 0 {
		c.signalRoom()
	}
	return b
}

// wrote returns a written buffer for reuse. A large buffer is kept while
// batches of its size keep coming (regrowing it for every batch of large
// values would allocate and copy each time): outPeak follows the largest
// recent batch, decaying by 1/64 per batch, and a buffer more than twice
// that size goes back to the pool, so a burst of large values leaves no
// lasting cost.
func (c *Conn) wrote(b *bytebufferpool.ByteBuffer) {
	n := len(b.B)
	if ctr := c.opts.Counters; ctr != nil {
		ctr.Written.Add(int64(n))
	}
	b.Reset()
	c.mu.Lock()
	c.outPeak = max(n, c.outPeak-c.outPeak/64)
	if size := cap(b.B); size > minShrinkOutbound && (size > 2*c.outPeak || size > maxKeptOutbound) {
		c.mu.Unlock()
		bytebufferpool.Put(b) // the pool decides whether to keep a large one
		b = bytebufferpool.Get()
		c.mu.Lock()
	}
	if c.spare == nil || cap(b.B) > cap(c.spare.B) {
		c.spare, b = b, c.spare // keep the bigger one
	}
	c.mu.Unlock()
	if b != nil {
		bytebufferpool.Put(b)
	}
}

// onData handles bytes read from the socket: it parses every complete reply
// in place and completes requests in order, carrying a partial reply over to
// the next call. An error means the connection must close.
//
// sent is c.sent as loaded after the bytes were read (the reader loads it
// before calling): only requests taken for writing by then can have replies
// in data. A reply whose first byte comes when none of those is still owed
// was asked for by nobody, and the stream can no longer be trusted: matched
// to the queue it would reach whichever caller asks next, and every reply
// after it would be one caller late. So it closes the connection with
// ErrUnexpectedReply, whether it arrives whole, in pieces or behind a reply
// that wakes a caller who sends again before the reader gets to it. Pushes
// (RESP3 '>') and the values Intercept takes are not replies and are exempt.
func (c *Conn) onData(data []byte, sent uint64) error {
	err := c.parseReplies(data, sent)
	if err != nil {
		// Shut down before waking the callers this read answered: one of
		// them could otherwise send again, and have its command run, on a
		// connection already known to be broken.
		c.shutdown(err)
	}
	for i, req := range c.finished {
		req.complete()
		c.finished[i] = nil
	}
	if len(c.finished) > 0 && c.waiters.Load() > 0 {
		c.signalRoom()
	}
	c.finished = c.finished[:0]
	return err
}

// parseReplies is onData's parsing: the requests it answers in full are
// popped and collected in c.finished, for onData to complete.
func (c *Conn) parseReplies(data []byte, sent uint64) error {
	if c.hasWatchdog {
		c.progress.Store(time.Now().UnixNano())
	}
	if ctr := c.opts.Counters; ctr != nil {
		ctr.Read.Add(int64(len(data)))
	}
	buf := data
	carried := len(c.in) > 0
	if carried {
		if c.inTail(data) {
			c.in = c.in[:len(c.in)+len(data)] // read in place (inboundRoom)
		} else {
			c.in = append(c.in, data...)
		}
		if len(c.in) < c.rd.Need() {
			return nil // a large reply still arriving: nothing to parse yet
		}
		buf = c.in
	}
	for first := true; len(buf) > 0; first = false {
		owed := c.answered < sent
		if first && carried {
			owed = c.inOwed // decided when its first byte came
		} else if !owed && !c.unsolicitedAllowed(buf[0]) {
			return ErrUnexpectedReply
		}
		v, n, err := c.rd.Parse(buf)
		if err == resp.ErrIncomplete {
			c.inOwed = owed
			break
		}
		if err != nil {
			c.badReply = owed
			return err
		}
		switch {
		case v.Type() == resp.Push:
			if c.opts.OnPush != nil {
				c.opts.OnPush(v)
			}
		case c.opts.Intercept != nil && c.opts.Intercept(v):
			// consumed: a reply no request asked for
		case !owed:
			return ErrUnexpectedReply
		default:
			req := c.q.front()
			if req == nil {
				return ErrUnexpectedReply // unreachable: sent counts queued requests only
			}
			c.answered++
			if req.deliver(v) {
				c.q.pop()
				c.finished = append(c.finished, req)
			}
		}
		buf = buf[n:]
	}
	switch {
	case len(buf) == 0:
		assembled := 0
		if carried {
			assembled = len(c.in)
		}
		// Judged by the peak before this reply: a large buffer is kept
		// only once replies of its size come again, so that a one-off
		// large reply leaves nothing behind.
		prior := c.inPeak
		c.inPeak = max(assembled, prior-prior/64)
		c.in = c.in[:0]
		if size := cap(c.in); size > minShrinkInbound && (size > 2*prior || size > maxKeptInbound) {
			c.in = nil
		}
	case carried:
		c.in = c.in[:copy(c.in, buf)] // the partial reply moves to the front
		c.reserveInbound()
	default:
		c.in = append(c.in[:0], buf...)
		c.reserveInbound()
	}
	return nil
}

// reserveInbound grows the inbound buffer, holding the start of a reply,
// to what the reply needs as far as Parse knows (a large bulk string's
// whole length), in one allocation rather than by doubling as its pieces
// come; at least doubling it, so that an aggregate of many large values
// is not copied once per value.
func (c *Conn) reserveInbound() {
	if need := c.rd.Need(); need > cap(c.in) {
		in := make([]byte, len(c.in), max(need, 2*cap(c.in)))
		copy(in, c.in)
		c.in = in
	}
}

// inboundRoom returns where the transport should read next when a large
// reply is being assembled and more than min of it is still to come: the
// inbound buffer's free space, up to what the reply needs, so that its
// bytes go from the socket to their place in one copy, and in reads as
// large as the rest of the reply. Otherwise it returns nil (read into the
// transport's own buffer). onData recognises bytes read there. Only the
// reading side calls it.
func (c *Conn) inboundRoom(min int) []byte {
	need := c.rd.Need()
	if len(c.in) == 0 || need-len(c.in) <= min || need > cap(c.in) {
		return nil
	}
	return c.in[len(c.in):need]
}

// inTail reports whether data was read into the inbound buffer's free
// space (inboundRoom), right after what it holds.
func (c *Conn) inTail(data []byte) bool {
	return len(data) > 0 && cap(c.in) > len(c.in) && &c.in[:len(c.in)+1][len(c.in)] == &data[0]
}

// unsolicitedAllowed reports whether a value starting with byte b may
// arrive with no reply owed: a RESP3 push, or anything while Intercept
// (subscriber or MONITOR mode) decides on whole values.
func (c *Conn) unsolicitedAllowed(b byte) bool {
	return b == '>' || c.opts.Intercept != nil
}

// shutdown closes the connection for good and fails every outstanding
// request with cause. Only the reading side calls it.
func (c *Conn) shutdown(cause error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	switch {
	case c.closing.Load():
		cause = ErrClosed
	case c.timedOut.Load():
		cause = ErrSocketTimeout
	}
	if c.watchdog != nil {
		c.watchdog.Stop()
	}
	c.closed = true
	c.err = &lostError{cause: cause}
	close(c.done)
	c.pending.Reset()
	c.unwatchRing()
	c.mu.Unlock()
	// A malformed reply fails the request it was owed to with the protocol
	// error (ErrBadReply: the server may have run the command, so it must
	// not be sent again); the requests behind it only lost their connection.
	others := error(c.err)
	var perr *resp.ProtocolError
	if errors.As(cause, &perr) {
		others = &lostError{cause: fmt.Errorf("an earlier reply on the connection was malformed (%v)", perr)}
		if req := c.q.front(); req != nil && c.badReply {
			c.q.pop()
			req.fail(&lostError{cause: cause, badReply: true})
		}
	}
	for req := c.q.front(); req != nil; req = c.q.front() {
		c.q.pop()
		req.fail(others)
	}
}

// Close closes the connection and waits until every outstanding request has
// completed with an error. It is idempotent and safe from any goroutine, but
// not from a Handler or OnPush.
func (c *Conn) Close() error {
	if c.closing.CompareAndSwap(false, true) {
		c.t.shut()
	}
	<-c.done
	return nil
}

// Done returns a channel that is closed when the connection has closed, by
// Close or by a failure; Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns nil while the connection is open, and afterwards the error its
// requests got: it matches ErrConnLost and the cause (ErrClosed after Close).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Pending returns the number of requests awaiting replies.
func (c *Conn) Pending() int { return c.q.len() }
