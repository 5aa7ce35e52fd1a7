package redistest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds how long a server may take to say it is ready.
	// Redis starts in milliseconds; the bound only matters when something is
	// badly wrong (or the machine is badly overloaded), so it is generous.
	readyTimeout = 20 * time.Second

	// stopGrace is how long Stop lets a server shut down after SIGTERM before
	// it sends SIGKILL.
	stopGrace = 10 * time.Second

	// drainGrace is how long, after the process has exited, the log reader
	// may still wait for the end of its output. Only a child of the server
	// that outlives it (a background save fork) keeps the pipe open longer.
	drainGrace = 2 * time.Second

	// logLimit bounds the output kept for Log, per process and in total.
	logLimit = 64 << 10

	// lineLimit bounds one line kept for readiness matching; longer lines are
	// truncated (they are still kept whole in the log).
	lineLimit = 4 << 10
)

// errAddrInUse reports that a server could not bind one of its ports. The
// caller may retry with other ports.
var errAddrInUse = errors.New("address already in use")

// startError is why a process did not become ready. Its message carries the
// server's log, which is what explains the failure.
type startError struct {
	what   string // what happened, e.g. "exited before it was ready (exit status 1)"
	hint   string // optional advice
	log    string
	inUse  bool
	binary string
}

func (e *startError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.binary, e.what)
	if e.hint != "" {
		fmt.Fprintf(&b, "; %s", e.hint)
	}
	b.WriteString("; its log:\n")
	if e.log == "" {
		b.WriteString("(empty)\n")
	} else {
		b.WriteString(e.log)
		if !strings.HasSuffix(e.log, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (e *startError) Is(target error) bool { return target == errAddrInUse && e.inUse }

// process is one running redis-server (or, later, redis-sentinel) process:
// its output is collected into a bounded log and scanned line by line for the
// readiness message. It knows nothing about configuration, so standalone,
// cluster and sentinel servers can share it.
type process struct {
	binary string
	proc   *os.Process
	out    tailBuffer

	ready  chan struct{} // closed when the readiness matcher has accepted a line
	exited chan struct{} // closed when the process is gone and its output drained

	// exitErr is what Wait returned. It is written before exited is closed
	// and read only after.
	exitErr error
}

// startProcess starts binary with args in dir, in a process group of its own
// if detach is set. isReady is called from a
// single goroutine with each line the process prints, without the newline,
// until it returns true; it may keep state between calls.
func startProcess(binary string, args []string, dir string, detach bool, isReady func(line string) bool) (*process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("redistest: pipe for server output: %w", err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdout = w // a *os.File is handed to the child as is: no copying goroutine
	cmd.Stderr = w
	cmd.SysProcAttr = sysProcAttr(detach)

	p := &process{
		binary: binary,
		ready:  make(chan struct{}),
		exited: make(chan struct{}),
	}
	started := make(chan error, 1)
	go p.run(cmd, r, w, isReady, started)
	if err := <-started; err != nil {
		return nil, fmt.Errorf("redistest: starting %s: %w", binary, err)
	}
	return p, nil
}

// run starts the process, then waits for it, on one goroutine locked to its
// OS thread for the whole life of the process: on Linux the child is killed
// when the thread that started it ends (see sysProcAttr), and a locked thread
// cannot be ended by some other goroutine that locks it and exits.
func (p *process) run(cmd *exec.Cmd, r, w *os.File, isReady func(string) bool, started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	err := cmd.Start()
	w.Close() // the child has its own copy; ours would keep the pipe open forever
	if err != nil {
		r.Close()
		started <- err
		return
	}
	p.proc = cmd.Process
	readerDone := make(chan struct{})
	go p.read(r, isReady, readerDone)
	started <- nil

	err = cmd.Wait()
	timer := time.NewTimer(drainGrace)
	select {
	case <-readerDone:
	case <-timer.C:
		r.Close() // unblocks the reader
		<-readerDone
	}
	timer.Stop()
	p.exitErr = err
	close(p.exited)
}

// read copies the process output into the log and feeds complete lines to
// isReady until it accepts one. It drains the pipe until EOF so the server
// never blocks writing its log.
func (p *process) read(r *os.File, isReady func(string) bool, done chan<- struct{}) {
	defer close(done)
	defer r.Close()
	buf := make([]byte, 4096)
	var line []byte
	matching := true
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p.out.Write(buf[:n])
			chunk := buf[:n]
			for matching && len(chunk) > 0 {
				i := bytes.IndexByte(chunk, '\n')
				if i < 0 {
					line = appendBounded(line, chunk)
					break
				}
				line = appendBounded(line, chunk[:i])
				chunk = chunk[i+1:]
				if isReady(strings.TrimRight(string(line), "\r")) {
					matching = false
					close(p.ready)
				}
				line = line[:0]
			}
		}
		if err != nil {
			return
		}
	}
}

func appendBounded(dst, src []byte) []byte {
	if room := lineLimit - len(dst); len(src) > room {
		src = src[:max(room, 0)]
	}
	return append(dst, src...)
}

// awaitReady waits until the process is ready, has exited, or timeout has
// passed. On failure the process is gone when it returns.
func (p *process) awaitReady(timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.ready:
		return nil
	case <-p.exited:
		log := p.out.String()
		return &startError{
			binary: p.binary,
			what:   fmt.Sprintf("exited before it was ready (%v)", p.exitErr),
			log:    log,
			inUse:  strings.Contains(log, "Address already in use"),
		}
	case <-timer.C:
		p.kill()
		return &startError{
			binary: p.binary,
			what:   fmt.Sprintf("did not say it was ready within %v (killed it)", timeout),
			log:    p.out.String(),
		}
	}
}

// stop asks the process to shut down (SIGTERM) and waits for it, sending
// SIGKILL after grace. It returns at once if the process is already gone.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.proc.Signal(syscall.SIGTERM) // fails only if it has exited meanwhile
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.exited:
	case <-timer.C:
		p.kill()
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill() {
	_ = p.proc.Kill() // fails only if it has exited already
	<-p.exited
}

// tailBuffer keeps the last logLimit bytes written to it. It is safe for
// concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = appendTail(b.buf, p)
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// appendTail appends p to buf and keeps the last logLimit bytes, cut at a
// line start when there is one, so the log does not begin mid-line.
func appendTail(buf, p []byte) []byte {
	buf = append(buf, p...)
	if over := len(buf) - logLimit; over > 0 {
		cut := over
		if i := bytes.IndexByte(buf[over:], '\n'); i >= 0 && i < 1024 {
			cut = over + i + 1
		}
		buf = append(buf[:0], buf[cut:]...)
	}
	return buf
}
