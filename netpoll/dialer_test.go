package netpoll

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// wrappedConn is a net.Conn that is not the net package's own.
type wrappedConn struct{ net.Conn }

// Options.Dialer opens the connection: gnet takes over a *net.TCPConn it
// returns; a wrapper goes to the net.Conn transport under TransportAuto and
// is refused by TransportGnet; a nil conn is ErrNilConn.
func TestDialerTransport(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	var dials atomic.Int64
	raw := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	wrapped := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := raw(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return wrappedConn{nc}, nil
	}
	tests := []struct {
		name      string
		transport Transport
		dialer    func(context.Context, string, string) (net.Conn, error)
		gnet      bool   // the connection must be on gnet
		wantErr   string // Dial fails with this
		unix      bool   // dial the server's unix socket
	}{
		{"auto/raw/unix", TransportAuto, raw, false, "", true}, // auto is the net.Conn transport
		{"auto/raw", TransportAuto, raw, false, "", false},
		{"gnet/raw/unix", TransportGnet, raw, true, "", true},
		{"gnet/raw", TransportGnet, raw, true, "", false},
		{"netconn/raw", TransportNetConn, raw, false, "", false},
		{"auto/wrapped", TransportAuto, wrapped, false, "", false},
		{"netconn/wrapped", TransportNetConn, wrapped, false, "", false},
		{"gnet/wrapped", TransportGnet, wrapped, false, "the gnet transport needs a *net.TCPConn", false},
		{"auto/nil", TransportAuto, func(context.Context, string, string) (net.Conn, error) { return nil, nil }, false, ErrNilConn.Error(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dials.Load()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			network, addr := "tcp", srv.Addr
			if tt.unix {
				network, addr = "unix", srv.Socket
			}
			c, err := Dial(ctx, network, addr, Options{Transport: tt.transport, Dialer: tt.dialer})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Dial: %v, want an error containing %q", err, tt.wantErr)
				}
				if tt.wantErr == ErrNilConn.Error() && !errors.Is(err, ErrNilConn) {
					t.Errorf("Dial: %v does not match ErrNilConn", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			if dials.Load() != before+1 {
				t.Errorf("the Dialer was called %d times, want 1", dials.Load()-before)
			}
			if _, onGnet := c.t.(*gnetTransport); onGnet != tt.gnet {
				t.Errorf("on gnet: %v, want %v", onGnet, tt.gnet)
			}
			h := &bytesHandler{}
			if err := c.Do(ctx, h, 1, encodeCmd("PING")); err != nil || string(h.got) != "PONG" {
				t.Fatalf("PING: %q, %v", h.got, err)
			}
		})
	}
}
