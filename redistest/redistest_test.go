package redistest

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ioTimeout bounds each exchange with a server, so a broken server fails the
// test instead of hanging it.
const ioTimeout = 10 * time.Second

// client is a tiny RESP2 client, just enough to test the servers without
// importing the rest of the repository.
type client struct {
	c net.Conn
	r *bufio.Reader
}

// serverError is an error reply ("-ERR ...").
type serverError string

func (e serverError) Error() string { return string(e) }

func dial(t *testing.T, network, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout(network, addr, ioTimeout)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: bufio.NewReader(c)}
}

func dialTLS(t *testing.T, addr string, cfg *tls.Config) (*client, error) {
	t.Helper()
	d := &net.Dialer{Timeout: ioTimeout}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: bufio.NewReader(c)}, nil
}

// do sends a command and reads its reply: a string (simple or bulk), an
// int64, nil, a []any, or a serverError as the error.
func (c *client) do(args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c.c, b.String()); err != nil {
		return nil, err
	}
	return c.reply()
}

func (c *client) reply() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch body := line[1:]; line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, serverError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		a := make([]any, n)
		for i := range a {
			if a[i], err = c.reply(); err != nil {
				return nil, err
			}
		}
		return a, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// must runs a command that has to succeed and returns its reply.
func (c *client) must(t *testing.T, args ...string) any {
	t.Helper()
	v, err := c.do(args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return v
}

// wantReply runs a command and checks its reply, or that it fails with an
// error starting with errPrefix when errPrefix is set.
func (c *client) wantReply(t *testing.T, want any, errPrefix string, args ...string) {
	t.Helper()
	v, err := c.do(args...)
	switch {
	case errPrefix != "":
		var se serverError
		if !errors.As(err, &se) || !strings.HasPrefix(string(se), errPrefix) {
			t.Errorf("%s: got (%v, %v), want error %s...", args[0], v, err, errPrefix)
		}
	case err != nil:
		t.Errorf("%s: %v", args[0], err)
	case fmt.Sprint(v) != fmt.Sprint(want):
		t.Errorf("%s: got %q, want %q", args[0], v, want)
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	tests := []struct {
		name    string
		network string
		addr    string
	}{
		{"tcp", "tcp", srv.Addr},
		{"unix", "unix", srv.Socket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dial(t, tt.network, tt.addr).wantReply(t, "PONG", "", "PING")
		})
	}

	if want := "127.0.0.1:" + strconv.Itoa(srv.Port); srv.Addr != want {
		t.Errorf("Addr = %q, want %q", srv.Addr, want)
	}
	if want := "redis://" + srv.Addr; srv.URL() != want {
		t.Errorf("URL() = %q, want %q", srv.URL(), want)
	}
	if srv.TLSAddr != "" || srv.TLSURL() != "" || srv.ClientTLSConfig() != nil {
		t.Errorf("server without TLS has TLSAddr %q, TLSURL %q, ClientTLSConfig %v", srv.TLSAddr, srv.TLSURL(), srv.ClientTLSConfig())
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, "redis.conf")); err != nil {
		t.Errorf("no redis.conf in Dir: %v", err)
	}
	if log := srv.Log(); !strings.Contains(log, "accept connections") {
		t.Errorf("Log() does not show the server's readiness:\n%s", log)
	}
}

func TestPassword(t *testing.T) {
	t.Parallel()
	// Spaces and quotes make sure the password is quoted in redis.conf.
	const password = `s3cret "pass" word\`
	srv := Start(t, Options{Password: password})

	tests := []struct {
		name     string
		auth     []string // AUTH arguments; nil: no AUTH
		authErr  string   // error prefix AUTH must fail with
		pingErr  string   // error prefix PING must fail with
		wantPing string
	}{
		{name: "no AUTH", pingErr: "NOAUTH"},
		{name: "wrong password", auth: []string{"nope"}, authErr: "WRONGPASS", pingErr: "NOAUTH"},
		{name: "right password", auth: []string{password}, wantPing: "PONG"},
		{name: "default user", auth: []string{"default", password}, wantPing: "PONG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, "tcp", srv.Addr)
			if tt.auth != nil {
				c.wantReply(t, "OK", tt.authErr, append([]string{"AUTH"}, tt.auth...)...)
			}
			c.wantReply(t, tt.wantPing, tt.pingErr, "PING")
		})
	}

	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatalf("URL() = %q: %v", srv.URL(), err)
	}
	if pw, _ := u.User.Password(); u.Scheme != "redis" || u.Host != srv.Addr || u.User.Username() != "" || pw != password {
		t.Errorf("URL() = %q: want redis:// on %s with the password and no user name", srv.URL(), srv.Addr)
	}
}

func TestACLUsers(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{
		Password: "default-pw",
		Users: []User{
			{Name: "alice", Password: "alice pw"}, // full access by default
			{Name: "reader", Password: "r", Rules: "~* +@read +ping"},
			{Name: "guest", Rules: "+ping"}, // nopass
		},
	})
	tests := []struct {
		name, user, password string
		authErr              string
		cmd                  []string
		want                 any
		cmdErr               string
	}{
		{name: "user with full access", user: "alice", password: "alice pw", cmd: []string{"SET", "k", "v"}, want: "OK"},
		{name: "wrong password", user: "alice", password: "bad", authErr: "WRONGPASS", cmd: []string{"PING"}, cmdErr: "NOAUTH"},
		{name: "unknown user", user: "mallory", password: "x", authErr: "WRONGPASS", cmd: []string{"PING"}, cmdErr: "NOAUTH"},
		{name: "rules allow", user: "reader", password: "r", cmd: []string{"GET", "nokey"}, want: nil},
		{name: "rules forbid", user: "reader", password: "r", cmd: []string{"SET", "k", "v"}, cmdErr: "NOPERM"},
		{name: "nopass user", user: "guest", password: "anything", cmd: []string{"PING"}, want: "PONG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, "unix", srv.Socket)
			c.wantReply(t, "OK", tt.authErr, "AUTH", tt.user, tt.password)
			c.wantReply(t, tt.want, tt.cmdErr, tt.cmd...)
		})
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       Options
		dropCert   bool // dial without the client certificate
		wantRefuse bool
	}{
		{name: "server auth", opts: Options{TLS: true}},
		{name: "mutual", opts: Options{TLSClientAuth: true}},
		{name: "mutual without client cert", opts: Options{TLSClientAuth: true}, dropCert: true, wantRefuse: true},
		{name: "with password", opts: Options{TLS: true, Password: "pw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := Start(t, tt.opts)
			if srv.TLSAddr == "" || srv.TLSPort == srv.Port || srv.TLSAddr != "127.0.0.1:"+strconv.Itoa(srv.TLSPort) {
				t.Fatalf("TLSAddr %q, TLSPort %d, Port %d", srv.TLSAddr, srv.TLSPort, srv.Port)
			}
			if u, _ := url.Parse(srv.TLSURL()); u == nil || u.Scheme != "rediss" || u.Host != srv.TLSAddr {
				t.Errorf("TLSURL() = %q", srv.TLSURL())
			}

			cfg := srv.ClientTLSConfig()
			if got := len(cfg.Certificates) > 0; got != tt.opts.TLSClientAuth {
				t.Errorf("ClientTLSConfig has a client certificate: %v, want %v", got, tt.opts.TLSClientAuth)
			}
			if tt.dropCert {
				cfg.Certificates = nil
			}
			c, err := dialTLS(t, srv.TLSAddr, cfg)
			var reply any
			if err == nil && tt.opts.Password != "" {
				_, err = c.do("AUTH", tt.opts.Password)
			}
			if err == nil {
				// With TLS 1.3 the server checks the client certificate after
				// the client's handshake is done: a refusal shows here.
				reply, err = c.do("PING")
			}
			if tt.wantRefuse {
				if err == nil {
					t.Fatalf("PING over TLS without a client certificate: got %v, want the connection refused", reply)
				}
				t.Logf("refused as expected: %v", err)
				return
			}
			if err != nil || reply != "PONG" {
				t.Fatalf("PING over TLS: got (%v, %v), want PONG", reply, err)
			}
			if tt.opts.Password == "" {
				// The plain port stays open next to the TLS one.
				dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")
			}
		})
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Config: []string{
		"maxmemory 12345678",
		"appendonly yes", // overrides the default "appendonly no"
		`save "3600 1"`,
	}})
	c := dial(t, "tcp", srv.Addr)
	tests := []struct{ param, want string }{
		{"maxmemory", "12345678"},
		{"appendonly", "yes"},
		{"save", "3600 1"},
		{"enable-debug-command", "local"},
		{"bind", "127.0.0.1"},
		{"port", strconv.Itoa(srv.Port)},
		{"unixsocketperm", "700"},
		{"dir", srv.Dir},
	}
	for _, tt := range tests {
		v := c.must(t, "CONFIG", "GET", tt.param)
		if want := fmt.Sprint([]any{tt.param, tt.want}); fmt.Sprint(v) != want {
			t.Errorf("CONFIG GET %s = %v, want %v", tt.param, v, want)
		}
	}
	c.wantReply(t, "OK", "", "DEBUG", "SLEEP", "0")
}

func TestKillRestart(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Config: []string{"appendonly yes", "appendfsync always"}})
	addr, socket := srv.Addr, srv.Socket
	dial(t, "tcp", srv.Addr).wantReply(t, "OK", "", "SET", "survivor", "v1")

	srv.Kill()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after Kill")
	}

	srv.Restart(t)
	if srv.Addr != addr || srv.Socket != socket {
		t.Errorf("Restart moved the server from %s %s to %s %s", addr, socket, srv.Addr, srv.Socket)
	}
	c := dial(t, "unix", srv.Socket)
	c.wantReply(t, "v1", "", "GET", "survivor")
	c.wantReply(t, "OK", "", "SET", "survivor", "v2")

	// Restart a running server: it is stopped gracefully first.
	srv.Restart(t)
	dial(t, "tcp", srv.Addr).wantReply(t, "v2", "", "GET", "survivor")

	log := srv.Log()
	if n := strings.Count(log, "Redis is starting"); n != 3 {
		t.Errorf("Log() shows %d starts, want 3:\n%s", n, log)
	}
}

func TestStopIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")
	srv.Stop()
	srv.Stop()
	srv.Kill() // killing a stopped server is fine too
	if c, err := net.Dial("tcp", srv.Addr); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after Stop")
	}
	if log := srv.Log(); !strings.Contains(log, "ready to exit") {
		t.Errorf("server did not shut down gracefully:\n%s", log)
	}

	// A stopped server comes back, and Stop after Kill is fine.
	srv.Restart(t)
	dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")
	srv.Kill()
	srv.Stop()
}

func TestTwoServers(t *testing.T) {
	t.Parallel()
	a, b := Start(t, Options{}), Start(t, Options{})
	if a.Port == b.Port || a.Socket == b.Socket || a.Dir == b.Dir {
		t.Fatalf("servers share a port, socket or directory: %+v %+v", a, b)
	}
	dial(t, "tcp", a.Addr).wantReply(t, "OK", "", "SET", "where", "a")
	dial(t, "tcp", b.Addr).wantReply(t, nil, "", "GET", "where")
	dial(t, "unix", a.Socket).wantReply(t, "a", "", "GET", "where")
}

// TestLongSocketPath starts a server whose t.TempDir() is too long to hold
// its unix socket. Not parallel: it changes TMPDIR.
func TestLongSocketPath(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("long_directory_name_", 5))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	var sockDir string
	t.Run("server", func(t *testing.T) {
		t.Setenv("TMPDIR", long) // where t.TempDir() and os.TempDir() go
		srv := Start(t, Options{})
		if !strings.HasPrefix(srv.Dir, long) {
			t.Fatalf("Dir %s is not in TMPDIR %s", srv.Dir, long)
		}
		if len(srv.Socket) > maxSocketPath || strings.HasPrefix(srv.Socket, long) {
			t.Fatalf("socket path is %d bytes long: %s", len(srv.Socket), srv.Socket)
		}
		dial(t, "unix", srv.Socket).wantReply(t, "PONG", "", "PING")
		sockDir = filepath.Dir(srv.Socket)
	})
	// The subtest's cleanups have run: the short directory must be gone.
	if _, err := os.Stat(sockDir); !os.IsNotExist(err) {
		t.Errorf("socket directory %s not removed: %v", sockDir, err)
	}
}

// TestPortTaken gives the server a port that is in use, as if another
// process had taken it between our check and the server's bind.
func TestPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	for _, withTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", withTLS), func(t *testing.T) {
			srv, err := newServer(Options{TLS: withTLS}, t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			calls := 0
			err = srv.launch(func(n int) ([]int, error) {
				calls++
				if calls > 1 {
					return freePorts(n)
				}
				ports, err := freePorts(n)
				if err == nil {
					ports[n-1] = taken // the TLS port when there is one
				}
				return ports, err
			})
			if err != nil {
				t.Fatalf("launch: %v", err)
			}
			if calls != 2 || srv.Port == taken || srv.TLSPort == taken {
				t.Fatalf("picked ports %d times; Port %d, TLSPort %d, taken %d", calls, srv.Port, srv.TLSPort, taken)
			}
			dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")

			// Restart fails, clearly, when its port was taken meanwhile.
			srv.Stop()
			l2, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				t.Fatalf("taking the stopped server's port: %v", err)
			}
			defer l2.Close()
			err = srv.restart()
			if !errors.Is(err, errAddrInUse) || !strings.Contains(err.Error(), "took one of its ports") {
				t.Fatalf("restart on a taken port: %v", err)
			}
		})
	}
}

// fatalRecorder is a testing.TB whose Fatal methods record the message and
// end the goroutine, instead of failing the real test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// startFailure runs Start and returns the message it failed with, or "".
func startFailure(t *testing.T, opts Options) string {
	f := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(f, opts)
	}()
	<-done
	return f.msg
}

// Not parallel: it changes PATH and REDISTEST_REDIS_SERVER.
func TestMissingBinary(t *testing.T) {
	tests := []struct {
		name string
		path string // PATH while starting; "-": unchanged
		env  string // REDISTEST_REDIS_SERVER
		opts Options
		want string
	}{
		{name: "not in PATH", path: t.TempDir(), want: "not in PATH; install Redis (Debian and Ubuntu: apt-get install redis-server; macOS: brew install redis), or set REDISTEST_REDIS_SERVER"},
		{name: "bad Options.Binary", path: "-", opts: Options{Binary: "/nonexistent/redis-server"}, want: `Options.Binary is "/nonexistent/redis-server"`},
		{name: "bad env", path: "-", env: "/nonexistent/redis-7.2", want: `$REDISTEST_REDIS_SERVER is "/nonexistent/redis-7.2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "-" {
				t.Setenv("PATH", tt.path)
			}
			t.Setenv(BinaryEnv, tt.env)
			msg := startFailure(t, tt.opts)
			for _, want := range []string{tt.want, "apt-get install redis-server"} {
				if !strings.Contains(msg, want) {
					t.Errorf("failure message does not mention %q: %q", want, msg)
				}
			}
			if strings.Contains(msg, "make") {
				t.Errorf("failure message refers to a Makefile the user does not have: %q", msg)
			}

			srv, err := New(tt.opts)
			if srv != nil || !errors.Is(err, ErrNotInstalled) {
				t.Errorf("New: %v, %v; want ErrNotInstalled", srv, err)
			}

			var skipped bool
			t.Run("SkipIfMissing", func(t *testing.T) {
				defer func() { skipped = t.Skipped() }()
				opts := tt.opts
				opts.SkipIfMissing = true
				Start(t, opts)
				t.Error("Start returned")
			})
			if !skipped {
				t.Error("Start with SkipIfMissing did not skip the test")
			}
		})
	}
}

func TestBinaryEnv(t *testing.T) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip(err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(BinaryEnv, path)
	srv := Start(t, Options{})
	dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")
}

// TestNewClose starts a server without a testing.TB, as TestMain or a tool
// does.
func TestNewClose(t *testing.T) {
	t.Parallel()
	for _, detach := range []bool{false, true} {
		srv, err := New(Options{Detach: detach})
		if err != nil {
			t.Fatal(err)
		}
		dial(t, "tcp", srv.Addr).wantReply(t, "PONG", "", "PING")
		dial(t, "unix", srv.Socket).wantReply(t, "PONG", "", "PING")
		srv.Close()
		srv.Close() // idempotent
		if _, err := os.Stat(srv.Dir); !os.IsNotExist(err) {
			t.Errorf("Close left %s: %v", srv.Dir, err)
		}
		if conn, err := net.Dial("tcp", srv.Addr); err == nil {
			conn.Close()
			t.Errorf("the server on %s still accepts connections after Close", srv.Addr)
		}
	}
	if _, err := New(Options{Config: []string{"no-such-directive yes"}}); err == nil || !strings.Contains(err.Error(), "no-such-directive") {
		t.Errorf("New with a bad configuration: %v", err)
	}
}

func TestStartFailureShowsLog(t *testing.T) {
	t.Parallel()
	msg := startFailure(t, Options{Config: []string{"no-such-directive yes"}})
	for _, want := range []string{"exited before it was ready", "Bad directive", "no-such-directive"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message does not mention %q:\n%s", want, msg)
		}
	}
}

func TestQuoteConfigArg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", `""`},
		{"two words", `"two words"`},
		{`q"uo\te`, `"q\"uo\\te"`},
		{"it's", `"it's"`},
		{"tab\there\n", `"tab\x09here\x0a"`},
		{"/tmp/x y/redis.sock", `"/tmp/x y/redis.sock"`},
	}
	for _, tt := range tests {
		if got := quoteConfigArg(tt.in); got != tt.want {
			t.Errorf("quoteConfigArg(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestAppendTail(t *testing.T) {
	var buf []byte
	line := []byte(strings.Repeat("x", 99) + "\n")
	for range 2 * logLimit / len(line) {
		buf = appendTail(buf, line)
	}
	if len(buf) > logLimit || len(buf) < logLimit-len(line) {
		t.Errorf("kept %d bytes, want about %d", len(buf), logLimit)
	}
	if buf[0] != 'x' || buf[len(buf)-1] != '\n' || len(buf)%len(line) != 0 {
		t.Errorf("tail does not start at a line: %q...", buf[:10])
	}
}

func TestStandaloneReady(t *testing.T) {
	const sock = "/tmp/rt1/redis.sock"
	tests := []struct {
		name  string
		tls   bool
		lines []string
	}{
		{"redis 7.0", false, []string{
			"1:M 25 Nov 2026 00:26:14.766 * Ready to accept connections",
			"1:M 25 Nov 2026 00:26:14.767 * The server is now ready to accept connections at " + sock,
		}},
		{"redis 7.0 tls", true, []string{
			"1:M 25 Nov 2026 00:26:14.766 * Ready to accept connections",
			"1:M 25 Nov 2026 00:26:14.767 * The server is now ready to accept connections at " + sock,
		}},
		{"redis 7.2 tls", true, []string{
			"1:M 01 Jan 2024 00:00:00.000 * Ready to accept connections tcp",
			"1:M 01 Jan 2024 00:00:00.000 * Ready to accept connections unix",
			"1:M 01 Jan 2024 00:00:00.000 * Ready to accept connections tls",
		}},
	}
	for _, tt := range tests {
		ready := standaloneReady(sock, tt.tls)
		for i, line := range tt.lines {
			if got, want := ready(line), i == len(tt.lines)-1; got != want {
				t.Errorf("%s: after line %d ready = %v, want %v", tt.name, i, got, want)
			}
		}
	}
}
