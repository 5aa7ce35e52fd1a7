package fastredis

import (
	"errors"

	"github.com/fastredis/fastredis/resp"
)

// OK is the value of a command whose only outcome is success or an error
// (an OK status, say): a Future[OK] is read with Err.
type OK struct{}

// ErrNotRun is returned by a Future whose pipeline has not run yet, or has
// been Reset since the Future was made.
var ErrNotRun = errors.New("fastredis: result not available: the pipeline has not run, or was reset since")

// A Future is the result of one command queued on a Pipeline, available
// once the pipeline's Exec has returned. It is a small value: keep it, copy
// it, read it any number of times. The values it returns are the caller's
// (strings and slices are copies; an Append form's slice is the dst it was
// given), so they stay valid after the pipeline is reset.
//
// A Future is not safe to read while its pipeline is running.
type Future[T any] struct {
	p   *Pipeline
	idx int32
	gen uint32
	get func(p *Pipeline, s *pipeSlot) (T, error)
	// dec, when set, decodes the slot's raw reply (kept in the pipeline)
	// each time Result is called.
	dec func(resp.Value) (T, error)
}

// Result returns the command's value and error: a server error as an
// *Error, a null reply as Nil, ErrTxFailed or an *ExecAbortError for a
// command of a transaction that did not run, or the error that stopped the
// pipeline before the command's reply arrived.
func (f Future[T]) Result() (T, error) {
	var zero T
	p := f.p
	if p == nil || p.gen != f.gen || int(f.idx) >= len(p.slots) {
		return zero, ErrNotRun
	}
	s := &p.slots[f.idx]
	if s.localErr != nil {
		return zero, s.localErr // known since the command was queued
	}
	if !p.ran {
		return zero, ErrNotRun
	}
	if f.dec != nil {
		if s.err != nil {
			return zero, s.err
		}
		var rd resp.Reader
		v, _, err := rd.Parse(f.p.raw[s.start:s.end])
		if err != nil {
			return zero, err // cannot happen: resp encoded it itself
		}
		if v.IsNull() {
			return zero, Nil
		}
		return f.dec(v)
	}
	return f.get(f.p, s)
}

// Val returns the command's value, or the zero value if it failed.
func (f Future[T]) Val() T {
	v, _ := f.Result()
	return v
}

// Err returns the command's error, or nil.
func (f Future[T]) Err() error {
	_, err := f.Result()
	return err
}

// The getters read a slot decoded by one of the result modes. The value
// fields of a failed command are zero, except an Append form's dst, which
// comes back as it was given.

func getOK(_ *Pipeline, s *pipeSlot) (OK, error)            { return OK{}, s.err }
func getInt(_ *Pipeline, s *pipeSlot) (int64, error)        { return s.i, s.err }
func getFloat(_ *Pipeline, s *pipeSlot) (float64, error)    { return s.f, s.err }
func getBool(_ *Pipeline, s *pipeSlot) (bool, error)        { return s.b, s.err }
func getString(_ *Pipeline, s *pipeSlot) (string, error)    { return s.s, s.err }
func getAppend(_ *Pipeline, s *pipeSlot) ([]byte, error)    { return s.dst, s.err }
func getStrings(_ *Pipeline, s *pipeSlot) ([]string, error) { return s.strs, s.err }

func getNullStrings(_ *Pipeline, s *pipeSlot) ([]NullString, error) { return s.nstrs, s.err }

func getStringMap(_ *Pipeline, s *pipeSlot) (map[string]string, error) { return s.m, s.err }

// getReply reads a whole reply; a null is Nil, as for the Client's methods.
func getReply(_ *Pipeline, s *pipeSlot) (Reply, error) {
	if s.err == nil && s.reply.IsNull() {
		return s.reply, Nil
	}
	return s.reply, s.err
}

// getDoReply is getReply for Pipeline.Do: the client's reply transformer
// for the command applies, as it does for Client.Do.
func getDoReply(p *Pipeline, s *pipeSlot) (Reply, error) {
	r, err := getReply(p, s)
	if err != nil {
		return r, err
	}
	if fn := p.c.replyTransformer(s.command); fn != nil {
		return fn(r)
	}
	return r, nil
}

// decodeStatusNil is the decoder of commands whose reply is a status, or a
// null (already turned into Nil) when they did nothing.
func decodeStatusNil(resp.Value) (OK, error) { return OK{}, nil }
