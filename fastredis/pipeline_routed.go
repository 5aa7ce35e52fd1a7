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
	for _, w := range p.wire {
		if w.kind != wireCmd {
			return routedUnsupported("Multi and EndMulti in a pipeline (use a TxPipeline)")
		}
	}
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
	err := br.RouteBatch(ctx, (*routedBatch)(p))
	p.gatherSubs()
	return err
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

func (b *routedBatch) Skip(i int) bool { return b.slots[i].localErr != nil }

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
	var argv [][]byte
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
