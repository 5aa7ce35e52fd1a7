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
	asked := opts.Transport
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	nc, err := dialNet(ctx, network, addr, &o)
	if err != nil {
		return nil, err
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
	if o.Transport == TransportGnet && !gnetCanEnroll(nc) {
		if asked == TransportGnet {
			nc.Close()
			return nil, fmt.Errorf("netpoll: %s %s: the gnet transport needs a *net.TCPConn or *net.UnixConn, and the Dialer returned a %T (use TransportNetConn or TransportAuto)", network, addr, nc)
		}
		o.Transport = TransportNetConn // a wrapped conn: its own Read and Write must be used
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

// dialNet opens the byte stream: through o.Dialer when set, a net.Dialer
// otherwise. Its errors name the network and address.
func dialNet(ctx context.Context, network, addr string, o *Options) (net.Conn, error) {
	if o.Dialer == nil {
		d := net.Dialer{Timeout: o.DialTimeout, KeepAlive: o.KeepAlive}
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, fmt.Errorf("netpoll: %w", err) // err names the network and address
		}
		return nc, nil
	}
	dctx, cancel := context.WithTimeout(ctx, o.DialTimeout)
	defer cancel()
	nc, err := o.Dialer(dctx, network, addr)
	if err != nil {
		if nc != nil {
			nc.Close()
		}
		return nil, fmt.Errorf("netpoll: Dialer %s %s: %w", network, addr, err)
	}
	if nc == nil {
		return nil, fmt.Errorf("netpoll: Dialer %s %s: %w", network, addr, ErrNilConn)
	}
	return nc, nil
}

// gnetCanEnroll reports whether gnet can take over nc's descriptor: it
// accepts only the net package's own TCP and unix connections (EnrollContext
// closes anything else, so this is asked first).
func gnetCanEnroll(nc net.Conn) bool {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}
