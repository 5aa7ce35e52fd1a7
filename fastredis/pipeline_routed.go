package fastredis

import (
	"context"
	"errors"
	"fmt"

	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
	"github.com/fastredis/fastredis/resp"
)

// Pipelines of a routed client (a cluster). The router groups the commands
// by node, runs each group as one batch (Run, concurrently for different
// nodes) and sends again, alone, the commands redirected with MOVED or ASK.
// Each Run delivers into a routedSub of its own, so concurrent runs never
// share a buffer; when the router is done, the subs' raw replies are
// gathered into Pipeline.raw, where the Futures read them.

// routedSub is one Run: which slot each reply is for, and the raw replies
// it received.
type routedSub struct {
	p     *Pipeline
	id    int32   // 1 + its index in Pipeline.subs
	order []int32 // per reply: the slot, or -1 for ASKING's
	raw   []byte
	n     int // replies received
	got   int // of them, commands'
	size  int // their bytes on the wire
}

// execRouted runs a routed view's pipeline through its router.
func (p *Pipeline) execRouted(ctx context.Context) error {
	if p.tx {
		return p.execRoutedTx(ctx)
	}
	br, ok := p.c.router.(route.BatchRouter)
	if !ok {
		return routedUnsupported("pipelines")
	}
	if len(p.slots) == 0 {
		return nil
	}
	p.subsUsed = 0
	p.batchLo, p.batchHi = 0, int32(len(p.slots))
	var err error
	if p.hasMulti() {
		err = p.execRoutedSegments(ctx, br)
	} else {
		err = br.RouteBatch(ctx, (*routedBatch)(p))
	}
	p.gatherSubs()
	return err
}

// hasMulti reports whether the pipeline holds a Multi ... EndMulti block.
func (p *Pipeline) hasMulti() bool {
	for _, w := range p.wire {
		if w.kind != wireCmd {
			return true
		}
	}
	return false
}

// execRoutedSegments runs a routed pipeline that holds transactions
// (Multi ... EndMulti) in the order queued: the commands before a
// transaction as one routed batch (grouped by node, concurrently), then
// the transaction on its slot's master as one unit, then what follows.
// A transaction whose keys span slots fails, alone, before anything is
// sent.
func (p *Pipeline) execRoutedSegments(ctx context.Context, br route.BatchRouter) error {
	tr, ok := p.c.router.(route.TxRouter)
	if !ok {
		return routedUnsupported("transactions")
	}
	lo := int32(0) // the first slot of the plain commands not yet run
	for wi := 0; wi < len(p.wire); wi++ {
		w := p.wire[wi]
		if w.kind != wireMulti {
			continue
		}
		end := wi + 1
		for end < len(p.wire) && p.wire[end].kind != wireExec {
			end++
		}
		if end == len(p.wire) {
			return errOpenMulti // Exec refuses an open Multi first; kept for safety
		}
		if w.slot > lo {
			p.batchLo, p.batchHi = lo, w.slot
			if err := br.RouteBatch(ctx, (*routedBatch)(p)); err != nil {
				return err
			}
		}
		blk := &routedTxBlock{p: p, wire: p.wire[wi : end+1]}
		if err := blk.run(ctx, tr); err != nil {
			return err
		}
		lo = p.wire[end].slot + 1
		wi = end
	}
	if lo < int32(len(p.slots)) {
		p.batchLo, p.batchHi = lo, int32(len(p.slots))
		return br.RouteBatch(ctx, (*routedBatch)(p))
	}
	return nil
}

// routedTxBlock is one Multi ... EndMulti block of a routed pipeline as a
// route.Tx: its wire entries, from MULTI's to EXEC's.
type routedTxBlock struct {
	p    *Pipeline
	wire []wireReply
	got  int // replies received in the current Run
	skip int // ASKING's reply, before the block's
}

// run checks that the block's keys are in one slot and hands it to the
// router.
func (t *routedTxBlock) run(ctx context.Context, tr route.TxRouter) error {
	p := t.p
	exec := &t.wire[len(t.wire)-1]
	slot, keyed := 0, false
	argv := p.argvScratch[:0]
	defer func() { clear(argv); p.argvScratch = argv[:0] }()
	for i := exec.first; i < exec.first+exec.n; i++ {
		s := &p.slots[i]
		argv = parseArgv(p.buf[s.cmdStart:s.cmdEnd], argv[:0])
		sl, has, err := keyspec.ArgvSlot(argv)
		if errors.Is(err, keyspec.ErrCrossSlot) || (has && keyed && sl != slot) {
			err := fmt.Errorf("fastredis: a transaction's keys must all be in one slot (%s has a key elsewhere; use hash tags): %w", s.command, ErrCrossSlotTx)
			for _, w := range t.wire {
				if w.slot >= 0 {
					p.slots[w.slot].err, p.slots[w.slot].filled = err, true
				}
			}
			for j := exec.first; j < exec.first+exec.n; j++ {
				p.slots[j].err, p.slots[j].filled = err, true
			}
			return nil // this transaction's Futures hold the error; the pipeline goes on
		}
		if has && !keyed {
			slot, keyed = sl, true
		}
	}
	if err := tr.RouteTx(ctx, slot, keyed, t); err != nil {
		// Past the budget, or the context ended: this transaction's
		// Futures without an outcome hold why; the pipeline goes on.
		for _, w := range t.wire {
			if s := &p.slots[w.slot]; !s.filled {
				s.err, s.filled = err, true
			}
		}
		for j := exec.first; j < exec.first+exec.n; j++ {
			if s := &p.slots[j]; !s.filled {
				s.err, s.filled = err, true
			}
		}
	}
	return nil
}

// Run writes the block (MULTI, its commands, EXEC) on node as one batch,
// ASKING first with asking, and delivers its replies.
func (t *routedTxBlock) Run(ctx context.Context, node any, asking bool) (bool, error) {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return false, errors.New("fastredis: routed transaction: node is not a *Client")
	}
	p := t.p
	first, last := &p.slots[t.wire[0].slot], &p.slots[t.wire[len(t.wire)-1].slot]
	for _, w := range t.wire {
		p.slots[w.slot].clear()
	}
	t.got, t.skip = 0, 0
	body := p.buf[first.cmdStart:last.cmdEnd]
	replies := len(t.wire)
	encode := func(b []byte) []byte { return append(b, body...) }
	if asking {
		t.skip, replies = 1, replies+1
		encode = func(b []byte) []byte {
			return append(append(b, "*1\r\n$6\r\nASKING\r\n"...), body...)
		}
	}
	var trip tripInfo
	err := n.roundTrip(ctx, n.readDeadline(ctx), t, replies, len(body)+40, encode, func() bool { return t.got > 0 }, &trip)
	if err != nil {
		for i := t.got; i < len(t.wire); i++ {
			p.failWire(&t.wire[i], err, trip.sent)
		}
	}
	return t.got > 0, err
}

// Reply routes the block's i-th reply; it runs on the connection's
// reading side.
func (t *routedTxBlock) Reply(i int, v resp.Value) {
	if i < t.skip {
		return
	}
	i -= t.skip
	t.got = i + 1
	t.p.replyWire(&t.wire[i], v)
}

// Redirection is the MOVED, ASK, TRYAGAIN or CLUSTERDOWN error that
// refused the block's commands or aborted its EXEC, if any.
func (t *routedTxBlock) Redirection() error {
	p := t.p
	exec := &t.wire[len(t.wire)-1]
	check := func(err error) error {
		if e, ok := err.(*Error); ok {
			switch e.Prefix {
			case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN":
				return e
			}
		}
		return nil
	}
	var abort *ExecAbortError
	if e := p.slots[exec.slot].err; errors.As(e, &abort) {
		if r := check(abort.Err); r != nil {
			return r
		}
	} else if r := check(e); r != nil {
		return r
	}
	for i := exec.first; i < exec.first+exec.n; i++ {
		if s := &p.slots[i]; s.queueErr {
			if r := check(s.err); r != nil {
				return r
			}
		}
	}
	return nil
}

// newSub hands out a routedSub, reusing those of earlier runs.
func (p *Pipeline) newSub() *routedSub {
	p.subsMu.Lock()
	defer p.subsMu.Unlock()
	if p.subsUsed == len(p.subs) {
		p.subs = append(p.subs, &routedSub{p: p})
	}
	sb := p.subs[p.subsUsed]
	p.subsUsed++
	sb.id = int32(p.subsUsed)
	sb.order, sb.raw, sb.n, sb.got, sb.size = sb.order[:0], sb.raw[:0], 0, 0, 0
	return sb
}

// gatherSubs moves the raw replies of the subs into Pipeline.raw.
func (p *Pipeline) gatherSubs() {
	bases := p.subBases[:0]
	for _, sb := range p.subs[:p.subsUsed] {
		p.info.size += sb.size
		bases = append(bases, len(p.raw))
		p.raw = append(p.raw, sb.raw...)
	}
	p.subBases = bases
	for i := range p.slots {
		s := &p.slots[i]
		if s.sub > 0 {
			base := bases[s.sub-1]
			s.start, s.end, s.sub = s.start+base, s.end+base, 0
		}
	}
}

// Reply delivers a Run's i-th reply.
func (sb *routedSub) Reply(i int, v resp.Value) {
	sb.n = i + 1
	sb.size += v.WireLen()
	idx := sb.order[i]
	if idx < 0 {
		return // ASKING's +OK
	}
	sb.got++
	s := &sb.p.slots[idx]
	s.filled = true
	if s.mode == modeRaw && !v.IsError() {
		s.sub, s.start = sb.id, len(sb.raw)
		sb.raw = resp.AppendValue(sb.raw, v)
		s.end = len(sb.raw)
		return
	}
	s.Reply(0, v)
}

func (sb *routedSub) answered() bool { return sb.n > 0 }

// routedBatch is a Pipeline as its router sees it (route.Batch).
type routedBatch Pipeline

func (b *routedBatch) Len() int { return len(b.slots) }

// Skip leaves out commands that failed while queueing, and those outside
// the segment being run (a pipeline with transactions runs in segments).
func (b *routedBatch) Skip(i int) bool {
	return b.slots[i].localErr != nil || int32(i) < b.batchLo || int32(i) >= b.batchHi
}

func (b *routedBatch) Argv(i int, dst [][]byte) [][]byte {
	s := &b.slots[i]
	return parseArgv(b.buf[s.cmdStart:s.cmdEnd], dst)
}

func (b *routedBatch) Run(ctx context.Context, node any, idx []int, asking []bool) (int, error) {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return 0, errors.New("fastredis: routed pipeline: node is not a *Client")
	}
	p := (*Pipeline)(b)
	sb := p.newSub()
	size := 0
	for j, i := range idx {
		s := &p.slots[i]
		s.clear()
		if j < len(asking) && asking[j] {
			sb.order = append(sb.order, -1)
			size += 20
		}
		sb.order = append(sb.order, int32(i))
		size += s.cmdEnd - s.cmdStart
	}
	encode := func(dst []byte) []byte {
		for j, i := range idx {
			if j < len(asking) && asking[j] {
				dst = append(dst, "*1\r\n$6\r\nASKING\r\n"...)
			}
			s := &p.slots[i]
			dst = append(dst, p.buf[s.cmdStart:s.cmdEnd]...)
		}
		return dst
	}
	err := n.roundTrip(ctx, n.readDeadline(ctx), sb, len(sb.order), size, encode, sb.answered, nil)
	return sb.got, err
}

func (b *routedBatch) ServerError(i int) error {
	if e, ok := b.slots[i].err.(*Error); ok {
		return e
	}
	return nil
}

func (b *routedBatch) Deliver(i int, reply []byte) error {
	var rd resp.Reader
	v, _, err := rd.Parse(reply)
	if err != nil {
		return err
	}
	p := (*Pipeline)(b)
	sb := p.newSub()
	sb.order = append(sb.order, int32(i))
	p.slots[i].clear()
	sb.Reply(0, v)
	return nil
}

func (b *routedBatch) Fail(i int, err error) {
	s := &b.slots[i]
	s.err, s.filled = err, true
}

// parseArgv reads the bulk strings of one encoded command (an array of
// bulk strings) as views.
func parseArgv(b []byte, dst [][]byte) [][]byte {
	if len(b) == 0 || b[0] != '*' {
		return dst
	}
	_, b = readLength(b[1:])
	for len(b) > 0 && b[0] == '$' {
		var n int
		n, b = readLength(b[1:])
		if n < 0 || n+2 > len(b) {
			return dst
		}
		dst = append(dst, b[:n:n])
		b = b[n+2:]
	}
	return dst
}

// Filled reports whether command i has its result (a reply, or a failure).
func (b *routedBatch) Filled(i int) bool { return b.slots[i].filled }

// execRoutedTx runs a routed view's TxPipeline: every key must be in one
// slot, checked before anything is sent; the router sends MULTI ... EXEC to
// the slot's master as a unit, and again as a unit after a redirection.
func (p *Pipeline) execRoutedTx(ctx context.Context) error {
	if len(p.slots) == 0 {
		return nil
	}
	tr, ok := p.c.router.(route.TxRouter)
	if !ok {
		return routedUnsupported("transactions")
	}
	slot, keyed := 0, false
	argv := p.argvScratch[:0]
	defer func() { clear(argv); p.argvScratch = argv[:0] }()
	for i := range p.slots {
		s := &p.slots[i]
		if s.localErr != nil {
			continue
		}
		argv = parseArgv(p.buf[s.cmdStart:s.cmdEnd], argv[:0])
		sl, has, err := keyspec.ArgvSlot(argv)
		if errors.Is(err, keyspec.ErrCrossSlot) || (has && keyed && sl != slot) {
			err := fmt.Errorf("fastredis: a transaction's keys must all be in one slot (%s has a key elsewhere; use hash tags): %w", s.command, ErrCrossSlotTx)
			for j := range p.slots {
				p.slots[j].err, p.slots[j].filled = err, true
			}
			return err
		}
		if has && !keyed {
			slot, keyed = sl, true
		}
	}
	p.layOutTx()
	if err := tr.RouteTx(ctx, slot, keyed, (*routedTx)(p)); err != nil {
		return err
	}
	return p.execErr
}

// ErrCrossSlotTx is wrapped by the error of a transaction of a cluster
// client whose keys are in several slots; nothing is sent.
var ErrCrossSlotTx = errors.New("fastredis: keys in different slots")

// routedTx is a TxPipeline as its router sees it (route.Tx).
type routedTx Pipeline

func (t *routedTx) Run(ctx context.Context, node any, asking bool) (bool, error) {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return false, errors.New("fastredis: routed transaction: node is not a *Client")
	}
	p := (*Pipeline)(t)
	for i := range p.slots {
		p.slots[i].clear()
	}
	p.raw, p.got, p.execErr, p.skip = p.raw[:0], 0, nil, 0
	replies := len(p.wire)
	encode := p.encode
	if asking {
		p.skip, replies = 1, replies+1
		encode = func(b []byte) []byte {
			return p.encode(append(b, "*1\r\n$6\r\nASKING\r\n"...))
		}
	}
	var trip tripInfo
	err := n.roundTrip(ctx, n.readDeadline(ctx), (*pipelineReplies)(p), replies, len(p.buf)+40, encode, p.answered, &trip)
	if err != nil {
		p.failUnanswered(err, trip.sent)
	}
	return p.got > 0, err
}

func (t *routedTx) Redirection() error {
	if e, ok := t.execErr.(*Error); ok { // EXEC itself: TRYAGAIN for keys split by a migration
		switch e.Prefix {
		case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN":
			return e
		}
	}
	for i := range t.slots {
		s := &t.slots[i]
		if !s.queueErr {
			continue
		}
		if e, ok := s.err.(*Error); ok {
			switch e.Prefix {
			case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN":
				return e
			}
		}
	}
	return nil
}

// routedWatch runs Watch on the node serving the watched keys' slot (a
// routed view): they must be in one slot. WATCH redirected because the
// slot moved is tried again on its new node.
func (c *Client) routedWatch(ctx context.Context, fn func(tx *Tx) error, keys []string) error {
	wr, ok := c.router.(route.WatchRouter)
	if !ok {
		return routedUnsupported("WATCH")
	}
	if len(keys) == 0 {
		return errors.New("fastredis: WATCH on a cluster needs the keys: they pick the node")
	}
	slot := keyspec.Slot(c.opts.KeyPrefix + keys[0])
	for _, k := range keys[1:] {
		if keyspec.Slot(c.opts.KeyPrefix+k) != slot {
			return fmt.Errorf("fastredis: watched keys must all be in one slot (%q is elsewhere; use hash tags): %w", k, ErrCrossSlotTx)
		}
	}
	for attempt := 0; ; attempt++ {
		node, err := wr.WatchNode(ctx, slot)
		if err != nil {
			return err
		}
		n, ok := node.(*Client)
		if !ok || n == nil {
			return errors.New("fastredis: routed watch: node is not a *Client")
		}
		err = n.Watch(ctx, fn, keys...)
		var e *Error
		if attempt < 16 && errors.As(err, &e) && e.Command == "WATCH" && wr.Redirected(e) {
			continue
		}
		return err
	}
}
