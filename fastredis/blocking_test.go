package fastredis

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/redistest"
)

// blockedClients reads INFO's blocked_clients.
func blockedClients(t *testing.T, c *Client) int {
	t.Helper()
	info, err := c.Info(bg, "clients")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`blocked_clients:(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("no blocked_clients in %q", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// awaitBlocked polls the server until n clients are blocked.
func awaitBlocked(t *testing.T, c *Client, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for blockedClients(t, c) != n {
		if time.Now().After(deadline) {
			t.Fatalf("never %d blocked clients", n)
		}
	}
}

// A blocked BLPOP does not stall the shared connection, by any of the
// three ways to send it.
func TestBlockingCommandsDoNotStall(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	var cmd Cmd
	for _, way := range []struct {
		name string
		pop  func() (string, error)
	}{
		{"typed", func() (string, error) {
			r, err := c.BLPop(bg, []string{"q"}, 0)
			if err != nil {
				return "", err
			}
			return r[1], nil
		}},
		{"Do", func() (string, error) {
			r, err := c.Do(bg, "blpop", "q", 0)
			if err != nil {
				return "", err
			}
			return r.Elems[1].Str, nil
		}},
		{"Cmd", func() (string, error) {
			if err := c.Exec(bg, cmd.Reset("BLPOP").Key("q").Arg("0")); err != nil {
				return "", err
			}
			it := cmd.Reply().Iter()
			it.Next()
			it.Next()
			return it.Value().String(), nil
		}},
	} {
		t.Run(way.name, func(t *testing.T) {
			got := make(chan string, 1)
			go func() {
				v, err := way.pop()
				if err != nil {
					v = err.Error()
				}
				got <- v
			}()
			awaitBlocked(t, admin, 1)
			if err := c.Set(bg, "k", "v"); err != nil { // the shared connection is free
				t.Fatal(err)
			}
			eq(t, "GET while BLPOP blocks", "v")(c.Get(bg, "k"))
			if _, err := admin.RPush(bg, "q", way.name); err != nil {
				t.Fatal(err)
			}
			if v := <-got; v != way.name {
				t.Errorf("BLPOP = %q", v)
			}
		})
	}
}

// Cancelling a blocked command returns at once, unblocks it on the server
// (so it takes nothing it would then lose), and the connection is reused.
func TestBlockingCommandCancelled(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, MaxDedicatedConns: 1})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() {
		_, err := c.BRPop(ctx, []string{"q"}, 0)
		done <- err
	}()
	awaitBlocked(t, admin, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("BRPOP after cancel: %v", err)
	}
	awaitBlocked(t, admin, 0) // CLIENT UNBLOCK
	admin.RPush(bg, "q", "x")
	// The pool's one connection comes back: the next blocking command gets
	// it (waiting, if the background unblock is still finishing).
	r, err := c.BRPop(bg, []string{"q"}, time.Second)
	if err != nil || r[1] != "x" {
		t.Fatalf("BRPOP after the unblock = %v, %v", r, err)
	}
	info, err := admin.Info(bg, "clients")
	if err != nil {
		t.Fatal(err)
	}
	// c's shared connection, its one dedicated connection, and admin's.
	if !strings.Contains(info, "connected_clients:3\r\n") {
		t.Errorf("the dedicated connection was not reused:\n%s", info)
	}
}

func TestBlockingPoolBounded(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, MaxDedicatedConns: 2})
	admin := newTestClient(t, Options{Addr: srv.Addr})
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := c.BLPop(bg, []string{"q"}, 0)
			done <- err
		}()
	}
	awaitBlocked(t, admin, 2)
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	if _, err := c.BLPop(ctx, []string{"q"}, 0); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "dedicated") {
		t.Errorf("a third BLPOP with the pool full: %v", err)
	}
	admin.RPush(bg, "q", "a", "b")
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// ReadTimeout bounds ordinary commands, not blocking ones, whose own
// timeout does.
func TestBlockingIgnoresReadTimeout(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr, ReadTimeout: 20 * time.Millisecond})
	if _, err := c.BLPop(bg, []string{"q"}, 200*time.Millisecond); !errors.Is(err, Nil) {
		t.Errorf("BLPOP with a 200ms timeout under a 20ms ReadTimeout: %v, want Nil", err)
	}
	if _, err := c.XRead(bg, []string{"s"}, []string{"$"}, XReadOptions{Block: 200 * time.Millisecond}); !errors.Is(err, Nil) {
		t.Errorf("XREAD BLOCK 200: %v, want Nil", err)
	}
	if _, err := c.Do(bg, "DEBUG", "SLEEP", "0.2"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DEBUG SLEEP under ReadTimeout: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// The runtime list of blocking commands matches the specs' BLOCKING flag
// (plus WAIT and WAITAOF, which block without it).
func TestBlockingCommandList(t *testing.T) {
	names := []string{"WAIT", "WAITAOF"}
	for _, name := range []string{"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP"} {
		info, ok := keyspec.Info(name)
		if !ok || !info.Blocking() {
			t.Errorf("%s is not BLOCKING in the specs", name)
		}
		names = append(names, name)
	}
	for _, name := range names {
		if !blockingCommand(strings.ToLower(name), func() bool { return true }) {
			t.Errorf("%s not treated as blocking", name)
		}
	}
	for _, name := range []string{"XREAD", "XREADGROUP"} {
		if blockingCommand(name, func() bool { return false }) {
			t.Errorf("%s without BLOCK treated as blocking", name)
		}
	}
	if blockingCommand("GET", func() bool { return true }) {
		t.Error("GET treated as blocking")
	}
}
