package netpoll

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
)

// Dial connects to a server. network is "tcp", "tcp4", "tcp6" or "unix". The
// context bounds connecting only; the connection lives until Close or a
// failure.
func Dial(ctx context.Context, network, addr string, opts Options) (*Conn, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: o.DialTimeout, KeepAlive: o.KeepAlive}
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("netpoll: %w", err) // err names the network and address
	}
	if o.TLS != nil {
		cfg := o.TLS
		if cfg.ServerName == "" && network != "unix" {
			cfg = cfg.Clone()
			if host, _, err := net.SplitHostPort(addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		hctx, cancel := context.WithTimeout(ctx, o.DialTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("netpoll: TLS handshake with %s: %w", addr, err)
		}
		nc = tc
	}
	c := newConn(o)
	switch o.Transport {
	case TransportNetConn:
		startNetConn(c, nc)
	default:
		if err := startGnet(c, nc); err != nil {
			nc.Close()
			return nil, fmt.Errorf("netpoll: %s %s: %w", network, addr, err)
		}
	}
	c.startWatchdog()
	return c, nil
}
