package fastredis

import (
	"context"
	"strings"
	"sync"
	"unsafe"

	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// CommandInfo is a command as a ProcessHook sees it: its name, a view of
// its arguments, where it went, and (once next has returned) the size of
// its reply. It comes from pooled state and is valid only during the hook
// call: a hook that keeps anything (an argument, the CommandInfo itself)
// must copy it. Its methods allocate nothing, except Name for a command
// the command table does not know.
//
// A hook times a command itself, around its call to next.
type CommandInfo struct {
	name     string
	args     *argBuf // a typed method's arguments
	enc      []byte  // or the encoded command (Do, a pipeline's command)
	cmd      *Cmd    // or a Cmd (Exec)
	addr     string
	db       int
	size     int
	blocking bool

	// How next runs it.
	c   *Client
	res *result         // a typed method's or an Exec's result
	h   netpoll.Handler // Do's handler
	sz  sizeHandler     // counts the reply's bytes on their way to res or h
}

var infoPool = sync.Pool{New: func() any { return new(CommandInfo) }}

// getInfo starts the CommandInfo of a command of c.
func (c *Client) getInfo(name string) *CommandInfo {
	ci := infoPool.Get().(*CommandInfo)
	ci.c, ci.name, ci.addr, ci.db = c, name, c.serverAddr(), c.DB()
	return ci
}

func (ci *CommandInfo) release() {
	*ci = CommandInfo{}
	infoPool.Put(ci)
}

// run is the end of the chain: it sends the command.
func (ci *CommandInfo) run(ctx context.Context) error {
	c := ci.c
	if c == nil {
		return ErrEmptyCommand // a CommandInfo a hook made: nothing to run
	}
	ci.sz.n = 0
	if c.director != nil {
		// Where the connection that ran it went: known once it has run
		// (it may have waited for a reconnect to a new master).
		defer func() { ci.addr = c.serverAddr() }()
	}
	switch {
	case ci.args != nil:
		ci.sz.h = ci.res
		return c.execArgs(ctx, ci.args, ci.res, &ci.sz, ci)
	case ci.cmd != nil:
		ci.sz.h = ci.res
		err := c.execCmd(ctx, ci.cmd, ci.res, &ci.sz, ci.blocking, ci)
		if err == nil && ci.res.err == nil && isNullReply(ci.res.dst) {
			return Nil
		}
		if err == nil {
			err = ci.res.err
		}
		return err
	}
	ci.sz.h = ci.h
	err := c.run(ctx, &ci.sz, ci.enc, ci.blocking, ci)
	if err != nil {
		return err
	}
	if rh, ok := ci.h.(*replyHandler); ok {
		switch {
		case rh.err != nil:
			return rh.err
		case rh.reply.IsNull():
			return Nil
		}
	}
	return nil
}

func isNullReply(raw []byte) bool { return string(raw) == "_\r\n" }

// Name returns the command's canonical name, upper-case: "GET", and for a
// subcommand container the subcommand too: "CLIENT SETNAME".
func (ci *CommandInfo) Name() string {
	if ci.name == "" {
		ci.name = commandNameOf(ci)
	}
	return ci.name
}

// commandNameOf finds the canonical name in the command table, from the
// first two arguments.
func commandNameOf(ci *CommandInfo) string {
	var argv [2][]byte
	n := min(ci.NumArgs(), 2)
	for i := range n {
		argv[i] = ci.Arg(i)
	}
	if n == 0 {
		return ""
	}
	if cmd, err := keyspec.Find(argv[:n]); err == nil && cmd != nil {
		return cmd.Name
	}
	return strings.ToUpper(string(argv[0]))
}

// NumArgs returns the number of arguments, the command name included.
func (ci *CommandInfo) NumArgs() int {
	switch {
	case ci.args != nil:
		return ci.args.n
	case ci.cmd != nil:
		return len(ci.cmd.spans)
	case len(ci.enc) > 0 && ci.enc[0] == '*':
		n, _ := readLength(ci.enc[1:])
		return max(n, 0)
	}
	return 0
}

// Arg returns argument i (0 is the command name) as a view, or nil past
// the last. Keys have the client's KeyPrefix, except in a Cmd (Exec),
// whose arguments are as the caller gave them.
func (ci *CommandInfo) Arg(i int) []byte {
	if i < 0 {
		return nil
	}
	switch {
	case ci.args != nil:
		p, _ := walkBulks(ci.args.b, ci.args.refs, i, nil)
		return p
	case ci.cmd != nil:
		if i >= len(ci.cmd.spans) {
			return nil
		}
		start := 0
		if i > 0 {
			start = ci.cmd.spans[i-1].end
		}
		end := ci.cmd.spans[i].end
		return ci.cmd.data[start:end:end]
	case len(ci.enc) > 0 && ci.enc[0] == '*':
		_, rest := readLength(ci.enc[1:])
		p, _ := walkBulks(rest, nil, i, nil)
		return p
	}
	return nil
}

// AppendArgs appends every argument, as views, to dst.
func (ci *CommandInfo) AppendArgs(dst [][]byte) [][]byte {
	switch {
	case ci.args != nil:
		_, dst = walkBulks(ci.args.b, ci.args.refs, -1, dst)
	case ci.cmd != nil:
		for i := range ci.cmd.spans {
			dst = append(dst, ci.Arg(i))
		}
	case len(ci.enc) > 0 && ci.enc[0] == '*':
		_, rest := readLength(ci.enc[1:])
		_, dst = walkBulks(rest, nil, -1, dst)
	}
	return dst
}

// Addr returns the address of the server the command went to (for a
// sentinel client the current master's or replica's, for a cluster client
// the node that answered, once next has returned); empty for a command a
// cluster client sent to several nodes.
func (ci *CommandInfo) Addr() string { return ci.addr }

// DB returns the database the client's connections select.
func (ci *CommandInfo) DB() int { return ci.db }

// ReplySize returns the size in bytes of the reply as it came on the wire,
// once next has returned (0 before, or if none came).
func (ci *CommandInfo) ReplySize() int { return ci.size + ci.sz.n }

// Blocking reports whether the command blocks (BLPOP, XREAD BLOCK, ...):
// it runs on a dedicated connection.
func (ci *CommandInfo) Blocking() bool {
	if ci.args != nil {
		return ci.args.blocking
	}
	return ci.blocking
}

// walkBulks walks the bulk strings in b (large arguments kept by
// reference in refs): it returns the want-th, or with want < 0 appends
// them all to dst.
func walkBulks(b []byte, refs []argRef, want int, dst [][]byte) ([]byte, [][]byte) {
	off, base := 0, len(b)
	for i := 0; off < len(b) && b[off] == '$'; i++ {
		n, rest := readLength(b[off+1:])
		off = base - len(rest)
		var arg []byte
		if len(refs) > 0 && refs[0].at == off {
			r := refs[0]
			refs = refs[1:]
			if r.p != nil {
				arg = r.p
			} else {
				arg = unsafe.Slice(unsafe.StringData(r.s), len(r.s))
			}
			off += 2
		} else {
			if n < 0 || off+n+2 > len(b) {
				return nil, dst
			}
			arg = b[off : off+n : off+n]
			off += n + 2
		}
		switch {
		case want < 0:
			dst = append(dst, arg)
		case i == want:
			return arg, dst
		}
	}
	return nil, dst
}

// sizeHandler passes replies on to h, counting their bytes.
type sizeHandler struct {
	h netpoll.Handler
	n int
}

func (s *sizeHandler) Reply(i int, v resp.Value) {
	s.n += v.WireLen()
	s.h.Reply(i, v)
}

func (s *sizeHandler) serverError() *Error {
	if rs, ok := s.h.(resettable); ok {
		return rs.serverError()
	}
	return nil
}

// resetError comes before a command is sent again (a cluster's
// redirection, ReconnectAndResend): the reply that counts is the last.
func (s *sizeHandler) resetError() {
	s.n = 0
	if rs, ok := s.h.(resettable); ok {
		rs.resetError()
	}
}

// PipelineInfo is a pipeline as a ProcessPipelineHook sees it: its
// commands, and where it went. Like CommandInfo it is valid only during
// the hook call.
type PipelineInfo struct {
	p    *Pipeline
	addr string
	db   int
	size int
}

// Len returns the number of commands queued (a TxPipeline's implicit MULTI
// and EXEC not counted).
func (pi *PipelineInfo) Len() int {
	if pi.p == nil {
		return 0
	}
	return len(pi.p.slots)
}

// Tx reports whether the pipeline is a TxPipeline (one MULTI ... EXEC).
func (pi *PipelineInfo) Tx() bool { return pi.p != nil && pi.p.tx }

// Command returns a view of command i, 0 <= i < Len. A command that failed
// while being queued (an argument that could not be encoded) has its name
// and no arguments. Its ReplySize is 0: PipelineInfo.ReplySize is the
// pipeline's total.
func (pi *PipelineInfo) Command(i int) CommandInfo {
	s := &pi.p.slots[i]
	ci := CommandInfo{addr: pi.addr, db: pi.db}
	if s.cmdEnd > s.cmdStart {
		ci.enc = pi.p.buf[s.cmdStart:s.cmdEnd:s.cmdEnd]
	} else {
		ci.name = s.command
	}
	return ci
}

// Addr returns the address of the server the pipeline went to; empty on a
// cluster client, whose pipelines go to every node their keys need.
func (pi *PipelineInfo) Addr() string { return pi.addr }

// DB returns the database the client's connections select.
func (pi *PipelineInfo) DB() int { return pi.db }

// ReplySize returns the size in bytes of the pipeline's replies as they
// came on the wire (a TxPipeline's MULTI, QUEUED and EXEC replies
// included), once next has returned.
func (pi *PipelineInfo) ReplySize() int { return pi.size }
