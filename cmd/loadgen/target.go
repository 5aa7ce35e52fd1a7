package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/fastredis"
)

// clientOptions turns the target flags into client options: -url through
// fastredis.ParseURL, -addr and -socket directly, then -password, -db and
// -conns on top when they were given. addr is the local server's address
// when loadgen started one.
func clientOptions(cfg *config, addr string) (fastredis.Options, error) {
	var opts fastredis.Options
	switch {
	case cfg.url != "":
		var err error
		if opts, err = fastredis.ParseURL(cfg.url); err != nil {
			return opts, usagef("-url: %v", err)
		}
	case cfg.socket != "":
		opts.Network, opts.Addr = "unix", cfg.socket
	case cfg.addr != "":
		opts.Addr = cfg.addr
	default:
		opts.Addr = addr
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
	return opts, nil
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
