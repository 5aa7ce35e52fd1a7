package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/sentinel"
)

// connectSentinel connects, through the sentinels of -sentinel, to the
// master named by -master, with opts for the data connections (-conns of
// them). The client follows failovers: a load run through one measures
// how a failover looks to an application.
func connectSentinel(ctx context.Context, cfg *config, opts fastredis.Options) (*target, error) {
	var addrs []string
	for _, a := range strings.Split(cfg.sentinel, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	node := opts
	node.Addr, node.Network = "", ""
	c, err := sentinel.NewClient(sentinel.Options{MasterName: cfg.master, Sentinels: addrs, NodeOptions: node})
	if err != nil {
		return nil, fmt.Errorf("cannot connect through the sentinels %s: %w", strings.Join(addrs, ", "), err)
	}
	name := fmt.Sprintf("master %q via sentinels %s (now %s)", cfg.master, strings.Join(addrs, ","), c.Addr())
	return &target{client: c.Client, name: name, close: func() { c.Close() }}, nil
}
