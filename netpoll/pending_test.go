package netpoll

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// stalledTransport never writes, so encoded bytes stay pending: it stands in
// for a socket that has stopped draining.
type stalledTransport struct{ c *Conn }

func (s *stalledTransport) flush() {}

func (s *stalledTransport) shut() { go s.c.shutdown(errors.New("stalled transport shut")) }

func TestMaxPendingBytes(t *testing.T) {
	opts, err := (&Options{MaxPendingBytes: 100}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(opts)
	c.t = &stalledTransport{c: c}
	defer c.Close()

	big := strings.Repeat("x", 200)
	results := make(chan error, 1)
	go func() {
		// A request larger than the bound is accepted when nothing is pending.
		var h bytesHandler
		results <- c.Do(context.Background(), &h, 1, encodeCmd("SET", "k", big))
	}()
	for c.Pending() < 1 {
		time.Sleep(time.Millisecond) // polling: the caller's arrival has no event
	}

	// Now 200+ bytes are pending: the next caller must wait for room, and
	// its deadline ends the wait without queueing it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var h bytesHandler
	if err := c.Do(ctx, &h, 1, encodeCmd("PING")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second caller: err = %v, want DeadlineExceeded", err)
	}
	if n := c.Pending(); n != 1 {
		t.Fatalf("Pending = %d, want 1", n)
	}

	// Close fails the held request and wakes nobody twice.
	c.Close()
	if err := <-results; !errors.Is(err, ErrConnLost) || !errors.Is(err, ErrClosed) {
		t.Fatalf("held request: %v", err)
	}
}
