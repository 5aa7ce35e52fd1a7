package fastredis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// DynamicKeys, as a Script's key count, means each call says how many keys
// it passes.
const DynamicKeys = -1

// A Script is a Lua script defined once and run like a command: by its SHA1
// with EVALSHA, falling back to EVAL (which loads it) when the server
// replies NOSCRIPT, so a script cache emptied by SCRIPT FLUSH or a restart
// refills by itself. The client's KeyPrefix applies to the keys, never to
// the other arguments.
//
//	echo := fastredis.NewScript("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", 2)
//	r, err := client.RunScript(ctx, echo, []string{"k1", "k2"}, "a1", "a2")
//
// A Script is safe for concurrent use, with any number of clients.
type Script struct {
	src    string
	sha    string
	keys   int
	loaded atomic.Bool // believed to be in the server's script cache
}

// NewScript defines a script taking numKeys keys, or a number given by each
// call with DynamicKeys.
func NewScript(src string, numKeys int) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{src: src, sha: hex.EncodeToString(sum[:]), keys: numKeys}
}

// SHA1 returns the script's SHA1 digest in hex, as EVALSHA takes it.
func (s *Script) SHA1() string { return s.sha }

// Source returns the script's Lua source.
func (s *Script) Source() string { return s.src }

// NumKeys returns the script's key count, or DynamicKeys.
func (s *Script) NumKeys() int { return s.keys }

// Load loads the script into the server's script cache (SCRIPT LOAD).
// Running it does that by itself; Load is for a transaction, where a
// missing script cannot fall back to EVAL.
func (s *Script) Load(ctx context.Context, c *Client) error {
	sha, err := c.ScriptLoad(ctx, s.src)
	if err != nil {
		return err
	}
	if sha != s.sha {
		return fmt.Errorf("fastredis: SCRIPT LOAD returned SHA1 %s, want %s", sha, s.sha)
	}
	s.loaded.Store(true)
	return nil
}

// check validates a call's key count.
func (s *Script) check(keys int) error {
	switch {
	case s.keys == DynamicKeys:
		return nil
	case s.keys < 0:
		return fmt.Errorf("fastredis: script %.8s has key count %d (want 0 or more, or DynamicKeys)", s.sha, s.keys)
	case keys != s.keys:
		return fmt.Errorf("fastredis: script %.8s takes %d keys, got %d", s.sha, s.keys, keys)
	}
	return nil
}

// appendCall writes the arguments after EVALSHA (or EVAL): the SHA1 (or
// the source), the key count, the keys and the other arguments.
func (s *Script) appendCall(a *argBuf, bySHA bool, keys []string, args []any) {
	if bySHA {
		a.str(s.sha)
	} else {
		a.str(s.src)
	}
	a.int(int64(len(keys)))
	for _, k := range keys {
		a.key(k)
	}
	a.values(args)
}

// isNoScript reports whether err is the server's NOSCRIPT.
func isNoScript(err error) bool {
	if err == nil {
		return false
	}
	if e, ok := err.(*Error); ok { // the usual case, without errors.As's allocation
		return e.Prefix == "NOSCRIPT"
	}
	var e *Error
	return errors.As(err, &e) && e.Prefix == "NOSCRIPT"
}

// runScript runs s with EVALSHA and, on NOSCRIPT, with EVAL, decoding the
// reply into r.
func (c *Client) runScript(ctx context.Context, s *Script, keys []string, args []any, r *result) error {
	if err := s.check(len(keys)); err != nil {
		return err
	}
	a := c.newArgs("EVALSHA")
	s.appendCall(a, true, keys, args)
	err := c.exec(ctx, a, r)
	if isNoScript(err) {
		s.loaded.Store(false)
		r.err, r.command = nil, "EVAL"
		a = c.newArgs("EVAL")
		s.appendCall(a, false, keys, args)
		err = c.exec(ctx, a, r)
	}
	if err == nil || !isNoScript(err) {
		s.loaded.Store(true)
	}
	return err
}

// RunScript runs a script and returns its whole reply (a null is Nil).
func (c *Client) RunScript(ctx context.Context, s *Script, keys []string, args ...any) (Reply, error) {
	r := getResult(modeReply, "EVALSHA")
	defer r.release()
	err := c.runScript(ctx, s, keys, args, r)
	if err == nil && r.reply.IsNull() {
		err = Nil
	}
	return r.reply, err
}

// RunScriptInt runs a script whose reply is an integer.
func (c *Client) RunScriptInt(ctx context.Context, s *Script, keys []string, args ...any) (int64, error) {
	r := getResult(modeInt, "EVALSHA")
	defer r.release()
	err := c.runScript(ctx, s, keys, args, r)
	return r.i, err
}

// RunScriptString runs a script whose reply is a string.
func (c *Client) RunScriptString(ctx context.Context, s *Script, keys []string, args ...any) (string, error) {
	r := getResult(modeString, "EVALSHA")
	defer r.release()
	err := c.runScript(ctx, s, keys, args, r)
	return r.s, err
}

// RunScriptAppend runs a script whose reply is a string, appending it to
// dst: with room in dst, and keys and args that do not escape, it allocates
// nothing.
func (c *Client) RunScriptAppend(ctx context.Context, dst []byte, s *Script, keys []string, args ...any) ([]byte, error) {
	r := getResult(modeAppend, "EVALSHA")
	defer r.release()
	r.dst = dst
	err := c.runScript(ctx, s, keys, args, r)
	return r.dst, err
}

// queueScript queues a script call. It goes as EVALSHA once the script is
// believed loaded, as EVAL (which loads it) before. A pipeline's EVALSHA
// that gets NOSCRIPT is run again with EVAL after the rest of the batch;
// inside a transaction it cannot be, and its Future holds the NOSCRIPT
// error (Script.Load beforehand avoids it).
func (p *Pipeline) queueScript(s *Script, keys []string, args []any, mode resultMode) (int32, error) {
	if err := s.check(len(keys)); err != nil {
		return 0, err
	}
	bySHA := s.loaded.Load()
	name := "EVAL"
	if bySHA {
		name = "EVALSHA"
	}
	s.appendCall(p.newArgs(name), bySHA, keys, args)
	idx := p.queue(mode, name)
	sl := &p.slots[idx]
	sl.script = s
	sl.retry = bySHA && !p.tx && !p.inMulti
	return idx, nil
}

// RunScript queues a script call; see Client.RunScript.
func (p *Pipeline) RunScript(s *Script, keys []string, args ...any) Future[Reply] {
	idx, err := p.queueScript(s, keys, args, modeReply)
	if err != nil {
		return failed[Reply](p, "EVALSHA", err)
	}
	return Future[Reply]{p: p, idx: idx, gen: p.gen, get: getReply}
}

// RunScriptInt queues a script call whose reply is an integer.
func (p *Pipeline) RunScriptInt(s *Script, keys []string, args ...any) Future[int64] {
	idx, err := p.queueScript(s, keys, args, modeInt)
	if err != nil {
		return failed[int64](p, "EVALSHA", err)
	}
	return Future[int64]{p: p, idx: idx, gen: p.gen, get: getInt}
}

// RunScriptString queues a script call whose reply is a string.
func (p *Pipeline) RunScriptString(s *Script, keys []string, args ...any) Future[string] {
	idx, err := p.queueScript(s, keys, args, modeString)
	if err != nil {
		return failed[string](p, "EVALSHA", err)
	}
	return Future[string]{p: p, idx: idx, gen: p.gen, get: getString}
}

// RunScriptAppend queues a script call whose reply is a string, appended to
// dst.
func (p *Pipeline) RunScriptAppend(dst []byte, s *Script, keys []string, args ...any) Future[[]byte] {
	idx, err := p.queueScript(s, keys, args, modeAppend)
	if err != nil {
		return failed[[]byte](p, "EVALSHA", err)
	}
	p.slots[idx].dst0, p.slots[idx].dst = dst, dst
	return Future[[]byte]{p: p, idx: idx, gen: p.gen, get: getAppend}
}

// scriptReplied notes what a script call's reply says about the script
// cache.
func (p *Pipeline) scriptReplied(s *pipeSlot) {
	if isNoScript(s.err) {
		s.script.loaded.Store(false)
		if s.retry {
			p.noscript = true
		}
		return
	}
	s.script.loaded.Store(true)
}

// retryScripts runs the pipeline's EVALSHA calls that got NOSCRIPT again,
// as EVAL, in one more batch on the same connection.
func (p *Pipeline) retryScripts(ctx context.Context, deadline time.Time) error {
	p.retryBuf = p.retryBuf[:0]
	retry := p.retryWire[:0]
	for i := range p.slots {
		s := &p.slots[i]
		if !s.retry || !isNoScript(s.err) {
			continue
		}
		p.retryBuf = appendEvalFor(p.retryBuf, s.script, p.buf[s.cmdStart:s.cmdEnd])
		s.clear()
		retry = append(retry, wireReply{kind: wireCmd, slot: int32(i)})
	}
	p.retryWire = retry
	if len(retry) == 0 {
		return nil
	}
	return p.runRetry(ctx, deadline, nil)
}

// appendEvalFor turns an encoded EVALSHA call of s into EVAL: the same
// array, with EVAL and the source in place of EVALSHA and the SHA1.
func appendEvalFor(dst []byte, s *Script, evalsha []byte) []byte {
	hdr := 0
	for evalsha[hdr] != '\n' {
		hdr++
	}
	hdr++
	rest := evalsha[hdr+len("$7\r\nEVALSHA\r\n")+len("$40\r\n")+40+2:]
	dst = append(dst, evalsha[:hdr]...)
	dst = resp.AppendBulkString(dst, "EVAL")
	dst = resp.AppendBulkString(dst, s.src)
	return append(dst, rest...)
}
