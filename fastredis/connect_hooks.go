package fastredis

import (
	"context"
	"fmt"

	"github.com/fastredis/fastredis/netpoll"
)

// credentials returns the user name and password for a handshake: from
// Options.CredentialsProvider when set, asked anew each time, or else the
// static Username and Password.
func (c *Client) credentials(ctx context.Context) (username, password string, err error) {
	p := c.opts.CredentialsProvider
	if p == nil {
		return c.opts.Username, c.opts.Password, nil
	}
	username, password, err = p(ctx)
	if err != nil {
		return "", "", handshakeError("CredentialsProvider", err)
	}
	return username, password, nil
}

// Conn is one new connection as Options.OnConnect sees it: the whole
// command API of a Client, every command going to that connection alone,
// straight away (no offline queue, no resend after a disconnect). KeyPrefix
// and transformers apply as on the client. It is valid only during the
// OnConnect call; after it, its commands fail with ErrClosed. Close does
// not close the connection; Watch, subscriptions and MONITOR return an
// error (they need connections of their own).
type Conn struct {
	Client
}

// errPinnedView is the error of what needs connections of its own, asked
// of a view of one connection (a Tx, an OnConnect Conn), which owns none
// and would leave them open.
func errPinnedView(what string) error {
	return fmt.Errorf("fastredis: %s on one lent connection (a Tx or an OnConnect Conn): use the Client", what)
}

// OnConnectError is the error of a connection attempt whose
// Options.OnConnect hook failed; Err is what the hook returned.
type OnConnectError struct {
	Err error
}

func (e *OnConnectError) Error() string { return "fastredis: OnConnect: " + e.Err.Error() }

func (e *OnConnectError) Unwrap() error { return e.Err }

// runOnConnect runs Options.OnConnect on a view of the client pinned to
// cn, a connection that has had its handshake and serves no caller yet.
func (c *Client) runOnConnect(ctx context.Context, cn *netpoll.Conn) error {
	v := &Conn{Client: Client{opts: c.opts, transform: c.transform, dedicated: c.dedicated, pin: &pinnedConn{cn: cn}, hooks: c.hooks, stats: c.stats}}
	v.db.Store(c.db.Load())
	err := c.opts.OnConnect(ctx, v)
	v.closed.Store(true) // a retained Conn fails with ErrClosed from now on
	if err != nil {
		return &OnConnectError{Err: err}
	}
	if err := cn.Err(); err != nil {
		return fmt.Errorf("fastredis: connection lost during OnConnect: %w", err)
	}
	return nil
}
