package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// localServer is a throwaway redis-server that loadgen starts when no target
// is given: a free 127.0.0.1 port, a temporary directory, no persistence.
type localServer struct {
	addr string
	dir  string
	proc *os.Process

	ready  chan struct{} // closed when the log says it accepts connections
	exited chan struct{} // closed when the process is gone and its log read
	log    []string      // the last lines of its log, for errors; read after exited
}

const (
	serverReadyTimeout = 20 * time.Second
	serverStopGrace    = 10 * time.Second
	serverPortAttempts = 5
	serverLogLines     = 20
)

// errNoRedisServer says redis-server is not installed.
var errNoRedisServer = errors.New("no redis-server on PATH to start a local server: install it with `make deps` (or apt-get install redis-server), or give -addr, -url or -socket")

// startLocalServer starts redis-server and waits until it accepts
// connections, retrying with another port if the one it picked was taken
// meanwhile.
func startLocalServer() (*localServer, error) {
	binary, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errNoRedisServer
	}
	dir, err := os.MkdirTemp("", "loadgen-redis-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory for redis-server: %w", err)
	}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s, err := spawnServer(binary, dir, port)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == serverPortAttempts {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// errPortTaken marks a start that failed because the port was taken.
var errPortTaken = errors.New("port taken")

// startFailure is why a redis-server did not become ready.
type startFailure struct {
	msg   string
	taken bool
}

func (e *startFailure) Error() string        { return e.msg }
func (e *startFailure) Is(target error) bool { return target == errPortTaken && e.taken }

// freePort returns a port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// spawnServer starts one redis-server process and waits for it to be ready.
func spawnServer(binary, dir string, port int) (*localServer, error) {
	args := []string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--unixsocket", "",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--daemonize", "no", "--logfile", "",
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe for redis-server output: %w", err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = sysProcAttr()
	s := &localServer{
		addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		dir:    dir,
		ready:  make(chan struct{}),
		exited: make(chan struct{}),
	}
	started := make(chan error, 1)
	go s.run(cmd, r, w, started)
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting redis-server: %w", err)
	}
	timer := time.NewTimer(serverReadyTimeout)
	defer timer.Stop()
	select {
	case <-s.ready:
		return s, nil
	case <-s.exited:
		taken := false
		for _, line := range s.log {
			taken = taken || strings.Contains(line, "Address already in use")
		}
		return nil, &startFailure{msg: "redis-server exited before it was ready: " + s.lastLogLine(), taken: taken}
	case <-timer.C:
		s.stop()
		return nil, fmt.Errorf("redis-server did not say it was ready within %v: %s", serverReadyTimeout, s.lastLogLine())
	}
}

// run starts the process and waits for it on one goroutine locked to its OS
// thread: on Linux the server is killed when that thread ends (see
// sysProcAttr), which is when loadgen itself dies, even by SIGKILL.
func (s *localServer) run(cmd *exec.Cmd, r, w *os.File, started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err := cmd.Start()
	w.Close() // the child has its copy; ours would keep the pipe open
	if err != nil {
		r.Close()
		started <- err
		return
	}
	s.proc = cmd.Process
	logDone := make(chan struct{})
	go s.readLog(r, logDone)
	started <- nil
	_ = cmd.Wait()
	select {
	case <-logDone:
	case <-time.After(2 * time.Second): // a child of the server holds the pipe
		r.Close()
		<-logDone
	}
	close(s.exited)
}

// readLog keeps the last lines of the server's output and closes ready at
// "Ready to accept connections". It reads until EOF so the server never
// blocks on its log.
func (s *localServer) readLog(r *os.File, done chan<- struct{}) {
	defer close(done)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	isReady := false
	for sc.Scan() {
		line := sc.Text()
		s.log = append(s.log, line)
		if len(s.log) > serverLogLines {
			s.log = s.log[1:]
		}
		// Redis 7.0 ends the line with "connections", 7.2 and later with
		// "connections tcp".
		if !isReady && strings.Contains(line, "Ready to accept connections") {
			isReady = true
			close(s.ready)
		}
	}
}

// lastLogLine returns the server's last meaningful log line; call it only
// after the process has exited.
func (s *localServer) lastLogLine() string {
	for i := len(s.log) - 1; i >= 0; i-- {
		line := strings.TrimSpace(s.log[i])
		if line != "" && !strings.Contains(line, "bye bye") {
			return line
		}
	}
	return "(no output)"
}

// stop shuts the server down with SIGTERM (SIGKILL after a grace period),
// waits for it, and removes its directory. It is safe to call more than
// once.
func (s *localServer) stop() {
	select {
	case <-s.exited:
	default:
		if err := s.proc.Signal(syscall.SIGTERM); err != nil {
			_ = s.proc.Kill()
		}
		timer := time.NewTimer(serverStopGrace)
		select {
		case <-s.exited:
		case <-timer.C:
			_ = s.proc.Kill()
			<-s.exited
		}
		timer.Stop()
	}
	os.RemoveAll(s.dir)
}
