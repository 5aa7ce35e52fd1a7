package netpoll

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// Replies a real server cannot be made to send: garbage, halves, one byte at
// a time, 64 MiB, past the limits, and RESP3 pushes among them.
func TestFakeGarbage(t *testing.T) {
	garbage := []struct {
		name, reply string
		replies     int // the request expects this many; all but the last are valid
	}{
		{"text", "hello\r\n", 1},
		{"binary", "\x00\x01", 1},
		{"bad-length", "$abc\r\n", 1},
		{"second-of-two", "+OK\r\nhello\r\n", 2},
	}
	for _, tr := range transports {
		for _, g := range garbage {
			t.Run(tr.String()+"/"+g.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					if _, err := c.ReadCommand(); err != nil {
						return
					}
					if c.Send(g.reply) != nil {
						return
					}
					c.Drain() // keep the connection open: the client must close it
				})
				c := fakeDial(t, srv, tr, Options{})
				var h bytesHandler
				err := c.Do(fakeCtx(t), &h, g.replies, encodeCmd("GET", "k"))
				fakeWantErr(t, "Do", err, ErrConnLost, resp.ErrSyntax)
				if h.seen != g.replies-1 {
					t.Fatalf("handler called %d times (last with %q), want %d", h.seen, h.got, g.replies-1)
				}
				fakeCheckFailed(t, c, ErrConnLost, resp.ErrSyntax)
			})
		}
	}
}

func TestFakeHalfReplyThenClose(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				_ = c.Send("$10\r\nhel")
				// Returning closes the connection.
			})
			c := fakeDial(t, srv, tr, Options{})
			var h bytesHandler
			err := c.Do(fakeCtx(t), &h, 1, encodeCmd("GET", "k"))
			fakeWantErr(t, "Do", err, ErrConnLost)
			switch {
			case errors.Is(err, io.EOF):
			case errors.Is(err, syscall.ECONNRESET):
				t.Logf("%v reported a reset, not EOF: %v", tr, err)
			default:
				t.Fatalf("Do: error %q matches neither io.EOF nor ECONNRESET", err)
			}
			if h.seen != 0 {
				t.Fatalf("handler called %d times with %q", h.seen, h.got)
			}
			fakeCheckFailed(t, c, ErrConnLost)
		})
	}
}

func TestFakeSplitReply(t *testing.T) {
	big := fakePattern(10000)
	replyTo := func(args []string) string {
		if len(args) == 2 && args[0] == "GET" && args[1] == "big" {
			return "$" + strconv.Itoa(len(big)) + "\r\n" + string(big) + "\r\n"
		}
		if len(args) == 1 && args[0] == "PING" {
			return "+OK\r\n"
		}
		return "-ERR unexpected command " + strings.Join(args, " ") + "\r\n"
	}
	for _, tr := range transports {
		for _, sizes := range [][]int{{1}, {1, 2, 3, 5, 7, 11, 1, 1}} {
			t.Run(fmt.Sprintf("%v/chunks=%v", tr, sizes), func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					c.Conn.(*net.TCPConn).SetNoDelay(true)
					// Both commands first, so that the two replies go out as
					// one stream cut at arbitrary places, the boundary
					// between them included.
					a, err := c.ReadCommand()
					if err != nil {
						return
					}
					b, err := c.ReadCommand()
					if err != nil {
						return
					}
					out := replyTo(a) + replyTo(b)
					for i, k := 0, 0; i < len(out); k++ {
						n := min(sizes[k%len(sizes)], len(out)-i)
						if c.Send(out[i:i+n]) != nil {
							return
						}
						i += n
					}
					c.Drain()
				})
				c := fakeDial(t, srv, tr, Options{})
				ctx := fakeCtx(t)
				var wg sync.WaitGroup
				var bigH, okH bytesHandler
				var bigErr, okErr error
				wg.Add(2)
				go func() { defer wg.Done(); bigErr = c.Do(ctx, &bigH, 1, encodeCmd("GET", "big")) }()
				go func() { defer wg.Done(); okErr = c.Do(ctx, &okH, 1, encodeCmd("PING")) }()
				wg.Wait()
				if bigErr != nil || okErr != nil {
					t.Fatalf("Do: GET: %v; PING: %v", bigErr, okErr)
				}
				if bigH.seen != 1 || bigH.typ != resp.BulkString || !bytes.Equal(bigH.got, big) {
					t.Fatalf("GET: %d replies, type %v, %d bytes (want %d), first difference at byte %d",
						bigH.seen, bigH.typ, len(bigH.got), len(big), fakeFirstDiff(bigH.got, big))
				}
				if okH.seen != 1 || okH.typ != resp.SimpleString || string(okH.got) != "OK" {
					t.Fatalf("PING: %d replies, type %v, %q", okH.seen, okH.typ, okH.got)
				}
			})
		}
	}
}

// fakeBigHandler copies a bulk string into a buffer allocated up front.
type fakeBigHandler struct {
	buf  []byte
	typ  resp.Type
	seen int
}

func (h *fakeBigHandler) Reply(i int, v resp.Value) {
	h.typ = v.Type()
	h.buf = v.AppendBytes(h.buf[:0])
	h.seen++
}

func TestFakeBigBulk(t *testing.T) {
	const size = 64 << 20
	// The bulk is a pattern whose length does not divide size, repeated:
	// a dropped, repeated or misplaced chunk changes the checksum.
	pattern := fakePattern(1<<20 + 13)
	stream := func(yield func([]byte) bool) {
		for off := 0; off < size; {
			p := pattern[off%len(pattern):]
			p = p[:min(len(p), size-off)]
			if !yield(p) {
				return
			}
			off += len(p)
		}
	}
	var want uint32
	for p := range stream {
		want = crc32.Update(want, crc32.IEEETable, p)
	}
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				for {
					args, err := c.ReadCommand()
					if err != nil {
						return
					}
					switch args[0] {
					case "GET":
						if c.Send("$"+strconv.Itoa(size)+"\r\n") != nil {
							return
						}
						for p := range stream {
							if _, err := c.Write(p); err != nil {
								return
							}
						}
						err = c.Send("\r\n")
					default:
						err = c.Send("+PONG\r\n")
					}
					if err != nil {
						return
					}
				}
			})
			c := fakeDial(t, srv, tr, Options{})
			ctx := fakeCtx(t)
			h := &fakeBigHandler{buf: make([]byte, 0, size)}
			if err := c.Do(ctx, h, 1, encodeCmd("GET", "big")); err != nil {
				t.Fatalf("GET: %v", err)
			}
			if h.seen != 1 || h.typ != resp.BulkString {
				t.Fatalf("GET: %d replies, type %v", h.seen, h.typ)
			}
			if len(h.buf) != size {
				t.Fatalf("GET: %d bytes, want %d", len(h.buf), size)
			}
			if got := crc32.ChecksumIEEE(h.buf); got != want {
				t.Fatalf("GET: crc32 %08x, want %08x", got, want)
			}
			h.buf = nil
			var ph bytesHandler
			if err := c.Do(ctx, &ph, 1, encodeCmd("PING")); err != nil {
				t.Fatalf("PING after the big bulk: %v", err)
			}
			if string(ph.got) != "PONG" {
				t.Fatalf("PING after the big bulk: %q", ph.got)
			}
		})
	}
}

// fakeNested returns depth arrays nested in one another around an integer.
func fakeNested(depth int) string {
	return strings.Repeat("*1\r\n", depth) + ":1\r\n"
}

// fakeArray returns an array of n integers.
func fakeArray(n int) string {
	return "*" + strconv.Itoa(n) + "\r\n" + strings.Repeat(":1\r\n", n)
}

func TestFakeLimits(t *testing.T) {
	cases := []struct {
		name     string
		opts     Options
		ok, over string // a reply just at the limit, and one past it
		kind     error
	}{
		{"bulk", Options{MaxBulkLen: 1024},
			"$1024\r\n" + strings.Repeat("x", 1024) + "\r\n",
			"$2048\r\n" + strings.Repeat("x", 2048) + "\r\n", resp.ErrTooLong},
		{"aggregate", Options{MaxAggregateLen: 4}, fakeArray(4), fakeArray(5), resp.ErrTooManyElements},
		{"depth", Options{MaxDepth: 3}, fakeNested(3), fakeNested(4), resp.ErrTooDeep},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.String()+"/"+tc.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					for {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						reply := tc.ok
						if args[len(args)-1] == "over" {
							reply = tc.over
						}
						if c.Send(reply) != nil {
							return
						}
					}
				})
				c := fakeDial(t, srv, tr, tc.opts)
				ctx := fakeCtx(t)
				var h bytesHandler
				if err := c.Do(ctx, &h, 1, encodeCmd("GET", "ok")); err != nil {
					t.Fatalf("a reply at the limit: %v", err)
				}
				if h.seen != 1 {
					t.Fatalf("a reply at the limit: %d replies", h.seen)
				}
				h = bytesHandler{}
				err := c.Do(ctx, &h, 1, encodeCmd("GET", "over"))
				fakeWantErr(t, "Do", err, ErrConnLost, tc.kind)
				if h.seen != 0 {
					t.Fatalf("handler called %d times", h.seen)
				}
				fakeCheckFailed(t, c, ErrConnLost, tc.kind)
			})
		}
	}
}

// fakeFormatPush renders a push as "kind:elem,elem" to compare it after the
// callback has returned.
func fakeFormatPush(v resp.Value) string {
	var sb strings.Builder
	sb.WriteString(v.Type().String())
	sb.WriteString(strconv.Itoa(v.Len()))
	it := v.Iter()
	for it.Next() {
		e := it.Value()
		sb.WriteByte(' ')
		if e.Type().IsAggregate() {
			sb.WriteByte('[')
			in := e.Iter()
			for in.Next() {
				sb.WriteString(in.Value().String())
				sb.WriteByte(';')
			}
			sb.WriteByte(']')
		} else {
			sb.WriteString(e.String())
		}
	}
	return sb.String()
}

func TestFakePush(t *testing.T) {
	const push = ">2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n"
	const wantPush = "push2 invalidate [k;]"
	cases := []struct {
		name      string
		onConnect bool // a push before any command, too
		noOnPush  bool // Options.OnPush left nil: pushes are dropped
	}{
		{"before-reply", false, false},
		{"on-connect", true, false},
		{"no-OnPush", true, true},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.String()+"/"+tc.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					if tc.onConnect && c.Send(push) != nil {
						return
					}
					for {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						if c.Send(push+"$"+strconv.Itoa(len(args[1]))+"\r\n"+args[1]+"\r\n") != nil {
							return
						}
					}
				})
				var mu sync.Mutex
				var pushes []string
				var opts Options
				if !tc.noOnPush {
					opts.OnPush = func(v resp.Value) {
						s := fakeFormatPush(v)
						mu.Lock()
						pushes = append(pushes, s)
						mu.Unlock()
					}
				}
				c := fakeDial(t, srv, tr, opts)
				ctx := fakeCtx(t)
				want := 0
				if tc.onConnect {
					want++
				}
				for _, msg := range []string{"one", "two"} {
					var h bytesHandler
					if err := c.Do(ctx, &h, 1, encodeCmd("ECHO", msg)); err != nil {
						t.Fatalf("ECHO %s: %v", msg, err)
					}
					if h.seen != 1 || h.typ != resp.BulkString || string(h.got) != msg {
						t.Fatalf("ECHO %s: %d replies, type %v, %q", msg, h.seen, h.typ, h.got)
					}
					if tc.noOnPush {
						continue
					}
					want++
					// The push came before the reply, so it has been handled.
					mu.Lock()
					got := append([]string(nil), pushes...)
					mu.Unlock()
					if len(got) != want {
						t.Fatalf("after ECHO %s: %d pushes, want %d: %q", msg, len(got), want, got)
					}
					for _, p := range got {
						if p != wantPush {
							t.Fatalf("push %q, want %q", p, wantPush)
						}
					}
				}
			})
		}
	}
}
