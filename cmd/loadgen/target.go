package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/fastredis"
)

// clientOptions turns the target flags into client options: -url through
// fastredis.ParseUniversalURL, -addr and -socket directly, then -password,
// -db and -conns on top when they were given. addr is the local server's
// address when loadgen started one. seeds are the target's address and a
// URL's addr parameters: a cluster's seed nodes, with -cluster or a
// cluster found at the target.
func clientOptions(cfg *config, addr string) (opts fastredis.Options, seeds []string, err error) {
	switch {
	case cfg.sentinel != "":
		opts.Addr = "sentinel:" + cfg.master
	case cfg.url != "":
		uo, err := fastredis.ParseUniversalURL(cfg.url)
		if err != nil {
			return opts, nil, usagef("-url: %v", err)
		}
		opts, seeds = uo.Options, uo.Addrs
		opts.Addr = seeds[0]
		if uo.MasterName != "" { // the hosts are sentinels
			if cfg.cluster {
				return opts, nil, usagef("-url: master_name names a master behind sentinels, not a cluster")
			}
			cfg.sentinel, cfg.master = strings.Join(uo.Addrs, ","), uo.MasterName
			opts.Addr = "sentinel:" + uo.MasterName
			seeds = []string{opts.Addr}
		}
	case cfg.socket != "":
		opts.Network, opts.Addr = "unix", cfg.socket
	case cfg.addr != "":
		opts.Addr = cfg.addr
	default:
		opts.Addr = addr
	}
	if seeds == nil {
		seeds = []string{opts.Addr}
	}
	if len(seeds) > 1 && !cfg.set["cluster"] {
		cfg.cluster = true // several seed nodes: a cluster
	}
	if cfg.set["password"] {
		opts.Password = cfg.password
	}
	if cfg.set["db"] {
		opts.DB = cfg.db
	}
	if cfg.set["conns"] || opts.PoolSize == 0 {
		opts.PoolSize = cfg.conns
	}
	if opts.ClientName == "" {
		opts.ClientName = "loadgen"
	}
	return opts, seeds, nil
}

// describeTarget names where the options connect, never with the password.
func describeTarget(opts fastredis.Options) string {
	scheme := "redis"
	switch {
	case opts.Network == "unix" || strings.HasPrefix(opts.Addr, "/"):
		scheme = "unix"
	case opts.TLSConfig != nil:
		scheme = "rediss"
	}
	s := scheme + "://" + opts.Addr
	if opts.DB != 0 {
		s += fmt.Sprintf(" db %d", opts.DB)
	}
	return s
}

// connect creates the client; NewClient dials and runs the handshake, so an
// unreachable server or a wrong password fails here, before any load.
func connect(opts fastredis.Options) (*fastredis.Client, error) {
	client, err := fastredis.NewClient(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", describeTarget(opts), err)
	}
	return client, nil
}

// serverVersion asks the server for its version, or returns "".
func serverVersion(ctx context.Context, client *fastredis.Client) string {
	var cmd fastredis.Cmd
	if err := client.Exec(ctx, cmd.Reset("INFO").Arg("server")); err != nil {
		return ""
	}
	for _, line := range strings.Split(cmd.Reply().String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v
		}
	}
	return ""
}
