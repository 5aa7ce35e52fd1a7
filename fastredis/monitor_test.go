package fastredis

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/redistest"
)

func TestMonitorParseLine(t *testing.T) {
	tests := []struct {
		line string
		want MonitorEvent
	}{
		{`1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`,
			MonitorEvent{Time: time.Unix(1339518083, 107412000), DB: 0, Addr: "127.0.0.1:60866", Args: []string{"keys", "*"}}},
		{`1700000000.000001 [3 127.0.0.1:1] "set" "k" "v"`,
			MonitorEvent{Time: time.Unix(1700000000, 1000), DB: 3, Addr: "127.0.0.1:1", Args: []string{"set", "k", "v"}}},
		{`1700000000.5 [15 lua] "get" "k"`,
			MonitorEvent{Time: time.Unix(1700000000, 500000000), DB: 15, Addr: "lua", Args: []string{"get", "k"}}},
		{`1700000000 [0 unix:/tmp/redis.sock] "ping"`,
			MonitorEvent{Time: time.Unix(1700000000, 0), Addr: "unix:/tmp/redis.sock", Args: []string{"ping"}}},
		{`1700000000.000000 [0 [::1]:6379] "ping"`,
			MonitorEvent{Time: time.Unix(1700000000, 0), Addr: "[::1]:6379", Args: []string{"ping"}}},
		{`1.000000 [0 a:1] "set" "q\"uote\\back" "\n\r\t\a\b" "\x00\xff\x7F" "" "sp ace"`,
			MonitorEvent{Time: time.Unix(1, 0), Addr: "a:1", Args: []string{"set", "q\"uote\\back", "\n\r\t\a\b", "\x00\xff\x7f", "", "sp ace"}}},
		{`1.000000 [0 a:1] "] \"x"`,
			MonitorEvent{Time: time.Unix(1, 0), Addr: "a:1", Args: []string{`] "x`}}},
	}
	for _, tt := range tests {
		got, err := parseMonitorLine(tt.line)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if !got.Time.Equal(tt.want.Time) {
			t.Errorf("%s: time %v, want %v", tt.line, got.Time, tt.want.Time)
		}
		got.Time = tt.want.Time
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.line, got, tt.want)
		}
	}

	malformed := []string{
		``,
		`1339518083.107412`,
		`1339518083.107412 `,
		`x.107412 [0 a:1] "get"`,
		`-1.107412 [0 a:1] "get"`,
		`1.1234567890 [0 a:1] "get"`,
		`1. [0 a:1] "get"`,
		`99999999999999999999.1 [0 a:1] "get"`,
		`1.1 0 a:1] "get"`,
		`1.1 [x a:1] "get"`,
		`1.1 [-1 a:1] "get"`,
		`1.1 [0 a:1]`,
		`1.1 [0 a:1] `,
		`1.1 [0] "get"`,
		`1.1 [0 ] "get"`,
		`1.1 [0 a:1] get`,
		`1.1 [0 a:1] "get`,
		`1.1 [0 a:1] "get"x`,
		`1.1 [0 a:1] "get"  "k"`,
		`1.1 [0 a:1] "get" `,
		`1.1 [0 a:1] "g\`,
		`1.1 [0 a:1] "g\q"`,
		`1.1 [0 a:1] "\x4"`,
		`1.1 [0 a:1] "\x4`,
		`1.1 [0 a:1] "\xg0"`,
		`1.1 [0 a:1] "\x+f"`,
	}
	for _, line := range malformed {
		if ev, err := parseMonitorLine(line); !errors.Is(err, errMonitorLine) {
			t.Errorf("%q: %+v, %v; want an error", line, ev, err)
		}
	}
	// A truncated line is an error, never a panic, unless it ends between
	// two arguments.
	full := tests[5].line
	for i := range len(full) - 1 {
		if _, err := parseMonitorLine(full[:i]); err == nil && full[i] != ' ' {
			t.Errorf("%q: no error", full[:i])
		}
	}
}

// monitorNext returns the next event that matches, failing the test after
// a few seconds.
func monitorNext(t *testing.T, m *Monitor, match func(MonitorEvent) bool) MonitorEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-m.Events():
			if !ok {
				t.Fatalf("Events closed: %v", m.Err())
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("no matching MONITOR event within 5s")
		}
	}
}

func monitorClosed(t *testing.T, m *Monitor) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-m.Events():
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("Events not closed within 5s")
		}
	}
}

func TestMonitor(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			m := val[*Monitor](t, "Monitor")(c.Monitor(bg))
			defer m.Close()

			other := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
			key := "mon:" + t.Name()
			value := "\x00\xff\r\n\"\\ é"
			if err := other.Set(bg, key, value); err != nil {
				t.Fatal(err)
			}
			ev := monitorNext(t, m, func(ev MonitorEvent) bool { return len(ev.Args) > 1 && ev.Args[1] == key })
			if want := []string{"SET", key, value}; !reflect.DeepEqual(ev.Args, want) {
				t.Fatalf("Args %q, want %q", ev.Args, want)
			}
			if ev.DB != 0 || !strings.HasPrefix(ev.Addr, "127.0.0.1:") || time.Since(ev.Time).Abs() > time.Minute {
				t.Fatalf("event %+v", ev)
			}

			db3 := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto, DB: 3})
			if err := db3.Set(bg, key, "three"); err != nil {
				t.Fatal(err)
			}
			ev = monitorNext(t, m, func(ev MonitorEvent) bool { return len(ev.Args) > 1 && ev.Args[1] == key })
			if ev.DB != 3 || !reflect.DeepEqual(ev.Args, []string{"SET", key, "three"}) {
				t.Fatalf("event in db 3: %+v", ev)
			}

			// Commands run by a script come from "lua".
			mustDo(t, other, "EVAL", "return redis.call('get', KEYS[1])", 1, key)
			ev = monitorNext(t, m, func(ev MonitorEvent) bool { return ev.Addr == "lua" })
			if !reflect.DeepEqual(ev.Args, []string{"get", key}) {
				t.Fatalf("script event %+v", ev)
			}
			if d := m.Dropped(); d != 0 {
				t.Fatalf("Dropped = %d", d)
			}

			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			monitorClosed(t, m)
			if err := m.Err(); err != nil {
				t.Fatalf("Err after Close: %v", err)
			}
			m.Close() // idempotent
		})
	}
}

// A lost connection ends the monitor; closing the client closes it.
func TestMonitorEnds(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	m := val[*Monitor](t, "Monitor")(c.Monitor(bg))
	defer m.Close()
	var id int64
	for _, cl := range val[[]ClientInfo](t, "CLIENT LIST")(c.ClientListParsed(bg)) {
		if cl.Get("cmd") == "monitor" {
			id = cl.ID()
		}
	}
	if id == 0 {
		t.Fatal("no monitor in CLIENT LIST")
	}
	eq(t, "CLIENT KILL ID", int64(1))(c.ClientKill(bg, ClientKillFilter{ID: id}))
	monitorClosed(t, m)
	if err := m.Err(); !errors.Is(err, netpoll.ErrConnLost) {
		t.Fatalf("Err after the kill: %v", err)
	}

	m2 := val[*Monitor](t, "Monitor")(c.Monitor(bg))
	c.Close()
	monitorClosed(t, m2)
	if err := m2.Err(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Err after the client's Close: %v", err)
	}
	if _, err := c.Monitor(bg); !errors.Is(err, ErrClosed) {
		t.Fatalf("Monitor on a closed client: %v", err)
	}
}

// Events the reader does not take are dropped once the buffer is full, the
// newest first.
func TestMonitorDropNewest(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	other := newTestClient(t, Options{Addr: srv.Addr})
	m := val[*Monitor](t, "Monitor")(c.Monitor(bg))
	defer m.Close()
	const n = DefaultMonitorBufferSize + 50
	p := other.Pipeline()
	for i := range n {
		p.Do("ECHO", strconv.Itoa(i))
	}
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	// Nothing can be sent on the monitor's connection to mark the end of
	// the stream: poll until every line has been handled.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for m.Dropped()+uint64(len(m.Events())) < n {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("dropped %d, buffered %d, want %d in all", m.Dropped(), len(m.Events()), n)
		}
	}
	if d := m.Dropped(); d != n-DefaultMonitorBufferSize {
		t.Fatalf("Dropped = %d, want %d", d, n-DefaultMonitorBufferSize)
	}
	for i := range DefaultMonitorBufferSize {
		ev := <-m.Events()
		if want := []string{"ECHO", strconv.Itoa(i)}; !reflect.DeepEqual(ev.Args, want) {
			t.Fatalf("event %d: %q, want %q", i, ev.Args, want)
		}
	}
}
