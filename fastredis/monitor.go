package fastredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// DefaultMonitorBufferSize is the number of events a Monitor buffers for
// its reader.
const DefaultMonitorBufferSize = 1024

// MonitorEvent is one command the server reports to a Monitor.
type MonitorEvent struct {
	// Time is when the server ran the command (to the microsecond).
	Time time.Time
	// DB is the database the command ran in.
	DB int
	// Addr is the address of the client that sent the command:
	// "127.0.0.1:50000" (or "[::1]:50000"), "unix:/path/to/socket", or "lua"
	// for commands run by a script.
	Addr string
	// Args are the command's name and arguments, unescaped, byte for byte.
	// The server shows some arguments (passwords, for instance) as
	// "(redacted)" and does not show AUTH and HELLO at all.
	Args []string
}

// Monitor streams the commands the server runs (the MONITOR command), on a
// connection of its own. It does not reconnect: when its connection is
// lost it ends, and Err says why. Like a PubSub, it never makes the
// connection wait for the reader of Events: when the buffer (1024 events)
// is full, the newest event is dropped and counted in Dropped. Lines the
// parser does not understand are skipped.
//
// MONITOR costs the server dearly; use it for debugging.
type Monitor struct {
	c       *Client
	cn      *netpoll.Conn
	events  chan MonitorEvent
	dropped atomic.Uint64
	stop    chan struct{} // closed by Close
	once    sync.Once
	done    chan struct{} // closed when watch has returned
	started atomic.Bool   // MONITOR was confirmed

	mu    sync.Mutex
	ended bool // events is closed
	err   error
}

// Monitor connects and sends MONITOR; it returns once the server has
// confirmed it. Close the Monitor when done (closing the client closes it
// too).
func (c *Client) Monitor(ctx context.Context) (*Monitor, error) {
	if c.router != nil {
		return nil, routedUnsupported("MONITOR (it watches one server: use a node's client)")
	}
	if c.pin != nil {
		return nil, errPinnedView("MONITOR")
	}
	if c.closed.Load() {
		return nil, ErrClosed
	}
	m := &Monitor{
		c:      c,
		events: make(chan MonitorEvent, DefaultMonitorBufferSize),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	cn, err := c.dialWith(ctx, false, func(o *netpoll.Options) { o.Intercept = m.intercept })
	if err != nil {
		return nil, err
	}
	m.cn = cn
	go m.watch()
	if err := c.track(m); err != nil {
		m.Close()
		return nil, err
	}
	mctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	_, err = call(mctx, cn, "MONITOR")
	cancel()
	if err != nil {
		m.Close()
		if c.closed.Load() {
			err = ErrClosed
		}
		return nil, err
	}
	m.started.Store(true)
	c.emit(Event{Type: EventConnect, Conn: "monitor"})
	c.emit(Event{Type: EventReady, Conn: "monitor", DB: c.DB()})
	return m, nil
}

// Events returns the channel of events. It is closed when the Monitor
// stops (Close, the client's Close, or a lost connection); Err then says
// why.
func (m *Monitor) Events() <-chan MonitorEvent { return m.events }

// Dropped returns how many events were dropped because the buffer was
// full.
func (m *Monitor) Dropped() uint64 { return m.dropped.Load() }

// Err returns why Events was closed: nil while it is open and after
// Close, ErrClosed when the client was closed, and for a lost connection
// an error matching netpoll.ErrConnLost.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Close closes the monitor's connection and Events. It is idempotent.
func (m *Monitor) Close() error {
	m.once.Do(func() { close(m.stop) })
	m.cn.Close()
	<-m.done
	m.c.untrack(m)
	return nil
}

// watch ends the Monitor when its connection closes.
func (m *Monitor) watch() {
	defer close(m.done)
	select {
	case <-m.cn.Done():
	case <-m.stop:
	}
	var err error
	select {
	case <-m.stop:
		if m.c.closed.Load() {
			err = ErrClosed
		}
	default:
		err = fmt.Errorf("fastredis: monitor connection lost: %w", m.cn.Err())
	}
	m.mu.Lock()
	m.ended = true
	m.err = err
	close(m.events)
	m.mu.Unlock()
	if err != nil && err != ErrClosed && m.started.Load() {
		m.c.untrack(m)
		m.c.emit(Event{Type: EventClose, Conn: "monitor", Err: err})
		m.c.emit(Event{Type: EventEnd, Conn: "monitor", Err: err})
	}
}

// intercept consumes the monitor's lines: simple strings that start with
// a digit (MONITOR's own +OK goes to its request). It runs on the reading
// side and never blocks.
func (m *Monitor) intercept(v resp.Value) bool {
	if v.Type() != resp.SimpleString {
		return false
	}
	b := v.Bytes()
	if len(b) == 0 || b[0] < '0' || b[0] > '9' {
		return false
	}
	ev, err := parseMonitorLine(string(b))
	if err != nil {
		return true // not understood: skipped
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ended {
		return true
	}
	select {
	case m.events <- ev:
	default:
		m.dropped.Add(1)
	}
	return true
}

// errMonitorLine is matched by the errors of parseMonitorLine.
var errMonitorLine = errors.New("fastredis: malformed MONITOR line")

func monitorLineError(what string) error {
	return fmt.Errorf("%w: %s", errMonitorLine, what)
}

// parseMonitorLine parses one line of MONITOR output:
//
//	1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
//
// The arguments are quoted as Redis's sdscatrepr writes them: \" \\ \n \r
// \t \a \b, and \xHH for other bytes that are not printable.
func parseMonitorLine(line string) (MonitorEvent, error) {
	var ev MonitorEvent
	ts, rest, ok := strings.Cut(line, " ")
	if !ok {
		return ev, monitorLineError("no timestamp")
	}
	secs, frac, dot := strings.Cut(ts, ".")
	sec, ok1 := parseDigits(secs, 18)
	nsec, ok2 := parseDigits(frac, 9)
	if !ok1 || (!ok2 && (dot || frac != "")) {
		return ev, monitorLineError("bad timestamp")
	}
	for i := len(frac); i < 9; i++ {
		nsec *= 10
	}
	ev.Time = time.Unix(sec, nsec)

	rest, ok = strings.CutPrefix(rest, "[")
	if !ok {
		return ev, monitorLineError("no [db addr]")
	}
	db, rest, ok := strings.Cut(rest, " ")
	n, okDB := parseDigits(db, 9)
	if !ok || !okDB {
		return ev, monitorLineError("bad database")
	}
	ev.DB = int(n)
	end := strings.Index(rest, `] "`)
	if end <= 0 {
		return ev, monitorLineError("bad address")
	}
	ev.Addr = rest[:end]
	args, err := parseQuotedArgs(rest[end+2:])
	if err != nil {
		return ev, err
	}
	ev.Args = args
	return ev, nil
}

// parseDigits parses a non-empty decimal number of at most max digits.
func parseDigits(s string, max int) (int64, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseQuotedArgs parses space-separated arguments quoted by sdscatrepr.
func parseQuotedArgs(s string) ([]string, error) {
	var args []string
	var b []byte
	for {
		if s == "" || s[0] != '"' {
			return nil, monitorLineError("argument not quoted")
		}
		b = b[:0]
		i := 1
	arg:
		for {
			if i >= len(s) {
				return nil, monitorLineError("unterminated argument")
			}
			c := s[i]
			switch c {
			case '"':
				i++
				break arg
			case '\\':
				if i+1 >= len(s) {
					return nil, monitorLineError("unterminated escape")
				}
				switch e := s[i+1]; e {
				case '\\', '"':
					b = append(b, e)
				case 'n':
					b = append(b, '\n')
				case 'r':
					b = append(b, '\r')
				case 't':
					b = append(b, '\t')
				case 'a':
					b = append(b, '\a')
				case 'b':
					b = append(b, '\b')
				case 'x':
					if i+3 >= len(s) {
						return nil, monitorLineError("short \\x escape")
					}
					x, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
					if err != nil {
						return nil, monitorLineError("bad \\x escape")
					}
					b = append(b, byte(x))
					i += 4
					continue
				default:
					return nil, monitorLineError("unknown escape")
				}
				i += 2
			default:
				b = append(b, c)
				i++
			}
		}
		args = append(args, string(b))
		s = s[i:]
		if s == "" {
			return args, nil
		}
		if s[0] != ' ' {
			return nil, monitorLineError("no space between arguments")
		}
		s = s[1:]
	}
}
