package redistest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Options configures a server started by Start or New. The zero value is a plain
// server without authentication.
type Options struct {
	// Password is the default user's password (requirepass). Clients must
	// AUTH with it before anything else.
	Password string

	// Users are ACL users created besides the default one, so tests can
	// AUTH with a user name (AUTH name password, HELLO 3 AUTH name password).
	Users []User

	// TLS makes the server also listen with TLS, on a second free port
	// (Server.TLSAddr). A CA, a server certificate (for 127.0.0.1 and
	// localhost) and a client certificate are generated into the server's
	// directory; Server.ClientTLSConfig returns a client configuration that
	// trusts them. The plain TCP port and the unix socket stay open.
	TLS bool

	// TLSClientAuth requires clients to present a certificate signed by the
	// generated CA (mutual TLS). ClientTLSConfig then carries one. It implies
	// TLS.
	TLSClientAuth bool

	// Config holds extra redis.conf lines, appended verbatim after the ones
	// redistest writes, e.g. "appendonly yes" or "maxmemory 10mb". For
	// directives that take one value the later line wins, so these override
	// the defaults. Do not change bind, port, unixsocket, dir, logfile or
	// daemonize: redistest relies on them.
	Config []string

	// Binary is the path of redis-server. By default it is the value of the
	// environment variable REDISTEST_REDIS_SERVER (BinaryEnv) or, when that is
	// unset, redis-server in PATH.
	Binary string

	// SkipIfMissing makes Start skip the test, rather than fail it, when
	// there is no redis-server binary, so a repository's tests pass on
	// machines without Redis. New always returns an error (ErrNotInstalled).
	SkipIfMissing bool

	// Detach puts the server in a process group of its own, so that a Ctrl-C
	// at the terminal reaches only the program that started it, which can
	// then finish its work and Close the server. It is meant for tools; tests
	// should leave it off, so that an interrupted test run stops its servers
	// too. On Linux the server is killed when its starter dies either way.
	Detach bool
}

// User is an ACL user, written to the configuration as a `user` line.
type User struct {
	// Name is the user name, e.g. "alice".
	Name string
	// Password is the user's password. Empty means the user has no password
	// (nopass): any password is accepted.
	Password string
	// Rules are ACL rules in Redis syntax, separated by spaces, applied after
	// "on" and the password, e.g. "~app:* +@read". Empty means full access:
	// "~* &* +@all".
	Rules string
}

// Server is a redis-server process started by Start or New. Its exported fields
// describe where it listens and do not change, also across Restart: treat
// them as read-only. Its methods are safe for concurrent use.
type Server struct {
	// Addr is the plain TCP address, "127.0.0.1:port".
	Addr string
	// Port is the port of Addr.
	Port int
	// Socket is the path of the unix socket the server also listens on.
	Socket string
	// TLSAddr is the TLS address, "127.0.0.1:port", when Options.TLS is set.
	TLSAddr string
	// TLSPort is the port of TLSAddr, or 0.
	TLSPort int
	// Dir is the server's working directory, inside the test's temporary
	// directory (or, for New, in os.TempDir()): redis.conf, TLS certificates,
	// RDB and AOF files. It is kept across Restart and removed when the test
	// ends or by Close.
	Dir string

	opts     Options
	binary   string
	confPath string
	certs    *certs // nil without TLS
	sockDir  string // a short directory for Socket, when Dir is too long; removed by Close
	ownDir   bool   // Dir was made by New and is removed by Close

	// cluster, for a node of a Cluster, adds the cluster directives to the
	// configuration; busPort is its cluster bus port, picked with the others.
	cluster func(c *config)
	busPort int

	// sentinel, when set, makes the process a Redis Sentinel (redis-server
	// --sentinel) and adds its sentinel directives to the configuration.
	sentinel func(c *config)

	mu      sync.Mutex
	proc    *process // the current (or last) process; nil before the first start
	pastLog []byte   // output of the processes before proc (Restart)
}

// Start starts a redis-server for the test, waits until it accepts
// connections and registers a cleanup that stops it when the test (or
// benchmark) and its subtests end. It fails the test if the server cannot be
// started, with the server's log in the message; when redis-server is not
// installed it says how to install it, or skips the test with
// Options.SkipIfMissing.
//
// Each server gets its own free loopback port and temporary directory, so
// tests that each start a server can run in parallel.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := newServer(opts, t.TempDir(), nil)
	if err != nil {
		if opts.SkipIfMissing && errors.Is(err, ErrNotInstalled) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // registered after TempDir's cleanup, so it runs before it
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// New starts a redis-server outside a test, for TestMain (one server shared
// by a package's tests or examples) and for tools. It waits until the server
// accepts connections. Its directory is a new one in os.TempDir(). The caller
// must Close the server, which also removes the directory.
//
// When redis-server is not installed, the error wraps ErrNotInstalled and
// says how to install it.
func New(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s, err := newServer(opts, dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.ownDir = true
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newServer prepares a server in dir: binary, socket path and certificates
// (shared ones when given, as the nodes of a cluster share one CA). It does
// not start it; Close undoes what it did.
func newServer(opts Options, dir string, shared *certs) (*Server, error) {
	if opts.TLSClientAuth {
		opts.TLS = true
	}
	for _, u := range opts.Users {
		if u.Name == "" || strings.ContainsAny(u.Name, " \t\r\n") {
			return nil, fmt.Errorf("redistest: invalid ACL user name %q", u.Name)
		}
	}
	binary, err := findBinary(opts.Binary)
	if err != nil {
		return nil, err
	}

	s := &Server{Dir: dir, opts: opts, binary: binary}
	s.confPath = filepath.Join(s.Dir, "redis.conf")
	s.Socket = filepath.Join(s.Dir, "redis.sock")
	if len(s.Socket) > maxSocketPath {
		// Temporary directories can be too long for a unix socket address
		// (t.TempDir paths carry the test name); a short one of our own
		// avoids that.
		if s.sockDir, err = shortTempDir(); err != nil {
			return nil, fmt.Errorf("redistest: directory for the unix socket: %w", err)
		}
		s.Socket = filepath.Join(s.sockDir, "redis.sock")
	}
	if opts.TLS && shared != nil {
		s.certs = shared
	} else if opts.TLS {
		if s.certs, err = generateCerts(s.Dir); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// start launches the server on free ports.
func (s *Server) start() error {
	if err := s.launch(freePorts); err != nil {
		return fmt.Errorf("redistest: starting redis-server: %w", err)
	}
	return nil
}

// maxSocketPath is the longest unix socket path accepted everywhere: the
// address holds 104 bytes with the terminating NUL on BSDs and macOS, 108 on
// Linux.
const maxSocketPath = 103

// shortTempDir creates a directory whose path leaves room for a unix socket
// name, in os.TempDir() or, when that path is long itself, in /tmp.
func shortTempDir() (string, error) {
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		// MkdirTemp appends up to 10 digits to the pattern.
		if len(filepath.Join(parent, "rt0123456789", "redis.sock")) > maxSocketPath {
			continue
		}
		return os.MkdirTemp(parent, "rt")
	}
	return "", fmt.Errorf("the temporary directory %s is too long for unix socket paths (%d bytes at most); set TMPDIR to a shorter one", os.TempDir(), maxSocketPath)
}

// portAttempts is how many times Start tries new ports when a port it picked
// was taken by someone else before the server could bind it.
const portAttempts = 5

// BinaryEnv is the environment variable that names the redis-server binary
// when Options.Binary is empty, e.g. a build of another Redis version. When
// it is unset too, redis-server is looked up in PATH.
const BinaryEnv = "REDISTEST_REDIS_SERVER"

// ErrNotInstalled is wrapped by the errors of New (and the failure messages
// of Start) when there is no redis-server binary to start.
var ErrNotInstalled = errors.New("redistest: no redis-server to start")

// findBinary resolves Options.Binary, $REDISTEST_REDIS_SERVER or
// redis-server in PATH, and explains how to get it when it is missing.
func findBinary(binary string) (string, error) {
	const install = "install Redis (Debian and Ubuntu: apt-get install redis-server; macOS: brew install redis)"
	from := "Options.Binary"
	if binary == "" {
		binary, from = os.Getenv(BinaryEnv), "$"+BinaryEnv
	}
	if binary == "" {
		path, err := exec.LookPath("redis-server")
		if err != nil {
			return "", fmt.Errorf("%w: redis-server is not in PATH; %s, or set %s or Options.Binary to the path of a redis-server binary", ErrNotInstalled, install, BinaryEnv)
		}
		return path, nil
	}
	path, err := exec.LookPath(binary)
	if err != nil {
		return "", fmt.Errorf("%w: %s is %q, which is not a redis-server binary (%v); %s, or fix %s", ErrNotInstalled, from, binary, err, install, from)
	}
	return path, nil
}

// freePorts returns n distinct ports that were free on 127.0.0.1 a moment
// ago. Someone else may take one before the server binds it; launch retries.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close() // held until all are picked, so they are distinct
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// launch picks ports, writes the configuration and starts the server,
// retrying with new ports when one was taken in between.
func (s *Server) launch(pickPorts func(n int) ([]int, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 1
	if s.opts.TLS {
		n = 2
	}
	if s.cluster != nil {
		n++ // the cluster bus port, last
	}
	for attempt := 1; ; attempt++ {
		ports, err := pickPorts(n)
		if err != nil {
			return err
		}
		s.Port, s.Addr = ports[0], net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		if s.opts.TLS {
			s.TLSPort, s.TLSAddr = ports[1], net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
		}
		if s.cluster != nil {
			s.busPort = ports[n-1]
		}
		if err := s.config().writeFile(s.confPath); err != nil {
			return err
		}
		err = s.spawn()
		if err == nil || !errors.Is(err, errAddrInUse) || attempt == portAttempts {
			return err
		}
	}
}

// config is the server's redis.conf.
func (s *Server) config() *config {
	c := &config{}
	c.raw("# Written by redistest. When a directive appears twice, the later line wins.")
	c.set("daemonize", "no")
	c.set("bind", "127.0.0.1")
	c.setInt("port", s.Port)
	c.set("unixsocket", s.Socket)
	c.set("unixsocketperm", "700")
	c.set("dir", s.Dir)
	c.set("logfile", "") // log to stdout, which we read for readiness and Log
	c.set("save", "")    // no RDB snapshots unless a test asks for them
	c.set("appendonly", "no")
	c.set("enable-debug-command", "local") // DEBUG SLEEP and friends, from loopback only
	if s.certs != nil {
		c.setInt("tls-port", s.TLSPort)
		c.set("tls-cert-file", s.certs.certFile)
		c.set("tls-key-file", s.certs.keyFile)
		c.set("tls-ca-cert-file", s.certs.caFile)
		if s.opts.TLSClientAuth {
			c.set("tls-auth-clients", "yes")
		} else {
			c.set("tls-auth-clients", "no")
		}
	}
	if s.opts.Password != "" {
		c.set("requirepass", s.opts.Password)
	}
	for _, u := range s.opts.Users {
		c.raw(userLine(u))
	}
	if s.cluster != nil {
		s.cluster(c)
	}
	if s.sentinel != nil {
		s.sentinel(c)
	}
	for _, line := range s.opts.Config {
		c.raw(line)
	}
	return c
}

// userLine is the redis.conf `user` directive for u.
func userLine(u User) string {
	var c config
	args := []string{u.Name, "on"}
	if u.Password == "" {
		args = append(args, "nopass")
	} else {
		args = append(args, ">"+u.Password)
	}
	c.set("user", args...)
	line := strings.TrimSuffix(c.String(), "\n")
	rules := u.Rules
	if strings.TrimSpace(rules) == "" {
		rules = "~* &* +@all"
	}
	return line + " " + rules
}

// spawn starts a process from the configuration file and waits until it is
// ready. s.mu must be held.
func (s *Server) spawn() error {
	args := []string{s.confPath}
	ready := standaloneReady(s.Socket, s.opts.TLS)
	if s.sentinel != nil {
		// A sentinel listens before it logs its ID, and never says "Ready
		// to accept connections".
		args = append(args, "--sentinel")
		ready = func(line string) bool { return strings.Contains(line, "Sentinel ID is") }
	}
	p, err := startProcess(s.binary, args, s.Dir, s.opts.Detach, ready)
	if err != nil {
		return err
	}
	s.proc = p
	err = p.awaitReady(readyTimeout)
	var se *startError
	if s.opts.TLS && errors.As(err, &se) && strings.Contains(se.log, ">>> 'tls-") {
		// A redis-server built without TLS does not know the tls-* directives.
		se.hint = "Options.TLS needs a redis-server built with TLS support (BUILD_TLS=yes); Debian's redis-server package has it"
	}
	return err
}

// standaloneReady returns a readiness matcher for a standalone server with a
// TCP port, a unix socket, and maybe a TLS port. Redis 7.0 prints "Ready to
// accept connections" once all TCP and TLS listeners are open, then "The
// server is now ready to accept connections at <socket>"; Redis 7.2 and later
// print one "Ready to accept connections <tcp|tls|unix>" line per listener.
func standaloneReady(socket string, withTLS bool) func(line string) bool {
	var tcp, tlsOK, unix bool
	return func(line string) bool {
		switch {
		case strings.HasSuffix(line, "Ready to accept connections"):
			tcp, tlsOK = true, true
		case strings.HasSuffix(line, "Ready to accept connections tcp"):
			tcp = true
		case strings.HasSuffix(line, "Ready to accept connections tls"):
			tlsOK = true
		case strings.HasSuffix(line, "Ready to accept connections unix"),
			strings.HasSuffix(line, "ready to accept connections at "+socket):
			unix = true
		}
		return tcp && unix && (tlsOK || !withTLS)
	}
}

// Stop shuts the server down: SIGTERM, then SIGKILL if it has not exited
// within 10 seconds. It returns when the process is gone and its output has
// been read. Stop is idempotent: it does nothing when the server is stopped
// or killed already. Its directory stays, so Restart can bring it back.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(stopGrace)
	}
}

// Close stops the server, as Stop does, and removes the files New created
// for it. Start registers it as a test cleanup; a server from New must be
// closed by its caller. Close is idempotent.
func (s *Server) Close() {
	s.Stop()
	if s.sockDir != "" {
		os.RemoveAll(s.sockDir)
	}
	if s.ownDir {
		os.RemoveAll(s.Dir)
	}
}

// Kill kills the server at once with SIGKILL, as a crash would: nothing is
// saved or flushed beyond what the server had written already. It returns
// when the process is gone. Use Restart to bring the server back.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.kill()
	}
}

// Restart starts the server again with the same ports, unix socket,
// directory and configuration, so data persisted in RDB or AOF files
// survives, and waits until it is ready. A running server is stopped first,
// as by Stop. It fails the test if the server cannot start again, for
// instance because another process took one of its ports meanwhile.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.restart(); err != nil {
		t.Fatalf("%v", err)
	}
}

func (s *Server) restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(stopGrace)
		s.pastLog = appendTail(s.pastLog, []byte(s.proc.out.String()))
		s.pastLog = appendTail(s.pastLog, []byte("---- redistest: restarting the server ----\n"))
		s.proc = nil
	}
	err := s.spawn()
	if errors.Is(err, errAddrInUse) {
		return fmt.Errorf("redistest: restarting redis-server on %s: another process took one of its ports while it was down: %w", s.Addr, err)
	}
	if err != nil {
		return fmt.Errorf("redistest: restarting redis-server on %s: %w", s.Addr, err)
	}
	return nil
}

// Log returns what the server has printed so far, including before
// restarts; only the last 64 KiB or so are kept. It is meant for failure
// messages.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.pastLog
	if s.proc != nil {
		log = appendTail(append([]byte(nil), log...), []byte(s.proc.out.String()))
	}
	return string(log)
}

// URL returns the server's address as a redis:// URL, with the default
// user's password when Options.Password is set: "redis://127.0.0.1:port" or
// "redis://:password@127.0.0.1:port".
func (s *Server) URL() string { return s.url("redis", s.Addr) }

// TLSURL returns the server's TLS address as a rediss:// URL, with the
// default user's password when set, or "" when the server has no TLS.
//
// The server's certificate is signed by a CA that redistest generated, so
// the URL alone is not enough to connect: the client must also trust that
// CA, through ClientTLSConfig. With fastredis:
//
//	opts, err := fastredis.ParseURL(srv.TLSURL())
//	...
//	opts.TLSConfig = srv.ClientTLSConfig()
func (s *Server) TLSURL() string {
	if s.TLSAddr == "" {
		return ""
	}
	return s.url("rediss", s.TLSAddr)
}

func (s *Server) url(scheme, host string) string {
	u := url.URL{Scheme: scheme, Host: host}
	if s.opts.Password != "" {
		u.User = url.UserPassword("", s.opts.Password)
	}
	return u.String()
}

// ClientTLSConfig returns a new TLS client configuration for TLSAddr: it
// trusts the generated CA, sets ServerName to a name in the server's
// certificate, and with Options.TLSClientAuth presents a client certificate
// signed by that CA. It returns nil when the server was started without TLS.
// The caller may modify the returned configuration.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.certs == nil {
		return nil
	}
	return s.certs.clientConfig(s.opts.TLSClientAuth)
}
