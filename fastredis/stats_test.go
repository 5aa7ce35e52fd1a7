package fastredis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// Stats: bytes in and out move with a command; a dedicated connection is
// counted while lent; a command past its deadline counts as a timeout.
func TestStats(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	ctx := context.Background()
	st0 := c.Stats()
	if st0.Ready != 1 || st0.InFlight != 0 || st0.BytesRead == 0 || st0.BytesWritten == 0 {
		t.Errorf("after connecting: %+v (the handshake moves bytes)", st0)
	}
	value := strings.Repeat("x", 1000)
	must(t, c.Set(ctx, "k", value))
	if _, err := c.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	st1 := c.Stats()
	if d := st1.BytesWritten - st0.BytesWritten; d < 1000 || d > 1100 {
		t.Errorf("wrote %d bytes for a SET of 1000 and a GET", d)
	}
	if d := st1.BytesRead - st0.BytesRead; d < 1000 || d > 1100 {
		t.Errorf("read %d bytes for +OK and 1000 bytes", d)
	}
	err := c.Watch(ctx, func(tx *Tx) error {
		if st := c.Stats(); st.DedicatedLent != 1 || st.InFlight != 1 {
			t.Errorf("during Watch: %+v", st)
		}
		return nil
	}, "k")
	must(t, err)
	if st := c.Stats(); st.DedicatedLent != 0 || st.DedicatedIdle != 1 {
		t.Errorf("after Watch: %+v", st)
	}
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := c.Do(tctx, "DEBUG", "SLEEP", "0.2"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DEBUG SLEEP past the deadline: %v", err)
	}
	if st := c.Stats(); st.Timeouts != 1 {
		t.Errorf("Timeouts %d, want 1", st.Timeouts)
	}
}
