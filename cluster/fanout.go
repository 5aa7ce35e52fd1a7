package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Commands that are not one slot. The command tips of the specs say which
// go to every master (ALL_SHARDS: KEYS, DBSIZE, FLUSHALL, SCRIPT EXISTS, ...)
// or every node (ALL_NODES: SCRIPT LOAD, CONFIG SET, ...), which are split
// per slot when their keys span several (MULTI_SHARD: MGET, MSET, DEL,
// EXISTS, UNLINK, TOUCH), and how the replies become one (the response
// policy). These paths allocate (they build one reply from several); the
// single-slot path does not.

// fanOut runs argv on every master or every node and merges the replies.
func (c *Client) fanOut(ctx context.Context, cmd route.Command, argv [][]byte, info keyspec.RouteInfo) error {
	st := c.state.Load()
	if st == nil {
		return errors.New("fastredis/cluster: no topology yet")
	}
	nodes := st.masters
	if info.Request == keyspec.RequestAllNodes {
		nodes = st.all
	}
	replies := make([][]byte, len(nodes))
	errs := make([]error, len(nodes))
	if len(nodes) > 1 {
		ctx = &netpoll.ConcurrentWait{Context: ctx} // none of the calls polls
	}
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], errs[i] = route.Call(ctx, n.client, nil, argv, false)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("fastredis/cluster: %s on %s: %w", upper(argv[0]), nodes[i].addr, err)
		}
	}
	addrs := make([]string, len(nodes))
	for i, n := range nodes {
		addrs[i] = n.addr
	}
	out, err := merge(info.Response, upper(argv[0]), replies, addrs)
	if err != nil {
		return err
	}
	return cmd.Deliver(out)
}

// split runs a MULTI_SHARD command whose keys span slots as one command per
// slot (one pipelined batch per node, the nodes concurrently) and merges
// the replies in key order. Its scratch is pooled.
func (c *Client) split(ctx context.Context, cmd route.Command, argv [][]byte, info keyspec.RouteInfo) error {
	ss := splitStates.get()
	defer ss.release()
	pos, err := keyspec.AppendKeyPositions(ss.pos[:0], argv)
	ss.pos = pos
	if err != nil || len(pos) == 0 {
		return fmt.Errorf("fastredis/cluster: cannot split %s by slot: %v", upper(argv[0]), err)
	}
	// Each key takes the arguments up to the next key (MSET's value). First
	// the groups (one per slot, in the order met) and their sizes, then
	// their arguments, laid out back to back in one slice.
	groupOf := ss.groupOf[:0]
	ss.slots, ss.sizes = ss.slots[:0], ss.sizes[:0]
	ss.mapped = len(pos) > linearSlots
	if ss.mapped {
		if ss.bySlot == nil {
			ss.bySlot = make(map[int]int, len(pos))
		}
		clear(ss.bySlot)
	}
	for i, p := range pos {
		end := len(argv)
		if i+1 < len(pos) {
			end = pos[i+1]
		}
		s := keyspec.SlotBytes(argv[p])
		gi := ss.groupFor(s)
		if gi < 0 {
			gi = len(ss.slots)
			ss.slots, ss.sizes = append(ss.slots, s), append(ss.sizes, 1) // the command name
			if ss.mapped {
				ss.bySlot[s] = gi
			}
		}
		ss.sizes[gi] += end - p
		groupOf = append(groupOf, gi)
	}
	ss.groupOf = groupOf
	ss.argvs = ss.argvs[:0]
	total := 0
	for _, size := range ss.sizes {
		total += size
	}
	if cap(ss.argvBuf) < total {
		ss.argvBuf = make([][]byte, total)
	}
	ss.argvBuf = ss.argvBuf[:total]
	buf := ss.argvBuf
	start := 0
	for _, size := range ss.sizes {
		buf[start] = argv[0]
		ss.argvs = append(ss.argvs, buf[start:start+1:start+size])
		start += size
	}
	for i, p := range pos {
		end := len(argv)
		if i+1 < len(pos) {
			end = pos[i+1]
		}
		gi := groupOf[i]
		ss.argvs[gi] = append(ss.argvs[gi], argv[p:end]...)
	}
	replies, err := c.runSplit(ctx, ss, ss.argvs, ss.slots, info.ReadOnly)
	if err != nil {
		return err
	}
	if info.Response != keyspec.ResponseDefault {
		out, err := merge(info.Response, upper(argv[0]), replies, nil)
		if err != nil {
			return err
		}
		return cmd.Deliver(out)
	}
	// MGET: the groups' arrays, back in key order. Each reply was parsed
	// as it arrived and kept with AppendValue: read back, not parsed again.
	ss.its = ss.its[:0]
	for i, r := range replies {
		v := resp.Appended(r)
		if v.IsError() {
			return cmd.Deliver(r)
		}
		if v.Type() != resp.Array || v.Len() != ss.sizes[i]-1 {
			return fmt.Errorf("fastredis/cluster: %s: a node replied %s to %d keys", upper(argv[0]), v.Type(), ss.sizes[i]-1)
		}
		ss.its = append(ss.its, v.Iter())
	}
	out := resp.AppendArrayHeader(ss.out[:0], len(pos))
	for k := range pos {
		it := &ss.its[groupOf[k]]
		if !it.Next() {
			return fmt.Errorf("fastredis/cluster: %s: short reply", upper(argv[0]))
		}
		out = resp.AppendValue(out, it.Value())
	}
	ss.out = out
	return cmd.Deliver(out)
}

// linearSlots is the most keys a split groups by slot with a linear search
// of the slots met so far; past it, the search is a map (an MGET of 100 keys
// in 100 slots made 5,000 comparisons).
const linearSlots = 16

// groupFor returns the index of slot s's group, or -1.
func (ss *splitState) groupFor(s int) int {
	if ss.mapped {
		if gi, ok := ss.bySlot[s]; ok {
			return gi
		}
		return -1
	}
	for j, x := range ss.slots {
		if x == s {
			return j
		}
	}
	return -1
}

// splitState is the scratch of one split, pooled.
type splitState struct {
	pos, groupOf, slots, sizes []int
	bySlot                     map[int]int // slot to group, when mapped
	mapped                     bool        // the split has more than linearSlots keys
	argvBuf                    [][]byte
	argvs                      [][][]byte
	its                        []resp.Iterator
	out                        []byte
	replies                    [][]byte
	errs                       []error
	batches                    []*splitBatch
	wg                         sync.WaitGroup
	cw                         netpoll.ConcurrentWait // the batches' context when there are several
}

var splitStates = newFreeList[splitState](64)

// maxKeptKeys bounds the scratch a pooled splitState keeps, in keys (or
// commands) per split: a split of more (an MSET of thousands of keys) drops
// its scratch on release, so that one large split neither holds the memory
// nor makes every later release and batch walk it.
const maxKeptKeys = 1024

func (ss *splitState) release() {
	// Only what this split used is cleared (the slices' lengths): clearing
	// whole capacities made every small split pay for the largest one.
	clear(ss.argvBuf)
	clear(ss.argvs)
	clear(ss.replies)
	clear(ss.errs)
	if cap(ss.out) > 64<<10 {
		ss.out = nil
	}
	if cap(ss.argvBuf) > 2*maxKeptKeys || cap(ss.pos) > maxKeptKeys {
		ss.pos, ss.groupOf, ss.slots, ss.sizes = nil, nil, nil, nil
		ss.argvBuf, ss.argvs, ss.replies, ss.errs = nil, nil, nil, nil
		ss.its = nil
		ss.bySlot = nil
	}
	for _, b := range ss.batches[:cap(ss.batches)] {
		if b == nil {
			continue
		}
		if cap(b.out) > maxKeptKeys {
			b.out, b.idx, b.part = nil, nil, nil
			continue
		}
		for j, o := range b.out {
			if cap(o) > 64<<10 {
				b.out[j] = nil // let a large reply go
			}
		}
	}
	splitStates.put(ss)
}

// runSplit runs one command per slot: those of each node as one pipelined
// batch, the nodes concurrently (on the client's workers). A part
// redirected (MOVED, ASK, TRYAGAIN) or whose node failed is run again
// alone, with callSlot's retries. The replies are views into ss, valid
// until it is released.
func (c *Client) runSplit(ctx context.Context, ss *splitState, argvs [][][]byte, slots []int, readOnly bool) ([][]byte, error) {
	n := len(argvs)
	if cap(ss.replies) < n {
		ss.replies, ss.errs = make([][]byte, n), make([]error, n)
	}
	ss.replies, ss.errs = ss.replies[:n], ss.errs[:n]
	replies, errs := ss.replies, ss.errs
	clear(errs)
	batches := ss.batches[:0]
	for i, slot := range slots {
		nd, err := c.pick(slot, true, readOnly)
		if err != nil {
			nd = nil // callSlot will wait for the map
		}
		bi := -1
		for j := range batches {
			if batches[j].node == nd {
				bi = j
			}
		}
		if bi < 0 {
			bi = len(batches)
			if bi < cap(batches) {
				batches = batches[:bi+1]
			} else {
				batches = append(batches, nil)
			}
			if batches[bi] == nil {
				batches[bi] = new(splitBatch)
			}
			b := batches[bi]
			b.c, b.ctx, b.node, b.readOnly = c, ctx, nd, readOnly
			b.argvs, b.slots, b.replies, b.errs = argvs, slots, replies, errs
			b.idx, b.part = b.idx[:0], b.part[:0]
		}
		b := batches[bi]
		b.idx = append(b.idx, i)
		b.part = append(b.part, argvs[i])
	}
	ss.batches = batches
	if len(batches) > 1 {
		// Several replies awaited together: none of the calls polls.
		ss.cw.Context = ctx
		for _, b := range batches {
			b.ctx = &ss.cw
		}
	}
	// The last batch on this goroutine, the others on the workers.
	ss.wg.Add(len(batches) - 1)
	for _, b := range batches[:len(batches)-1] {
		b.wg = &ss.wg
		c.runJob(b)
	}
	last := batches[len(batches)-1]
	last.wg = nil
	last.run()
	ss.wg.Wait()
	for _, b := range batches {
		b.ctx, b.node, b.argvs, b.slots, b.replies, b.errs, b.wg = nil, nil, nil, nil, nil, nil, nil
		clear(b.part)
	}
	ss.cw.Context = nil
	return replies, errors.Join(errs...)
}

// splitBatch is one node's part of a split command: the commands of its
// slots, run as one pipelined batch. Pooled with its splitState.
type splitBatch struct {
	c        *Client
	ctx      context.Context
	node     *node
	readOnly bool
	idx      []int      // which of the split's commands
	part     [][][]byte // their arguments
	out      [][]byte   // their replies (buffers reused)
	argvs    [][][]byte // the whole split's, and its results:
	slots    []int
	replies  [][]byte
	errs     []error
	wg       *sync.WaitGroup
}

func (b *splitBatch) run() {
	var err error
	if b.node != nil {
		out := b.out[:min(len(b.out), len(b.part))] // the buffers of this batch's replies
		for j := range out {
			out[j] = out[j][:0]
		}
		b.out, err = route.CallMany(b.ctx, b.node.client, b.part, out)
	}
	for j, i := range b.idx {
		if b.node != nil && err == nil && !isRedirectionReply(b.out[j]) {
			b.replies[i] = b.out[j]
			continue
		}
		b.replies[i], b.errs[i] = b.c.callSlot(b.ctx, b.slots[i], b.argvs[i], b.readOnly)
	}
	if b.wg != nil {
		b.wg.Done()
	}
}

// isRedirectionReply reports whether an encoded reply is an error that
// redirects or asks for a retry (MOVED, ASK, TRYAGAIN, ...), without
// parsing the replies that are not errors.
func isRedirectionReply(reply []byte) bool {
	if len(reply) == 0 || (reply[0] != '-' && reply[0] != '!') {
		return false
	}
	return replyRedirection(reply).kind != ""
}

// callSlot runs argv on the node of slot and returns its reply, following
// MOVED and ASK and retrying TRYAGAIN and unreachable nodes within the
// budget, as runSlot does for a single command.
func (c *Client) callSlot(ctx context.Context, slot int, argv [][]byte, readOnly bool) ([]byte, error) {
	var target *node
	asking := false
	tries := 0
	for {
		if target == nil {
			n, err := c.pick(slot, true, readOnly)
			if err != nil {
				c.requestRefresh("no node for slot")
				if werr := c.retryWait(ctx, &tries, argv, err); werr != nil {
					return nil, werr
				}
				continue
			}
			target = n
		}
		reply, err := route.Call(ctx, target.client, nil, argv, asking)
		asking = false
		if err != nil {
			if ctx.Err() != nil || c.closed.Load() || !c.retryable(err, target) {
				return nil, err
			}
			c.requestRefresh("node failing")
			last := fmt.Errorf("node %s: %w", target.addr, err)
			target = nil
			if werr := c.retryWait(ctx, &tries, argv, last); werr != nil {
				return nil, werr
			}
			continue
		}
		rd := replyRedirection(reply)
		switch rd.kind {
		case "":
			return reply, nil
		case "MOVED", "ASK":
			tries++
			if tries > c.opts.MaxRedirects {
				return nil, c.budgetError(argv, tries, errors.New(firstLine(reply)))
			}
			if target, asking, err = c.follow(rd, target); err != nil {
				return nil, err
			}
		default:
			if rd.kind != "TRYAGAIN" {
				c.requestRefresh(rd.kind)
				target = nil
			}
			if werr := c.retryWait(ctx, &tries, argv, fmt.Errorf("%s", firstLine(reply))); werr != nil {
				return nil, werr
			}
		}
	}
}

// replyRedirection reads a redirection from an encoded error reply.
func replyRedirection(reply []byte) redirection {
	var rd resp.Reader
	v, _, err := rd.Parse(reply)
	if err != nil || !v.IsError() {
		return redirection{}
	}
	return parseRedirection(errorOf(v.String()))
}

// merge makes one reply of several, as the response policy says.
func merge(policy keyspec.ResponsePolicy, name string, replies [][]byte, addrs []string) ([]byte, error) {
	vals := make([]resp.Value, len(replies))
	readers := make([]resp.Reader, len(replies))
	for i, r := range replies {
		v, _, err := readers[i].Parse(r)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	firstErr := func() []byte {
		for i, v := range vals {
			if v.IsError() {
				return replies[i]
			}
		}
		return nil
	}
	switch policy {
	case keyspec.ResponseAllSucceeded:
		if e := firstErr(); e != nil {
			return e, nil
		}
		return replies[0], nil
	case keyspec.ResponseOneSucceeded:
		for i, v := range vals {
			if !v.IsError() {
				return replies[i], nil
			}
		}
		return replies[len(replies)-1], nil
	case keyspec.ResponseAggSum, keyspec.ResponseAggMin, keyspec.ResponseAggMax:
		if e := firstErr(); e != nil {
			return e, nil
		}
		var acc int64
		for i, v := range vals {
			n, err := v.Int()
			if err != nil {
				return nil, fmt.Errorf("fastredis/cluster: %s: a node replied %s, not an integer", name, v.Type())
			}
			switch {
			case i == 0:
				acc = n
			case policy == keyspec.ResponseAggSum:
				acc += n
			case policy == keyspec.ResponseAggMin:
				acc = min(acc, n)
			default:
				acc = max(acc, n)
			}
		}
		return resp.AppendInt(nil, acc), nil
	case keyspec.ResponseAggLogicalAnd, keyspec.ResponseAggLogicalOr:
		if e := firstErr(); e != nil {
			return e, nil
		}
		return mergeLogical(policy == keyspec.ResponseAggLogicalAnd, name, vals)
	case keyspec.ResponseSpecial:
		if e := firstErr(); e != nil {
			return e, nil
		}
		return mergeSpecial(name, vals, replies, addrs), nil
	}
	// Default: arrays are concatenated (KEYS, SLOWLOG GET); anything else
	// is taken from the first node, after checking none failed.
	if e := firstErr(); e != nil {
		return e, nil
	}
	if vals[0].Type() != resp.Array && vals[0].Type() != resp.Set {
		return replies[0], nil
	}
	n := 0
	for _, v := range vals {
		n += v.Len()
	}
	out := resp.AppendArrayHeader(nil, n)
	for _, v := range vals {
		it := v.Iter()
		for it.Next() {
			out = resp.AppendValue(out, it.Value())
		}
	}
	return out, nil
}

// mergeLogical ANDs or ORs integers, or arrays of them element by element
// (SCRIPT EXISTS).
func mergeLogical(and bool, name string, vals []resp.Value) ([]byte, error) {
	if vals[0].Type() == resp.Array {
		n := vals[0].Len()
		acc := make([]bool, n)
		for i, v := range vals {
			if v.Len() != n {
				return nil, fmt.Errorf("fastredis/cluster: %s: nodes replied arrays of different lengths", name)
			}
			it := v.Iter()
			for j := 0; it.Next(); j++ {
				x, err := it.Value().Int()
				if err != nil {
					return nil, fmt.Errorf("fastredis/cluster: %s: %w", name, err)
				}
				switch {
				case i == 0:
					acc[j] = x != 0
				case and:
					acc[j] = acc[j] && x != 0
				default:
					acc[j] = acc[j] || x != 0
				}
			}
		}
		out := resp.AppendArrayHeader(nil, n)
		for _, b := range acc {
			out = resp.AppendInt(out, boolInt(b))
		}
		return out, nil
	}
	acc := and
	for _, v := range vals {
		x, err := v.Int()
		if err != nil {
			return nil, fmt.Errorf("fastredis/cluster: %s: %w", name, err)
		}
		if and {
			acc = acc && x != 0
		} else {
			acc = acc || x != 0
		}
	}
	return resp.AppendInt(nil, boolInt(acc)), nil
}

// mergeSpecial merges what the specs leave to the client: RANDOMKEY takes a
// key from a random node that has one; text (INFO, MEMORY DOCTOR) is each
// node's, under a "# node <addr>" line; arrays are concatenated; other
// replies (maps: MEMORY STATS, FUNCTION STATS) become an array of node
// address and reply pairs.
func mergeSpecial(name string, vals []resp.Value, replies [][]byte, addrs []string) []byte {
	if name == "RANDOMKEY" {
		for _, i := range rand.Perm(len(vals)) {
			if !vals[i].IsNull() {
				return replies[i]
			}
		}
		return replies[0]
	}
	switch vals[0].Type() {
	case resp.BulkString, resp.VerbatimString, resp.SimpleString:
		var text []byte
		for i, v := range vals {
			if addrs != nil {
				text = append(text, "# node "+addrs[i]+"\r\n"...)
			}
			text = v.AppendBytes(text)
			if len(text) > 0 && text[len(text)-1] != '\n' {
				text = append(text, "\r\n"...)
			}
		}
		return resp.AppendBulk(nil, text)
	case resp.Array:
		n := 0
		for _, v := range vals {
			n += v.Len()
		}
		out := resp.AppendArrayHeader(nil, n)
		for _, v := range vals {
			it := v.Iter()
			for it.Next() {
				out = resp.AppendValue(out, it.Value())
			}
		}
		return out
	}
	out := resp.AppendArrayHeader(nil, 2*len(vals))
	for i, v := range vals {
		addr := strconv.Itoa(i)
		if addrs != nil {
			addr = addrs[i]
		}
		out = resp.AppendBulkString(out, addr)
		out = resp.AppendValue(out, v)
	}
	return out
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func upper(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			return string(b[:i])
		}
	}
	return string(b)
}

// errorOf makes an error reply's text an *fastredis.Error.
func errorOf(text string) error {
	prefix, msg, _ := strings.Cut(text, " ")
	return &fastredis.Error{Prefix: prefix, Message: msg}
}
