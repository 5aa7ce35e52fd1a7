package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
)

// target is what the load goes to: one server, or a Redis Cluster through
// a cluster.Client. client runs the requests either way (a cluster
// client's routed view: each command goes to the master of its key's
// slot, and an MSET of the fill phase is split per slot).
type target struct {
	client  *fastredis.Client
	name    string // for the report, never with the password
	cluster bool
	close   func()
}

// connectTarget connects to the server opts describe, and turns to a
// cluster client when -cluster says so or, without -cluster=false, when
// the server reports cluster_enabled:1. seeds are the cluster's seed
// nodes: the target's address and a URL's addr parameters.
func connectTarget(ctx context.Context, cfg *config, opts fastredis.Options, seeds []string) (*target, error) {
	if cfg.sentinel != "" {
		return connectSentinel(ctx, cfg, opts)
	}
	if cfg.cluster {
		return connectCluster(ctx, opts, seeds)
	}
	client, err := connect(opts)
	if err != nil {
		return nil, err
	}
	if cfg.set["cluster"] || !clusterEnabled(ctx, client) { // -cluster=false: one server, as given
		return &target{client: client, name: describeTarget(opts), close: func() { client.Close() }}, nil
	}
	client.Close()
	return connectCluster(ctx, opts, seeds)
}

// connectCluster connects a cluster client through seeds, each node with
// opts (without its address): -conns connections per node.
func connectCluster(ctx context.Context, opts fastredis.Options, seeds []string) (*target, error) {
	if opts.Network == "unix" {
		return nil, usagef("-cluster: cluster nodes are reached over tcp, not a unix socket")
	}
	if opts.DB != 0 {
		return nil, usagef("-cluster: a cluster has database 0 only (-db or the URL's database is %d)", opts.DB)
	}
	node := opts
	node.Addr, node.Network = "", ""
	c, err := cluster.NewClientContext(ctx, cluster.Options{Addrs: seeds, NodeOptions: node})
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the cluster at %s: %w", strings.Join(seeds, ", "), err)
	}
	opts.Addr = strings.Join(seeds, ",")
	name := fmt.Sprintf("%s (cluster, %d masters)", describeTarget(opts), len(c.Nodes(cluster.Masters)))
	return &target{client: c.Client, name: name, cluster: true, close: func() { c.Close() }}, nil
}

// clusterEnabled asks the server whether it is a cluster node
// (cluster_enabled:1 in INFO cluster); a server that cannot say is not.
func clusterEnabled(ctx context.Context, client *fastredis.Client) bool {
	var cmd fastredis.Cmd
	if err := client.Exec(ctx, cmd.Reset("INFO").Arg("cluster")); err != nil {
		return false
	}
	for _, line := range strings.Split(cmd.Reply().String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "cluster_enabled:"); ok {
			return v == "1"
		}
	}
	return false
}

// isUsage says whether err is a bad command line.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
