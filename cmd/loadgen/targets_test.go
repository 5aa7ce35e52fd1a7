package main

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

func TestEveryRequestFailing(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	code, stdout, stderr := runArgs(t, "-addr", srv.Addr, "-command", "NOSUCHCOMMAND __key__", "-requests", "20", "-warmup", "0", "-quiet")
	if code != exitFailure {
		t.Errorf("exit status %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stdout, "requests    20 (errors 20") {
		t.Errorf("the summary does not count 20 errors:\n%s", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "all 20 requests failed") || !strings.Contains(stderr, "unknown command") {
		t.Errorf("stderr: %q", stderr)
	}
}

func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	code, stdout, stderr := runArgs(t, "-addr", addr, "-requests", "10")
	if code != exitFailure || stdout != "" {
		t.Errorf("exit status %d, stdout %q; want %d and nothing", code, stdout, exitFailure)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "cannot connect to redis://"+addr) {
		t.Errorf("stderr: %q", stderr)
	}
}

func TestLocalServerIsStartedAndStopped(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runArgs(t, "-requests", "300", "-clients", "3", "-warmup", "0")
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "started by loadgen") || !strings.Contains(stdout, "requests    300 (errors 0") {
		t.Errorf("summary:\n%s", stdout)
	}
	m := regexp.MustCompile(`started redis-server on (127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr does not say where the server was: %q", stderr)
	}
	if conn, err := net.Dial("tcp", m[1]); err == nil {
		conn.Close()
		t.Errorf("the local server on %s still accepts connections after the run", m[1])
	}
}

func TestNoRedisServerOnPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, stdout, stderr := runArgs(t, "-requests", "10")
	if code != exitFailure || stdout != "" {
		t.Errorf("exit status %d, stdout %q; want %d and nothing", code, stdout, exitFailure)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "make deps") {
		t.Errorf("stderr: %q", stderr)
	}
}

func TestSocketAndURLTargets(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{Password: "s3cret"})
	ctx := context.Background()

	s := runJSON(t, "-socket", srv.Socket, "-password", "s3cret", "-ratio", "1:0", "-keys", "3", "-requests", "30", "-warmup", "0")
	if s.Requests != 30 || s.Errors != 0 || s.Target != "unix://"+srv.Socket || len(s.Commands) != 1 || s.Commands[0].Name != "SET" {
		t.Errorf("-socket run: %+v", s)
	}

	// A URL's database and key_prefix apply; the password never shows.
	url := "redis://:s3cret@" + srv.Addr + "/2?key_prefix=app:&pool_size=2"
	code, stdout, stderr := runArgs(t, "-url", url, "-ratio", "1:0", "-keys", "3", "-requests", "30", "-warmup", "0")
	if code != exitOK {
		t.Fatalf("-url run: exit status %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "s3cret") {
		t.Errorf("the output shows the password:\n%s%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "db 2") || !strings.Contains(stdout, "2 connections") {
		t.Errorf("the summary does not show db 2 and 2 connections:\n%s", stdout)
	}
	c, err := fastredis.NewClient(fastredis.Options{Addr: srv.Addr, Password: "s3cret", DB: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply, err := c.Do(ctx, "KEYS", "*")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := reply.Strings()
	for _, k := range keys {
		if !strings.HasPrefix(k, "app:loadgen:") {
			t.Errorf("key %q in db 2 does not start with the URL's key_prefix and loadgen:", k)
		}
	}
	if len(keys) == 0 {
		t.Error("no keys in db 2")
	}

	// A wrong password is a one-line runtime error that does not show it.
	code, _, stderr = runArgs(t, "-addr", srv.Addr, "-password", "wrong-pw", "-requests", "10")
	if code != exitFailure || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "wrong-pw") {
		t.Errorf("wrong password: exit status %d, stderr %q", code, stderr)
	}
}
