package fastredis

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Replies a real server cannot be made to send, from a scripted one: the
// pipeline and transaction machinery must turn them into errors, never a
// panic, a hang or a reply handed to the wrong command.

// fakeRedis serves connections with answer, which gets each command (upper-
// case name first) and returns the raw reply to write ("" for none, and
// fakeHangUp to close the connection instead). The
// handshake's commands are answered for it (RESP2, no identity).
const fakeHangUp = "\x00hang up"

type fakeRedis struct {
	ln net.Listener
	wg sync.WaitGroup
}

func startFakeRedis(t *testing.T, answer func(args []string) string) *fakeRedis {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRedis{ln: ln}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer nc.Close()
				r := bufio.NewReader(nc)
				for {
					args, err := readCommand(r)
					if err != nil {
						return
					}
					var reply string
					switch args[0] {
					case "INFO":
						reply = "$9\r\nloading:0\r\n"
					case "CLIENT", "PING":
						reply = "+OK\r\n"
					default:
						reply = answer(args)
					}
					if reply == fakeHangUp {
						return
					}
					if _, err := io.WriteString(nc, reply); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		f.wg.Wait()
	})
	return f
}

// readCommand reads one RESP array of bulk strings.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[0] != '*' {
		return nil, errors.New("not an array")
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		return nil, err
	}
	args := make([]string, n)
	for i := range args {
		hdr, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		size, err := strconv.Atoi(strings.TrimSpace(hdr[1:]))
		if err != nil {
			return nil, err
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		args[i] = string(buf[:size])
	}
	args[0] = strings.ToUpper(args[0])
	return args, nil
}

func fakeClient(t *testing.T, f *fakeRedis) *Client {
	return newTestClient(t, Options{Addr: f.ln.Addr().String(), Protocol: 2, DisableIdentity: true,
		DisableResend: true, MaxRetriesPerRequest: NoRetries})
}

// EXEC answering with the wrong number of results fails the transaction and
// every command in it.
func TestFakeExecWrongLength(t *testing.T) {
	f := startFakeRedis(t, func(args []string) string {
		switch args[0] {
		case "MULTI":
			return "+OK\r\n"
		case "EXEC":
			return "*1\r\n:1\r\n" // one result for two commands
		}
		return "+QUEUED\r\n"
	})
	c := fakeClient(t, f)
	p := c.TxPipeline()
	a := p.Incr("a")
	b := p.Incr("b")
	err := p.Exec(bg)
	if err == nil || !strings.Contains(err.Error(), "1 for a transaction of 2") {
		t.Fatalf("Exec = %v", err)
	}
	if a.Err() == nil || b.Err() == nil {
		t.Errorf("commands of a broken EXEC succeeded: %v, %v", a.Err(), b.Err())
	}
	// The connection stays in step: the next command gets its own reply.
	p = c.Pipeline()
	m := p.Do("MYCMD")
	if err := p.Exec(bg); err != nil || m.Err() != nil {
		t.Errorf("after the broken EXEC: %v %v", err, m.Err())
	}
}

// A refused MULTI (ACL, say): the commands run at once, and EXEC fails; the
// results reach their own commands, and the outcome says EXEC failed.
func TestFakeMultiRefused(t *testing.T) {
	f := startFakeRedis(t, func(args []string) string {
		switch args[0] {
		case "MULTI":
			return "-NOPERM this user has no permissions to run the 'multi' command\r\n"
		case "EXEC":
			return "-ERR EXEC without MULTI\r\n"
		case "INCR":
			return ":7\r\n"
		}
		return "+OK\r\n"
	})
	c := fakeClient(t, f)
	p := c.Pipeline()
	multi := p.Multi()
	incr := p.Incr("n")
	exec := p.EndMulti()
	after := p.Do("MYCMD")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if !errors.As(multi.Err(), &e) || e.Prefix != "NOPERM" {
		t.Errorf("MULTI: %v", multi.Err())
	}
	eq(t, "INCR run at once", int64(7))(incr.Result())
	if !errors.As(exec.Err(), &e) || !strings.Contains(e.Message, "without MULTI") {
		t.Errorf("EXEC: %v", exec.Err())
	}
	if after.Err() != nil {
		t.Errorf("the command after: %v", after.Err())
	}
}

// A reply that is not RESP in the middle of a pipeline: the connection is
// dropped, the commands before keep their results, the rest get the error.
func TestFakeGarbageMidPipeline(t *testing.T) {
	f := startFakeRedis(t, func(args []string) string {
		if args[0] == "BAD" {
			return "?garbage\r\n"
		}
		return ":1\r\n"
	})
	c := newTestClient(t, Options{Addr: f.ln.Addr().String(), Protocol: 2, DisableIdentity: true,
		RetryStrategy: func(int) time.Duration { return time.Millisecond }})
	p := c.Pipeline()
	first := p.Do("GOOD")
	bad := p.Do("BAD")
	last := p.Do("GOOD")
	if err := p.Exec(bg); err == nil {
		t.Fatal("Exec over a broken stream: no error")
	}
	if first.Err() != nil {
		t.Errorf("the reply before the garbage: %v", first.Err())
	}
	if bad.Err() == nil || last.Err() == nil {
		t.Errorf("after the garbage: %v, %v", bad.Err(), last.Err())
	}
	// The client reconnects for the next command.
	if r, err := c.Do(bg, "GOOD"); err != nil || r.Int != 1 {
		t.Errorf("after the reconnect: %v %v", r, err)
	}
}
