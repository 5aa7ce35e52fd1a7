package netpoll

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// The polling budget follows how fast replies come.
func TestSpinnerAdapts(t *testing.T) {
	const max = 200 * time.Microsecond
	type step struct {
		waited time.Duration
		caught bool
		want   time.Duration // the budget after it
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"fast replies keep the maximum", []step{
			{30 * time.Microsecond, true, max}, {40 * time.Microsecond, true, max}}},
		{"a reply just past the budget restores the maximum", []step{
			{time.Millisecond, false, max / 2}, {150 * time.Microsecond, false, max}}},
		{"slow replies halve it, then stop polling", []step{
			{time.Millisecond, false, max / 2}, {time.Millisecond, false, max / 4},
			{time.Millisecond, false, max / 8}, {time.Millisecond, false, max / 16},
			{time.Millisecond, false, 0}, {time.Millisecond, false, 0}}},
		{"a quick reply turns polling on again", []step{
			{time.Millisecond, false, max / 2}, {time.Millisecond, false, max / 4},
			{time.Millisecond, false, max / 8}, {time.Millisecond, false, max / 16},
			{time.Millisecond, false, 0}, {50 * time.Microsecond, false, max}}},
		{"caught replies grow a halved budget back", []step{
			{time.Millisecond, false, max / 2}, {time.Millisecond, false, max / 4},
			{20 * time.Microsecond, true, max / 2}, {20 * time.Microsecond, true, max}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spinner{max: max, budget: max}
			for i, st := range tt.steps {
				s.observe(st.waited, st.caught)
				if s.budget != st.want {
					t.Fatalf("step %d (waited %v, caught %v): budget %v, want %v", i, st.waited, st.caught, s.budget, st.want)
				}
			}
		})
	}
	if s := newSpinner(-1); s.max != 0 || s.budget != 0 {
		t.Errorf("a negative SpinWait polls: %+v", s)
	}
	start := time.Now()
	s := spinner{max: max, budget: max}
	if got := s.limit(start, time.Time{}); !got.Equal(start.Add(max)) {
		t.Errorf("limit without deadline = %v, want start+%v", got.Sub(start), max)
	}
	if got := s.limit(start, start.Add(time.Microsecond)); !got.Equal(start.Add(time.Microsecond)) {
		t.Errorf("limit with an earlier deadline = %v, want the deadline", got.Sub(start))
	}
	if s := (spinner{}); !s.limit(start, time.Time{}).IsZero() {
		t.Error("a spinner without budget gives a limit")
	}
}

// A lone serial caller catches its replies by polling; SpinWait < 0 and a
// ConcurrentWait context do not poll; a server slow to answer soon stops
// the polling, and quick replies bring it back. Every reply is its caller's.
func TestDirectReadPolling(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("polling is off with GOMAXPROCS 1")
	}
	srv := redistest.Start(t, redistest.Options{})
	bg := context.Background()
	echo := func(t *testing.T, c *Conn, ctx context.Context, n int) {
		t.Helper()
		for i := range n {
			want := "poll-" + strconv.Itoa(i)
			var h bytesHandler
			if err := c.Do(ctx, &h, 1, encodeCmd("ECHO", want)); err != nil || string(h.got) != want {
				t.Fatalf("ECHO = %q, %v; want %q", h.got, err, want)
			}
		}
	}
	c := dialServer(t, srv, TransportNetConn, Options{})
	echo(t, c, bg, 200)
	// On a loaded machine (make test runs other packages' tests beside
	// this one) replies now and then come after the budget, and each such
	// reply halves it; a quarter is far from what broken polling gives (0).
	if n := c.polledReads.Load(); n < 50 {
		t.Errorf("%d of 200 serial replies caught by polling", n)
	}

	before := c.polledReads.Load()
	echo(t, c, &ConcurrentWait{Context: bg}, 50)
	if n := c.polledReads.Load() - before; n != 0 {
		t.Errorf("ConcurrentWait: %d replies caught by polling", n)
	}

	off := dialServer(t, srv, TransportNetConn, Options{SpinWait: -1})
	echo(t, off, bg, 50)
	if n, d := off.polledReads.Load(), off.directReads.Load(); n != 0 || d < 40 {
		t.Errorf("SpinWait -1: %d polled of %d direct reads; want 0 of about 50", n, d)
	}

	// DEBUG SLEEP 0.002: each reply comes 2 ms later, ten times the budget.
	for i := range 8 {
		var h bytesHandler
		if err := c.Do(bg, &h, 1, encodeCmd("DEBUG", "SLEEP", "0.002")); err != nil || string(h.got) != "OK" {
			t.Fatalf("DEBUG SLEEP %d: %q, %v", i, h.got, err)
		}
	}
	if c.spin.budget != 0 {
		t.Errorf("after 8 slow replies the budget is %v, want 0 (polling off)", c.spin.budget)
	}
	echo(t, c, bg, 20)
	if c.spin.budget == 0 {
		t.Error("quick replies did not turn polling on again")
	}
}

// A server that fails while a lone caller polls for its reply: closing
// the connection, sending half a reply then closing, or sending a reply
// nobody asked for after the one owed. The caller gets ErrConnLost (or
// ErrUnexpectedReply), never a hang and never another's reply.
func TestDirectReadPollingServerFails(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("polling is off with GOMAXPROCS 1")
	}
	tests := []struct {
		name  string
		reply string // sent after reading the second command, then the server closes
		want  error
	}{
		{"closed before the reply", "", ErrConnLost},
		{"closed inside the reply", "$10\r\nhal", ErrConnLost},
		{"a reply and a stray one", "$2\r\nok\r\n+STRAY\r\n", ErrUnexpectedReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := startFakeServer(t, func(c *fakeConn) {
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				c.Send("+OK\r\n")
				if _, err := c.ReadCommand(); err != nil {
					return
				}
				if tt.reply != "" {
					c.Send(tt.reply)
				}
				if tt.want == ErrConnLost {
					c.Conn.Close()
					return
				}
				c.Drain()
			})
			c := fakeDial(t, srv, TransportNetConn, Options{})
			var h bytesHandler
			if err := c.Do(context.Background(), &h, 1, encodeCmd("PING")); err != nil {
				t.Fatal(err)
			}
			h = bytesHandler{}
			err := c.Do(context.Background(), &h, 1, encodeCmd("ECHO", "ok"))
			if tt.want == ErrUnexpectedReply {
				// The owed reply came first and is the caller's; the stray
				// one closes the connection for whoever comes next.
				if err != nil || string(h.got) != "ok" {
					t.Fatalf("ECHO = %q, %v; want its own reply", h.got, err)
				}
				err = c.Do(context.Background(), &h, 1, encodeCmd("PING"))
			}
			fakeWantErr(t, tt.name, err, tt.want)
			fakeWaitDone(t, c)
		})
	}
}
