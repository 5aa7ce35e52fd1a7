package cluster

import (
	"context"

	"github.com/fastredis/fastredis/internal/route"
)

// router is the Client as fastredis's routed view sees it: the interfaces
// of internal/route, kept off the Client's exported methods.
type router Client

func (r *router) Route(ctx context.Context, cmd route.Command) error {
	return (*Client)(r).doRoute(ctx, cmd)
}

func (r *router) RouteBatch(ctx context.Context, b route.Batch) error {
	return (*Client)(r).doRouteBatch(ctx, b)
}

func (r *router) RouteTx(ctx context.Context, slot int, keyed bool, tx route.Tx) error {
	return (*Client)(r).doRouteTx(ctx, slot, keyed, tx)
}

func (r *router) WatchNode(ctx context.Context, slot int) (any, error) {
	return (*Client)(r).doWatchNode(ctx, slot)
}

func (r *router) Redirected(err error) bool { return (*Client)(r).doRedirected(err) }

func (r *router) ShardNode(ctx context.Context, slot int, refresh bool) (string, any, error) {
	return (*Client)(r).doShardNode(ctx, slot, refresh)
}

func (r *router) Resubscribed(addr string, channels []string, reason string) {
	(*Client)(r).doResubscribed(addr, channels, reason)
}

// The interfaces fastredis looks for.
var (
	_ route.Router      = (*router)(nil)
	_ route.BatchRouter = (*router)(nil)
	_ route.TxRouter    = (*router)(nil)
	_ route.WatchRouter = (*router)(nil)
	_ route.ShardRouter = (*router)(nil)
)
