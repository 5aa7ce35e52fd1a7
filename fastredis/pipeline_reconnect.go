package fastredis

import (
	"context"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// reconnectOnError applies Options.ReconnectOnError to the server errors of
// a pipeline that ran on cn, as it applies to single commands (a READONLY
// after a failover, say). When the policy asks for a reconnect for any of
// them, cn is closed, once. When it asks for ReconnectAndResend, the
// commands concerned are sent again on the next connection, in their
// order, as one batch, and their Futures get the new outcomes:
//   - a command outside a transaction whose reply was such an error (the
//     commands around it ran, and are not sent again);
//   - a transaction (Multi ... EndMulti, or a whole TxPipeline) that EXEC
//     aborted because of such a queueing error: none of it ran, so it is
//     sent whole.
//
// A transaction that ran is never sent again (an error among EXEC's
// results can only reconnect), nor is one whose MULTI was refused (its
// commands ran at once). Resending is bounded by MaxRetriesPerRequest
// rounds, and is off with NoRetries, with DisableResend, and on a Tx's
// connection, which cannot be replaced; the commands then keep their
// errors.
func (p *Pipeline) reconnectOnError(ctx context.Context, deadline time.Time, cn *netpoll.Conn) error {
	o := &p.c.opts
	for round := 1; ; round++ {
		mayResend := !o.DisableResend && p.c.pin == nil && o.MaxRetriesPerRequest != NoRetries &&
			(o.MaxRetriesPerRequest == UnlimitedRetries || round <= o.MaxRetriesPerRequest)
		reconnect := p.planResend(mayResend)
		if !reconnect {
			return nil
		}
		if cn != nil {
			cn.Close()
		}
		if len(p.retryWire) == 0 {
			return nil
		}
		var trip tripInfo
		if err := p.runRetry(ctx, deadline, &trip); err != nil {
			if p.tx {
				return p.execErr
			}
			return err
		}
		cn = trip.conn
	}
}

// planResend asks the policy about every server error of the last run. It
// reports whether any of them calls for a reconnect, and, when mayResend,
// lays out in retryBuf and retryWire what is to be sent again, clearing the
// Futures concerned.
func (p *Pipeline) planResend(mayResend bool) (reconnect bool) {
	p.retryBuf, p.retryWire = p.retryBuf[:0], p.retryWire[:0]
	if p.tx {
		action := p.txAction(-1, p.execErr, 0, int32(len(p.slots)))
		if action != NoReconnect {
			reconnect = true
		}
		if action == ReconnectAndResend && mayResend {
			p.retryBuf = p.encode(p.retryBuf)
			p.retryWire = append(p.retryWire, p.wire...)
			for i := range p.slots {
				p.slots[i].clear()
			}
			p.execErr = nil
		}
		return reconnect
	}
	for i := 0; i < len(p.wire); i++ {
		w := p.wire[i]
		switch w.kind {
		case wireCmd:
			s := &p.slots[w.slot]
			action := p.policyFor(s.err)
			if action != NoReconnect {
				reconnect = true
			}
			if action == ReconnectAndResend && mayResend {
				p.retryBuf = append(p.retryBuf, p.buf[s.cmdStart:s.cmdEnd]...)
				p.retryWire = append(p.retryWire, w)
				s.clear()
			}
		case wireMulti:
			j := i + 1
			for p.wire[j].kind != wireExec {
				j++ // EndMulti is required before Exec, so EXEC's reply is there
			}
			exec := p.wire[j]
			action := p.txAction(w.slot, p.slots[exec.slot].err, exec.first, exec.n)
			if action != NoReconnect {
				reconnect = true
			}
			if action == ReconnectAndResend && mayResend {
				p.retryBuf = append(p.retryBuf, p.buf[p.slots[w.slot].cmdStart:p.slots[exec.slot].cmdEnd]...)
				p.retryWire = append(p.retryWire, p.wire[i:j+1]...)
				for k := w.slot; k <= exec.slot; k++ {
					p.slots[k].clear()
				}
			}
			i = j
		}
	}
	return reconnect
}

// txAction is the policy's answer for a transaction: multi is MULTI's slot
// (-1 for a TxPipeline's own), outcome EXEC's, and the transaction's
// commands are the n slots from first. Only a transaction that EXEC aborted
// can be sent again; for any other, a resend becomes a reconnect.
func (p *Pipeline) txAction(multi int32, outcome error, first, n int32) ReconnectAction {
	action := NoReconnect
	if multi >= 0 {
		if a := p.policyFor(p.slots[multi].err); a != NoReconnect {
			return Reconnect // MULTI refused: its commands ran at once
		}
	}
	if abort, ok := outcome.(*ExecAbortError); ok {
		for _, err := range abort.Errors {
			action = max(action, p.policyFor(err))
		}
		return action
	}
	for i := first; i < first+n; i++ {
		action = max(action, p.policyFor(p.slots[i].err))
	}
	return min(action, Reconnect)
}

// policyFor is ReconnectOnError's answer for err, if it is a server error.
func (p *Pipeline) policyFor(err error) ReconnectAction {
	e, ok := err.(*Error)
	if !ok {
		return NoReconnect
	}
	return p.c.opts.ReconnectOnError(e)
}

// runRetry sends retryBuf, whose replies retryWire lays out, as one more
// batch, and routes its replies to their Futures.
func (p *Pipeline) runRetry(ctx context.Context, deadline time.Time, trip *tripInfo) error {
	wire := p.wire
	p.wire, p.got = p.retryWire, 0
	defer func() { p.wire = wire }()
	err := p.c.roundTrip(ctx, deadline, (*pipelineReplies)(p), len(p.retryWire), len(p.retryBuf), p.encodeRetry, p.answered, trip)
	if err != nil {
		p.failUnanswered(err, trip == nil || trip.sent)
	}
	return err
}

// encodeRetry writes retryBuf.
func (p *Pipeline) encodeRetry(b []byte) []byte { return append(b, p.retryBuf...) }
