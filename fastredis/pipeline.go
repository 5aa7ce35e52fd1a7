package fastredis

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fastredis/fastredis/resp"
)

// A Pipeline queues commands and sends them in one batch, in one round trip,
// when Exec is called. It has the same typed methods as Client, without the
// context: each queues its command and returns a Future that holds the
// command's own result or error once Exec has returned. One command failing
// does not fail the others.
//
//	p := client.Pipeline()
//	set := p.Set("foo", "bar")
//	get := p.Get("foo")
//	if err := p.Exec(ctx); err != nil { ... } // the batch could not run
//	v, err := get.Result()                    // "bar", nil
//
// The client's KeyPrefix applies to every command, as it does on the Client.
// A Pipeline can be Reset and filled again: once its buffers have grown to
// fit, a reused pipeline allocates nothing (use the Append forms to read
// strings into buffers of your own). Multi and EndMulti wrap part of a
// pipeline in a transaction; Client.TxPipeline makes a pipeline that is one
// transaction as a whole.
//
// A Pipeline is not safe for concurrent use: queue, run and read it from one
// goroutine at a time.
type Pipeline struct {
	c     *Client
	tx    bool        // a TxPipeline: MULTI ... EXEC around every command
	buf   []byte      // the encoded commands
	slots []pipeSlot  // one per Future
	wire  []wireReply // one per reply the batch gets back
	raw   []byte      // raw replies of the slots decoded when read
	args  argBuf      // the command being queued
	gen   uint32      // counts Resets; a Future of an older generation is stale
	ran   bool        // Exec has run since the last command was queued

	inMulti    bool  // between Multi and EndMulti
	multiFirst int32 // the first slot of the open transaction

	got      int   // replies received in the current Exec
	skip     int   // replies to drop before the batch's (a routed transaction's ASKING)
	execErr  error // a TxPipeline's outcome
	noscript bool  // a script slot got NOSCRIPT and can be retried with EVAL

	info PipelineInfo // the view the pipeline hooks get during Exec

	retryBuf  []byte      // the EVAL calls retrying NOSCRIPT failures
	retryWire []wireReply // their slots

	// A routed view's pipeline (pipeline_routed.go): the runs of the
	// current Exec, reused across Execs.
	subsMu   sync.Mutex
	subs     []*routedSub
	subsUsed int
	subBases []int
	batchLo  int32 // the commands the router runs now: [batchLo, batchHi)
	batchHi  int32
	// argvScratch holds a command's argument views while a routed
	// transaction's keys are checked.
	argvScratch [][]byte
}

// pipeSlot is the state behind one Future.
type pipeSlot struct {
	result
	filled     bool   // a reply was delivered to it in this run
	queueErr   bool   // inside a transaction, its queueing failed
	localErr   error  // an error found while queueing; never reset by Exec
	dst0       []byte // an Append form's dst as given
	start, end int    // its raw reply in Pipeline.raw (modeRaw)
	sub        int32  // routed pipelines: 1 + the routedSub whose raw holds the reply, 0 for Pipeline.raw

	script   *Script // a script call's script
	retry    bool    // an EVALSHA to run again with EVAL on NOSCRIPT
	cmdStart int     // the command's bytes in Pipeline.buf
	cmdEnd   int
}

// What a reply on the wire is for.
const (
	wireCmd    = iota // a command's reply
	wireMulti         // MULTI's +OK
	wireQueued        // +QUEUED (or a queueing error) for a command inside MULTI
	wireExec          // EXEC's array of results
)

type wireReply struct {
	kind  uint8
	slot  int32 // the slot it fills, or -1 (a TxPipeline's MULTI and EXEC)
	first int32 // wireExec: the transaction's first slot
	n     int32 // wireExec: how many slots the transaction has
}

var (
	errOpenMulti   = errors.New("fastredis: pipeline has a Multi without its EndMulti")
	errNestedMulti = errors.New("fastredis: Multi inside a transaction: transactions do not nest")
	errNoMulti     = errors.New("fastredis: EndMulti without Multi")
	errTxMulti     = errors.New("fastredis: Multi in a TxPipeline, which is a transaction already")
)

// Pipeline returns an empty pipeline that runs on the client's connections.
func (c *Client) Pipeline() *Pipeline {
	return &Pipeline{c: c}
}

// Pipelined queues commands with fn on a new pipeline and runs it. The
// Futures fn kept hold the results.
func (c *Client) Pipelined(ctx context.Context, fn func(p *Pipeline)) error {
	p := c.Pipeline()
	fn(p)
	return p.Exec(ctx)
}

// Len returns the number of commands queued (Multi and EndMulti count as
// one each; a TxPipeline's implicit MULTI and EXEC do not).
func (p *Pipeline) Len() int { return len(p.slots) }

// Reset empties the pipeline, keeping its buffers for reuse. Futures from
// before the Reset return ErrNotRun.
func (p *Pipeline) Reset() {
	p.buf, p.slots, p.wire, p.raw = p.buf[:0], p.slots[:0], p.wire[:0], p.raw[:0]
	p.gen++
	p.ran, p.inMulti, p.execErr, p.noscript = false, false, nil, false
}

// newArgs starts queueing a command; its arguments follow, and queue ends it.
func (p *Pipeline) newArgs(name string) *argBuf {
	a := &p.args
	a.reset(p.c.opts.KeyPrefix)
	a.name = name
	return a.str(name)
}

// queue encodes the command in p.args and gives it a slot.
func (p *Pipeline) queue(mode resultMode, command string) int32 {
	if err := p.args.err; err != nil {
		// An argument could not be encoded: the command is not sent, and
		// its Future holds the error (inside a transaction, EXEC aborts).
		return p.queueFailed(command, err)
	}
	if command == "CLIENT TRACKING" && p.c.pin == nil {
		return p.queueFailed(command, connStateError(command))
	}
	start := len(p.buf)
	p.buf = resp.AppendArrayHeader(p.buf, p.args.n)
	p.buf = p.args.appendTo(p.buf) // copies large arguments: the caller may reuse them
	idx := p.addSlot(mode, command)
	s := &p.slots[idx]
	s.cmdStart, s.cmdEnd = start, len(p.buf)
	p.addWire(idx)
	if cap(p.args.b) > 64<<10 {
		p.args.b = nil // let a buffer grown by many arguments go
	}
	p.args.reset("")
	return idx
}

func (p *Pipeline) addSlot(mode resultMode, command string) int32 {
	p.ran = false
	idx := len(p.slots)
	if idx < cap(p.slots) {
		p.slots = p.slots[:idx+1]
		p.slots[idx] = pipeSlot{}
	} else {
		p.slots = append(p.slots, pipeSlot{})
	}
	s := &p.slots[idx]
	s.mode, s.command = mode, command
	return int32(idx)
}

// addWire records the reply a queued command gets: its result, or inside a
// transaction +QUEUED (the result comes with EXEC's).
func (p *Pipeline) addWire(idx int32) {
	if p.tx {
		return // Exec lays out a TxPipeline's replies
	}
	kind := uint8(wireCmd)
	if p.inMulti {
		kind = wireQueued
	}
	p.wire = append(p.wire, wireReply{kind: kind, slot: idx})
}

// failed queues nothing and returns a Future holding err. Inside a
// transaction it sends a command the server rejects instead, so that EXEC
// aborts rather than run the transaction without this command.
func failed[T any](p *Pipeline, command string, err error) Future[T] {
	return Future[T]{p: p, idx: p.queueFailed(command, err), gen: p.gen}
}

// queueFailed gives a command that cannot be sent a slot holding err; see
// failed.
func (p *Pipeline) queueFailed(command string, err error) int32 {
	if p.tx || p.inMulti {
		p.args.reset("")
		p.args.str("") // an empty command name: rejected while queueing
		idx := p.queue(modeStatus, command)
		p.slots[idx].localErr = err
		return idx
	}
	p.args.reset("")
	idx := p.addSlot(modeStatus, command)
	p.slots[idx].localErr = err
	return idx
}

// queued finishes a typed method: the command in p.args gets a slot read by
// get.
func queued[T any](p *Pipeline, mode resultMode, command string, get func(*Pipeline, *pipeSlot) (T, error)) Future[T] {
	return Future[T]{p: p, idx: p.queue(mode, command), gen: p.gen, get: get}
}

// queuedAppend finishes an Append form: the reply is appended to dst.
func queuedAppend(p *Pipeline, command string, dst []byte) Future[[]byte] {
	idx := p.queue(modeAppend, command)
	p.slots[idx].dst0, p.slots[idx].dst = dst, dst
	return Future[[]byte]{p: p, idx: idx, gen: p.gen, get: getAppend}
}

// queuedRaw finishes a method whose reply is decoded by dec when read.
func queuedRaw[T any](p *Pipeline, command string, dec func(resp.Value) (T, error)) Future[T] {
	return Future[T]{p: p, idx: p.queue(modeRaw, command), gen: p.gen, dec: dec}
}

// Do queues any command by name, with its arguments flattened as for
// Client.Do, whose transformers apply. An argument Do cannot encode fails
// this command only (inside a transaction, the transaction).
func (p *Pipeline) Do(args ...any) Future[Reply] {
	name := commandName(args)
	if err := refuseOnPipeline(name, args); err != nil {
		return failed[Reply](p, name, err)
	}
	if fn := p.c.argTransformer(name); fn != nil {
		rest, err := fn(args[1:])
		if err != nil {
			return failed[Reply](p, name, err)
		}
		args = append([]any{args[0]}, rest...)
	}
	start := len(p.buf)
	buf, err := p.c.appendCommand(p.buf, args)
	if err != nil {
		p.buf = p.buf[:start]
		return failed[Reply](p, name, err)
	}
	p.buf = buf
	idx := p.addSlot(modeReply, name)
	p.slots[idx].cmdStart, p.slots[idx].cmdEnd = start, len(p.buf)
	p.addWire(idx)
	return Future[Reply]{p: p, idx: idx, gen: p.gen, get: getDoReply}
}

// DoAll queues a list of commands given by name, each as for Do, and
// returns their Futures in order:
//
//	fs := p.DoAll([][]any{{"SET", "foo", "bar"}, {"GET", "foo"}})
func (p *Pipeline) DoAll(cmds [][]any) []Future[Reply] {
	fs := make([]Future[Reply], len(cmds))
	for i, cmd := range cmds {
		fs[i] = p.Do(cmd...)
	}
	return fs
}

// Multi opens a transaction inside the pipeline: the commands queued until
// EndMulti run as one MULTI ... EXEC, while the rest of the pipeline runs
// around it. Its Future holds MULTI's outcome.
func (p *Pipeline) Multi() Future[OK] {
	switch {
	case p.tx:
		return failed[OK](p, "MULTI", errTxMulti)
	case p.inMulti:
		return failed[OK](p, "MULTI", errNestedMulti)
	}
	f := queued(p.start("MULTI"), modeStatus, "MULTI", getOK)
	p.wire[len(p.wire)-1].kind = wireMulti
	p.inMulti, p.multiFirst = true, int32(len(p.slots))
	return f
}

// EndMulti closes the transaction Multi opened. Its Future holds the
// transaction's outcome: nil when EXEC ran (each command's result, or
// run-time error, is in its own Future), an *ExecAbortError when a command
// was refused while queueing (and so none ran), or ErrTxFailed when a
// watched key changed.
func (p *Pipeline) EndMulti() Future[OK] {
	if !p.inMulti {
		return failed[OK](p, "EXEC", errNoMulti)
	}
	first := p.multiFirst
	p.inMulti = false
	f := queued(p.start("EXEC"), modeStatus, "EXEC", getOK)
	p.wire[len(p.wire)-1] = wireReply{kind: wireExec, slot: f.idx, first: first, n: f.idx - first}
	return f
}

// start begins a command without arguments.
func (p *Pipeline) start(name string) *Pipeline {
	p.newArgs(name)
	return p
}

// Exec sends the queued commands in one batch and waits for every reply.
// It returns an error only when the batch could not run as a whole: the
// context ended, or the connection failed (commands whose replies had not
// arrived then hold that error). Each command's own outcome is in its
// Future. A TxPipeline's Exec also returns the transaction's outcome.
//
// Exec can be called again: the same commands run again and the Futures
// hold the new results.
//
// With Options.ReconnectOnError, a command whose reply is an error the
// policy answers with ReconnectAndResend (READONLY after a failover) is sent
// again on the new connection, and so is a transaction EXEC aborted because
// of one; commands that ran, and transactions that ran, are not.
func (p *Pipeline) Exec(ctx context.Context) error {
	if p.inMulti {
		return errOpenMulti
	}
	if ch := p.c.hooks.chain.Load(); ch != nil {
		p.info = PipelineInfo{p: p, addr: p.c.serverAddr(), db: p.c.DB()}
		if p.c.router != nil {
			p.info.addr = "" // a cluster's pipeline goes to every node its keys need
		}
		err := ch.pipeline(ctx, &p.info)
		p.info = PipelineInfo{}
		return err
	}
	return p.exec(ctx)
}

// exec runs the pipeline: the end of the pipeline hook chain.
func (p *Pipeline) exec(ctx context.Context) error {
	for i := range p.slots {
		p.slots[i].clear()
	}
	p.raw, p.got, p.execErr, p.noscript, p.ran = p.raw[:0], 0, nil, false, true
	if p.c.router != nil {
		return p.execRouted(ctx)
	}
	if p.tx {
		if len(p.slots) == 0 {
			return nil
		}
		p.layOutTx()
	}
	if len(p.wire) == 0 {
		return nil
	}
	deadline := p.c.readDeadline(ctx)
	var trip tripInfo
	if err := p.c.roundTrip(ctx, deadline, (*pipelineReplies)(p), len(p.wire), len(p.buf), p.encode, p.answered, &trip); err != nil {
		p.failUnanswered(err, trip.sent)
		if p.tx {
			return p.execErr
		}
		return err
	}
	if p.c.opts.ReconnectOnError != nil {
		if err := p.reconnectOnError(ctx, deadline, trip.conn); err != nil {
			return err
		}
	}
	if p.tx && p.c.pin != nil {
		p.c.pin.watching.Store(false) // EXEC unwatches, whatever its outcome
	}
	if p.noscript {
		if err := p.retryScripts(ctx, deadline); err != nil {
			return err
		}
	}
	return p.execErr
}

// answered reports whether a reply of the current run has arrived (then
// the batch is not resent after a disconnect).
func (p *Pipeline) answered() bool { return p.got > 0 }

// encode writes the batch; a TxPipeline's goes between MULTI and EXEC.
func (p *Pipeline) encode(b []byte) []byte {
	if !p.tx {
		return append(b, p.buf...)
	}
	b = append(b, "*1\r\n$5\r\nMULTI\r\n"...)
	b = append(b, p.buf...)
	return append(b, "*1\r\n$4\r\nEXEC\r\n"...)
}

// layOutTx lists a TxPipeline's replies: MULTI's, one +QUEUED per command,
// and EXEC's.
func (p *Pipeline) layOutTx() {
	p.wire = append(p.wire[:0], wireReply{kind: wireMulti, slot: -1})
	for i := range p.slots {
		p.wire = append(p.wire, wireReply{kind: wireQueued, slot: int32(i)})
	}
	p.wire = append(p.wire, wireReply{kind: wireExec, slot: -1, first: 0, n: int32(len(p.slots))})
}

// clear forgets a slot's result before a run.
func (s *pipeSlot) clear() {
	r := &s.result
	mode, command := r.mode, r.command
	*r = result{mode: mode, command: command, dst: s.dst0}
	s.filled, s.queueErr, s.start, s.end, s.sub = false, false, 0, 0, 0
}

// pipelineReplies is the Pipeline as the connection's reply handler.
type pipelineReplies Pipeline

// Reply routes the batch's i-th reply; it runs on the connection's reading
// side.
func (h *pipelineReplies) Reply(i int, v resp.Value) {
	p := (*Pipeline)(h)
	if p.info.p != nil {
		p.info.size += v.WireLen() // a hook is watching
	}
	if i < p.skip {
		return
	}
	i -= p.skip
	p.got = i + 1
	p.replyWire(&p.wire[i], v)
}

// replyWire hands a reply to what w says it is for.
func (p *Pipeline) replyWire(w *wireReply, v resp.Value) {
	switch w.kind {
	case wireCmd:
		p.deliver(w.slot, v)
	case wireMulti:
		if w.slot >= 0 {
			p.deliver(w.slot, v)
		}
	case wireQueued:
		s := &p.slots[w.slot]
		switch {
		case v.IsError():
			s.err, s.queueErr, s.filled = newError(v, s.command), true, true
		case v.Type() == resp.SimpleString && string(v.Bytes()) == "QUEUED":
		default:
			p.deliver(w.slot, v) // MULTI was refused, so the command ran at once
		}
	case wireExec:
		p.deliverExec(w, v)
	}
}

// deliver hands a reply to its slot.
func (p *Pipeline) deliver(idx int32, v resp.Value) {
	s := &p.slots[idx]
	s.filled = true
	if s.mode == modeRaw && !v.IsError() {
		s.start = len(p.raw)
		p.raw = resp.AppendValue(p.raw, v)
		s.end = len(p.raw)
		return
	}
	s.Reply(0, v)
	if s.script != nil {
		p.scriptReplied(s)
	}
}

// deliverExec hands EXEC's results to the transaction's slots, or its
// failure to every slot of the transaction.
func (p *Pipeline) deliverExec(w *wireReply, v resp.Value) {
	var err error
	switch {
	case v.IsError():
		e := newError(v, "EXEC")
		err = e
		if e.Prefix == "EXECABORT" {
			abort := &ExecAbortError{Err: e}
			for i := w.first; i < w.first+w.n; i++ {
				s := &p.slots[i]
				switch {
				case s.localErr != nil:
					abort.Errors = append(abort.Errors, s.localErr)
				case s.queueErr:
					abort.Errors = append(abort.Errors, s.err)
				}
			}
			err = abort
		}
	case v.IsNull():
		err = ErrTxFailed
	case v.Type() != resp.Array || v.Len() != int(w.n):
		err = fmt.Errorf("fastredis: EXEC replied with %s of %d for a transaction of %d commands", v.Type(), v.Len(), w.n)
	default:
		it := v.Iter()
		for i := w.first; it.Next(); i++ {
			p.deliver(i, it.Value())
		}
	}
	if err != nil {
		p.failTx(w, err)
	}
}

// failTx gives err to every slot of a transaction that has no outcome yet,
// and makes it the transaction's outcome.
func (p *Pipeline) failTx(w *wireReply, err error) {
	for i := w.first; i < w.first+w.n; i++ {
		if s := &p.slots[i]; !s.filled {
			s.err, s.filled = err, true
		}
	}
	if w.slot >= 0 {
		s := &p.slots[w.slot]
		s.err, s.filled = err, true
	} else {
		p.execErr = err
	}
}

// failUnanswered gives err to the commands whose replies did not arrive. A
// transaction whose EXEC reply did not arrive may or may not have run, if
// the batch was sent.
func (p *Pipeline) failUnanswered(err error, sent bool) {
	for i := p.got; i < len(p.wire); i++ {
		p.failWire(&p.wire[i], err, sent)
	}
}

// failWire gives err to what an unanswered reply was for.
func (p *Pipeline) failWire(w *wireReply, err error, sent bool) {
	switch w.kind {
	case wireCmd, wireMulti:
		if w.slot >= 0 {
			s := &p.slots[w.slot]
			s.err, s.filled = err, true
		}
	case wireExec:
		if sent {
			p.failTx(w, &TxUnknownError{Err: err})
		} else {
			p.failTx(w, err)
		}
	}
}

// refuseOnPipeline rejects the commands a pipeline cannot carry through Do:
// those that change the state of the connection under the batch, and the
// transaction commands, which have Multi and EndMulti.
func refuseOnPipeline(name string, args []any) error {
	switch name {
	case "MULTI", "EXEC", "DISCARD":
		return fmt.Errorf("fastredis: %s through Do on a pipeline: use Multi and EndMulti, or a TxPipeline", name)
	}
	return refuseConnState(name, args)
}
