package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
	"github.com/fastredis/fastredis/netpoll"
)

// Pipelines. c.Pipeline() is the routed view's: queue any mix of commands;
// Exec groups them by node, writes each group in one batch, runs the groups
// concurrently, and every Future holds its command's result, in the order
// queued. A command answered MOVED or ASK is sent again alone to the node
// named (ASKING written with it); TRYAGAIN and CLUSTERDOWN are retried
// after a backoff; commands that fan out or span slots are run as outside
// a pipeline. A group whose node is lost before any reply is sent again
// (its commands never ran, or, like a single command after a lost
// connection, may have: NodeOptions.DisableResend says no); a group partly
// answered is not, and its unanswered commands fail.

// doRouteBatch runs a pipeline of the routed view (route.BatchRouter).
// Commands that fan out or are split run where they stand in the queue:
// the commands before them first, so a pipeline that writes keys and then
// reads them across slots (MGET) sees its writes.
func (c *Client) doRouteBatch(ctx context.Context, b route.Batch) error {
	if c.closed.Load() {
		return fastredis.ErrClosed
	}
	n := b.Len()
	bs := getBatchState(n)
	defer putBatchState(bs)
	target, asking, segment, argv := bs.target, bs.asking, bs.segment, bs.argv
	for i := 0; i < n; i++ {
		if b.Skip(i) {
			continue
		}
		argv = b.Argv(i, argv[:0])
		if len(argv) == 0 {
			b.Fail(i, fastredis.ErrEmptyCommand)
			continue
		}
		info, err := keyspec.Route(argv)
		slot, keyed, serr := keyspec.ArgvSlot(argv)
		cross := errors.Is(serr, keyspec.ErrCrossSlot)
		if serr == nil {
			// group places it by these, without parsing it again.
			bs.placed[i] = placement{slot: int32(slot), keyed: keyed, readOnly: err == nil && info.ReadOnly, known: true}
		}
		switch {
		case err == nil && (info.Request == keyspec.RequestAllShards || info.Request == keyspec.RequestAllNodes ||
			info.Request == keyspec.RequestSpecial || (info.Request == keyspec.RequestMultiShard && cross)):
			// Fan-out, split or SCAN: as outside a pipeline, after what
			// came before it.
			c.runSegment(ctx, b, bs, segment, target, asking)
			segment = segment[:0]
			// runSegment parses other commands into the same scratch
			// (bs.argv): this command's views are read again.
			argv = b.Argv(i, bs.argv[:0])
			if err := c.route(ctx, &batchCommand{b: b, i: i}, argv); err != nil {
				b.Fail(i, err)
			}
		case cross:
			b.Fail(i, fmt.Errorf("%w: %s", ErrCrossSlot, strings.ToUpper(string(argv[0]))))
		default:
			segment = append(segment, i)
		}
	}
	c.runSegment(ctx, b, bs, segment, target, asking)
	bs.argv, bs.segment = argv, segment
	return nil
}

// batchState is the scratch of one RouteBatch, pooled so that a reused
// pipeline allocates nothing here.
type batchState struct {
	placed   []placement // per command, once doRouteBatch has parsed it
	target   []*node
	asking   []bool
	segment  []int
	next     []int
	unplaced []int
	argv     [][]byte
	groups   []*batchGroup
	free     []*batchGroup
	out      []groupOutcome
	wg       sync.WaitGroup
	cw       netpoll.ConcurrentWait // the groups' context when there are several
}

// placement is what places a command of a pipeline: its slot, whether it
// has keys, whether a replica may serve it.
type placement struct {
	slot            int32
	keyed, readOnly bool
	known           bool
}

type groupOutcome struct {
	answered int
	err      error
}

var batchStates = newFreeList[batchState](64)

func getBatchState(n int) *batchState {
	bs := batchStates.get()
	if cap(bs.target) < n {
		bs.target, bs.asking, bs.placed = make([]*node, n), make([]bool, n), make([]placement, n)
	}
	bs.target, bs.asking, bs.placed = bs.target[:n], bs.asking[:n], bs.placed[:n]
	clear(bs.target)
	clear(bs.asking)
	clear(bs.placed)
	bs.segment = bs.segment[:0]
	return bs
}

func putBatchState(bs *batchState) {
	clear(bs.target)
	clear(bs.argv)
	bs.argv = bs.argv[:0]
	batchStates.put(bs)
}

// runSegment runs commands grouped by node, and again those redirected or
// to be retried, within the budget; every command ends with a result.
func (c *Client) runSegment(ctx context.Context, b route.Batch, bs *batchState, pending []int, target []*node, asking []bool) {
	tries := 0
	for len(pending) > 0 {
		groups, unplaced, perr := c.group(b, bs, pending, target, asking)
		var next []int
		var wait bool
		var last error
		if len(groups) > 0 {
			next, wait, last = c.runGroups(ctx, b, bs, groups, target, asking)
		}
		if len(unplaced) > 0 {
			// Slots no node serves now (a failover under way): after the
			// backoff, with the topology read again, as outside a pipeline.
			c.requestRefresh("no node for slot")
			next = append(next[:len(next):len(next)], unplaced...)
			wait, last = true, perr
		}
		if len(next) == 0 {
			return
		}
		if ctx.Err() != nil {
			for _, i := range next {
				b.Fail(i, ctx.Err())
			}
			return
		}
		if wait {
			if werr := c.retryWait(ctx, &tries, [][]byte{[]byte("pipeline")}, last); werr != nil {
				for _, i := range next {
					b.Fail(i, werr)
				}
				return
			}
		} else if tries++; tries > c.opts.MaxRedirects {
			err := c.budgetError([][]byte{[]byte("pipeline")}, tries, last)
			for _, i := range next {
				b.Fail(i, err)
			}
			return
		}
		pending = next
	}
}

// batchGroup is the commands of a pipeline one node runs in one batch.
type batchGroup struct {
	node   *node
	idx    []int
	asking []bool
	job    groupJob
}

// groupJob is a group's Run, handed to a worker.
type groupJob struct {
	ctx context.Context
	b   route.Batch
	g   *batchGroup
	out *groupOutcome
	wg  *sync.WaitGroup
}

func (j *groupJob) run() {
	a, err := j.b.Run(j.ctx, j.g.node.client, j.g.idx, j.g.asking)
	*j.out = groupOutcome{a, err}
	j.wg.Done()
}

// pipelineWorkers is how many goroutines wait for pipeline groups and
// split batches from the start, so that a pipeline or a split command over
// several nodes starts none of its own. When every worker is busy, another
// is started, up to maxWorkers, and stays: under a steady load the pool
// settles at the size the load needs, and handing work over allocates
// nothing.
const (
	pipelineWorkers = 8
	maxWorkers      = 256
)

// job is work for the client's workers: a pipeline group, or a node's
// batch of a split command. Handing one over allocates nothing (a pointer
// to pooled state).
type job interface{ run() }

// runJob hands j to an idle worker; when none is idle, to a new worker (a
// new goroutine past maxWorkers).
func (c *Client) runJob(j job) {
	select {
	case c.jobs <- j:
		return
	default:
	}
	if c.ctx.Err() == nil && c.workers.Add(1) <= maxWorkers {
		c.startWorker(j)
		return
	}
	c.workers.Add(-1)
	go j.run()
}

// startWorkers starts the first workers; they end when the client closes.
func (c *Client) startWorkers() {
	c.jobs = make(chan job)
	c.workers.Store(pipelineWorkers)
	for range pipelineWorkers {
		c.startWorker(nil)
	}
}

// startWorker starts a worker that runs first (if not nil), then what
// comes on c.jobs until the client closes.
func (c *Client) startWorker(first job) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if first != nil {
			first.run()
		}
		for {
			select {
			case j := <-c.jobs:
				j.run()
			case <-c.ctx.Done():
				return
			}
		}
	}()
}

// group assigns each pending command to its node: the one a redirection
// named, or its slot's. Groups are few (one per node), so a linear search
// beats a map and allocates nothing.
//
// Commands whose slot no node serves now are returned apart (unplaced,
// with the reason), to be retried after a backoff.
func (c *Client) group(b route.Batch, bs *batchState, pending []int, target []*node, asking []bool) (groups []*batchGroup, unplaced []int, perr error) {
	bs.free = append(bs.free, bs.groups...)
	groups = bs.groups[:0]
	unplaced = bs.unplaced[:0]
	defer func() { bs.unplaced = unplaced }()
	argv := bs.argv
	defer func() { bs.argv = argv }()
	for _, i := range pending {
		n := target[i]
		if n == nil {
			pl := bs.placed[i]
			if !pl.known {
				argv = b.Argv(i, argv[:0])
				slot, keyed, err := keyspec.ArgvSlot(argv)
				pl = placement{slot: int32(slot), keyed: keyed && err == nil}
				if info, err := keyspec.Route(argv); err == nil {
					pl.readOnly = info.ReadOnly
				}
			}
			var err error
			n, err = c.pick(int(pl.slot), pl.keyed, pl.readOnly)
			if err != nil {
				unplaced, perr = append(unplaced, i), err
				continue
			}
		}
		var g *batchGroup
		for _, x := range groups {
			if x.node == n {
				g = x
				break
			}
		}
		if g == nil {
			if k := len(bs.free); k > 0 {
				g, bs.free = bs.free[k-1], bs.free[:k-1]
			} else {
				g = new(batchGroup)
			}
			g.node, g.idx, g.asking = n, g.idx[:0], g.asking[:0]
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
		g.asking = append(g.asking, asking[i])
	}
	bs.groups = groups
	return groups, unplaced, perr
}

// runGroups runs the groups concurrently and returns the commands to send
// again, whether to wait before (TRYAGAIN, CLUSTERDOWN, a node lost), and
// the last reason.
func (c *Client) runGroups(ctx context.Context, b route.Batch, bs *batchState, groups []*batchGroup, target []*node, asking []bool) (next []int, wait bool, last error) {
	if cap(bs.out) < len(groups) {
		bs.out = make([]groupOutcome, len(groups))
	}
	out := bs.out[:len(groups)]
	gctx := ctx
	if len(groups) > 1 {
		// Several replies awaited together: none of the calls polls.
		bs.cw.Context = ctx
		gctx = &bs.cw
	}
	// The last group runs on this goroutine; the others on the client's
	// workers (or goroutines of their own when every worker is busy).
	for gi, g := range groups[:len(groups)-1] {
		bs.wg.Add(1)
		g.job = groupJob{ctx: gctx, b: b, g: g, out: &out[gi], wg: &bs.wg}
		c.runJob(&g.job)
	}
	if g := groups[len(groups)-1]; true {
		a, err := b.Run(gctx, g.node.client, g.idx, g.asking)
		out[len(groups)-1] = groupOutcome{a, err}
	}
	bs.wg.Wait()
	bs.cw.Context = nil
	for _, g := range groups {
		g.job = groupJob{} // drop the references to this run
	}
	next = bs.next[:0]
	defer func() { bs.next = next }()
	for gi, g := range groups {
		o := out[gi]
		if o.err != nil {
			if o.answered == 0 && ctx.Err() == nil && !c.closed.Load() && c.retryable(o.err, g.node) {
				// Nothing came back: send the whole group again where its
				// slots are served now.
				c.emit(Event{Type: EventNodeFailing, Addr: g.node.addr, Err: o.err})
				c.requestRefresh("node failing")
				for _, i := range g.idx {
					target[i], asking[i] = nil, false
					next = append(next, i)
				}
				wait, last = true, fmt.Errorf("node %s: %w", g.node.addr, o.err)
				continue
			}
			// Partly answered: the answered keep their results, the others
			// fail (they may have run).
			for _, i := range g.idx {
				if b.ServerError(i) == nil && !answeredOK(b, i) {
					b.Fail(i, o.err)
				}
			}
			continue
		}
		for _, i := range g.idx {
			se := b.ServerError(i)
			if se == nil {
				continue
			}
			rd := parseRedirection(se)
			switch rd.kind {
			case "":
			case "MOVED", "ASK":
				n, ask, err := c.follow(rd, g.node)
				if err != nil {
					b.Fail(i, err)
					continue
				}
				target[i], asking[i] = n, ask
				next, last = append(next, i), se
			default:
				if rd.kind != "TRYAGAIN" {
					c.requestRefresh(rd.kind)
				}
				target[i], asking[i] = nil, false
				next, wait, last = append(next, i), true, se
			}
		}
	}
	return next, wait, last
}

// answeredOK is a hook for the partly-answered case: a command whose
// result came is left alone. Run's answered count does not say which, so
// the Batch's results do: a command without an error reply and without a
// result is the one to fail. (Results are set by the reply.)
func answeredOK(b route.Batch, i int) bool {
	type filler interface{ Filled(i int) bool }
	if f, ok := b.(filler); ok {
		return f.Filled(i)
	}
	return false
}

// batchCommand is one command of a pipeline as a route.Command, for the
// fan-out and split paths.
type batchCommand struct {
	b route.Batch
	i int
}

func (bc *batchCommand) Argv(dst [][]byte) [][]byte { return bc.b.Argv(bc.i, dst) }
func (bc *batchCommand) Blocking() bool             { return false }
func (bc *batchCommand) ServerError() error         { return bc.b.ServerError(bc.i) }
func (bc *batchCommand) Deliver(reply []byte) error { return bc.b.Deliver(bc.i, reply) }

// Run sends the one command alone.
func (bc *batchCommand) Run(ctx context.Context, node any, asking bool) error {
	_, err := bc.b.Run(ctx, node, []int{bc.i}, []bool{asking})
	return err
}

// execArgv names a transaction in budget errors.
var execArgv = [][]byte{[]byte("EXEC")}

// doRouteTx runs a transaction of the routed view (route.TxRouter): MULTI
// ... EXEC to the master of its slot as one unit; after MOVED (the queued
// commands were refused, EXEC aborted) the whole unit again to the new
// owner; after ASK, with ASKING before MULTI (the server keeps it until
// EXEC); after TRYAGAIN or CLUSTERDOWN, after the backoff. A transaction
// whose connection is lost before any reply is sent again; one partly
// answered is not (its outcome is unknown: fastredis.TxUnknownError).
func (c *Client) doRouteTx(ctx context.Context, slot int, keyed bool, tx route.Tx) error {
	if c.closed.Load() {
		return fastredis.ErrClosed
	}
	argv := execArgv
	var target *node
	asking := false
	tries := 0
	for {
		if target == nil {
			n, err := c.pick(slot, keyed, false)
			if err != nil {
				c.requestRefresh("no node for slot")
				if werr := c.retryWait(ctx, &tries, argv, err); werr != nil {
					return werr
				}
				continue
			}
			target = n
		}
		answered, err := tx.Run(ctx, target.client, asking)
		asking = false
		if err != nil {
			if answered || ctx.Err() != nil || c.closed.Load() || !c.retryable(err, target) {
				return nil // the commands' results and the outcome hold the error
			}
			c.requestRefresh("node failing")
			last := fmt.Errorf("node %s: %w", target.addr, err)
			target = nil
			if werr := c.retryWait(ctx, &tries, argv, last); werr != nil {
				return werr
			}
			continue
		}
		se := tx.Redirection()
		if se == nil {
			return nil
		}
		rd := parseRedirection(se)
		switch rd.kind {
		case "MOVED", "ASK":
			tries++
			if tries > c.opts.MaxRedirects {
				return c.budgetError(argv, tries, se)
			}
			if target, asking, err = c.follow(rd, target); err != nil {
				return err
			}
		default:
			if rd.kind != "TRYAGAIN" {
				c.requestRefresh(rd.kind)
				target = nil
			}
			if werr := c.retryWait(ctx, &tries, argv, se); werr != nil {
				return werr
			}
		}
	}
}

// doWatchNode lends WATCH the master of slot (route.WatchRouter).
func (c *Client) doWatchNode(ctx context.Context, slot int) (any, error) {
	if c.closed.Load() {
		return nil, fastredis.ErrClosed
	}
	n, err := c.pick(slot, true, false)
	if err != nil {
		c.requestRefresh("no node for slot")
		return nil, err
	}
	return n.client, nil
}

// doRedirected acts on WATCH's MOVED (patching the slot) and reports whether
// WATCH may be tried again.
func (c *Client) doRedirected(err error) bool {
	rd := parseRedirection(err)
	switch rd.kind {
	case "MOVED":
		_, merr := c.moved(rd.slot, c.opts.mapAddr(rd.addr))
		return merr == nil
	case "TRYAGAIN", "CLUSTERDOWN":
		c.requestRefresh(rd.kind)
		return true
	}
	return false
}
