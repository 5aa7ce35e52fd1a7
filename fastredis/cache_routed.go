package fastredis

import (
	"context"
	"errors"
)

// On a routed view (a cluster), a cached read goes to the node that serves
// its key, and is served by that node's client from its own cache
// (cluster.Options.NodeOptions.Cache): each node's connections track the
// keys read through them, so each node has its cache.

// cachedRoute is a cached read in flight on a routed view (route.Command).
type cachedRoute struct {
	argv   [][]byte                           // for the router: the read, with server keys
	run    func(n *Client, asking bool) error // the read, on a node's client
	srvErr error                              // the node's error reply (MOVED, ...)
	result error                              // Nil, or a cache-less node
}

func (r *cachedRoute) Argv(dst [][]byte) [][]byte { return append(dst, r.argv...) }
func (r *cachedRoute) Blocking() bool             { return false }
func (r *cachedRoute) ServerError() error         { return r.srvErr }

func (r *cachedRoute) Run(ctx context.Context, node any, asking bool) error {
	n, ok := node.(*Client)
	if !ok || n == nil {
		return errors.New("fastredis: routed command: node is not a *Client")
	}
	r.srvErr, r.result = nil, nil
	if n.cache == nil {
		r.result = errCacheOff
		return nil
	}
	err := r.run(n, asking)
	var e *Error
	switch {
	case err == nil:
	case err == Nil:
		r.result = err
	case errors.As(err, &e):
		r.srvErr = e
	default:
		return err
	}
	return nil
}

func (r *cachedRoute) Deliver([]byte) error {
	return errors.New("fastredis: a cached read cannot be split across nodes")
}

// routeCached runs run on the node the router picks for argv.
func (c *Client) routeCached(ctx context.Context, argv [][]byte, run func(n *Client, asking bool) error) error {
	r := &cachedRoute{argv: argv, run: run}
	if err := c.router.Route(ctx, r); err != nil {
		return err
	}
	if r.srvErr != nil {
		return r.srvErr
	}
	return r.result
}
