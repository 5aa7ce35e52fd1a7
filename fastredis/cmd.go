package fastredis

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// Cmd is a command built by the caller and reused across calls: the way to
// run any command without allocating. Its reply is copied into the Cmd's own
// buffer and read as a resp.Value view:
//
//	var cmd fastredis.Cmd
//	cmd.Reset("MGET").Key("a").Key("b")
//	if err := client.Exec(ctx, &cmd); err != nil { ... }
//	it := cmd.Reply().Iter()
//	for it.Next() { use(it.Value().Bytes()) }
//
// Once its buffers have grown to fit, a reused Cmd allocates nothing. A Cmd
// is not safe for concurrent use.
type Cmd struct {
	data  []byte    // argument payloads, back to back
	spans []argSpan // where each argument ends, and whether it is a key
	reply []byte    // the last reply, re-encoded
	val   resp.Value
	rd    resp.Reader
}

type argSpan struct {
	end int
	key bool
}

// Reset starts a new command named name, dropping the previous arguments and
// reply.
func (c *Cmd) Reset(name string) *Cmd {
	c.data, c.spans, c.reply, c.val = c.data[:0], c.spans[:0], c.reply[:0], resp.Value{}
	return c.Arg(name)
}

// Arg appends an argument.
func (c *Cmd) Arg(s string) *Cmd {
	c.data = append(c.data, s...)
	c.spans = append(c.spans, argSpan{end: len(c.data)})
	return c
}

// ArgBytes appends a binary argument.
func (c *Cmd) ArgBytes(p []byte) *Cmd {
	c.data = append(c.data, p...)
	c.spans = append(c.spans, argSpan{end: len(c.data)})
	return c
}

// ArgInt appends an integer argument.
func (c *Cmd) ArgInt(n int64) *Cmd {
	c.data = strconv.AppendInt(c.data, n, 10)
	c.spans = append(c.spans, argSpan{end: len(c.data)})
	return c
}

// ArgFloat appends a float argument (+inf and -inf as Redis spells them).
func (c *Cmd) ArgFloat(f float64) *Cmd {
	switch {
	case math.IsInf(f, 1):
		c.data = append(c.data, "+inf"...)
	case math.IsInf(f, -1):
		c.data = append(c.data, "-inf"...)
	default:
		c.data = strconv.AppendFloat(c.data, f, 'g', -1, 64)
	}
	c.spans = append(c.spans, argSpan{end: len(c.data)})
	return c
}

// Key appends a key: the client's KeyPrefix is put before it.
func (c *Cmd) Key(k string) *Cmd {
	c.Arg(k)
	c.spans[len(c.spans)-1].key = true
	return c
}

// Args returns the number of arguments, the command name included.
func (c *Cmd) Args() int { return len(c.spans) }

// Reply returns the reply of the last Exec: a view into the Cmd's buffer,
// valid until the Cmd is reset or executed again.
func (c *Cmd) Reply() resp.Value { return c.val }

// Exec runs cmd. Like Do, it returns an *Error for an error reply and Nil
// for a null; the reply itself is in cmd.Reply.
func (cl *Client) Exec(ctx context.Context, cmd *Cmd) error {
	if len(cmd.spans) == 0 {
		return ErrEmptyCommand
	}
	if err := cl.refuseCmd(cmd); err != nil {
		return err
	}
	r := getResult(modeRaw, "")
	defer r.release()
	r.dst = cmd.reply[:0]
	blocking := blockingCommand(cmd.data[:cmd.spans[0].end], cmd.hasBlockArg)
	var err error
	if ch := cl.hooks.chain.Load(); ch != nil {
		ci := cl.getInfo("")
		ci.cmd, ci.res, ci.blocking = cmd, r, blocking
		err = ch.process(ctx, ci)
		ci.release()
		if err == Nil || (err != nil && err == r.err) {
			err = nil // a server error or a null: reported below
		}
	} else {
		err = cl.execCmd(ctx, cmd, r, r, blocking, nil)
	}
	if err != nil {
		return err
	}
	cmd.reply = r.dst
	if r.err != nil {
		if e, ok := r.err.(*Error); ok {
			e.Command = strings.ToUpper(string(cmd.data[:cmd.spans[0].end]))
		}
		return r.err
	}
	if len(cmd.reply) == 0 {
		return nil // a hook answered without running the command
	}
	cmd.val, _, err = cmd.rd.Parse(cmd.reply)
	if err != nil {
		return err // cannot happen: the reply was re-encoded by resp itself
	}
	if cmd.val.IsNull() {
		return Nil
	}
	return nil
}

// execCmd sends cmd; its reply goes to h, which is r or passes it on to
// r. info, when not nil, is the command's CommandInfo.
func (cl *Client) execCmd(ctx context.Context, cmd *Cmd, r *result, h netpoll.Handler, blocking bool, info *CommandInfo) error {
	prefix := cl.opts.KeyPrefix
	encode := func(b []byte) []byte {
		b = resp.AppendArrayHeader(b, len(cmd.spans))
		start := 0
		for _, s := range cmd.spans {
			arg := cmd.data[start:s.end]
			start = s.end
			if s.key {
				b = appendPrefixedBulk(b, prefix, arg)
				continue
			}
			b = resp.AppendBulk(b, arg)
		}
		return b
	}
	switch {
	case cl.router != nil:
		return cl.routeEncoded(ctx, h, encode, blocking, info)
	case cl.pin == nil && blocking:
		return cl.doBlocking(ctx, h, encode)
	}
	return cl.run1(ctx, h, len(cmd.data)+16*len(cmd.spans), encode)
}

// refuseCmd applies the connection-state rule of connstate.go to a Cmd,
// without allocating.
func (cl *Client) refuseCmd(cmd *Cmd) error {
	name := cmd.data[:cmd.spans[0].end]
	var first []byte
	if len(cmd.spans) > 1 {
		first = cmd.data[cmd.spans[0].end:cmd.spans[1].end]
	}
	st := connStateCommand(name, first)
	switch {
	case st == "":
		return nil
	case cl.pin != nil:
		cl.pin.dirty.Store(true)
		return nil
	}
	return connStateError(st)
}

// hasBlockArg reports whether the Cmd has a BLOCK argument (XREAD).
func (c *Cmd) hasBlockArg() bool {
	start := c.spans[0].end
	for _, s := range c.spans[1:] {
		if s.end-start == 5 && strings.EqualFold(string(c.data[start:s.end]), "BLOCK") {
			return true
		}
		start = s.end
	}
	return false
}
