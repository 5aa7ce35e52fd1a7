package main

import (
	"errors"

	"github.com/fastredis/fastredis/redistest"
)

// localServer is a throwaway redis-server that loadgen starts when no target
// is given: a free 127.0.0.1 port, a temporary directory, no persistence.
type localServer struct {
	addr string
	srv  *redistest.Server
}

// errNoRedisServer says redis-server is not installed.
var errNoRedisServer = errors.New("no redis-server on PATH to start a local server: install it with `make deps` (or apt-get install redis-server), or give -addr, -url or -socket")

// startLocalServer starts redis-server and waits until it accepts
// connections. The server runs in a process group of its own, so a Ctrl-C
// at the terminal reaches loadgen alone, which then prints its summary and
// stops the server itself; on Linux the server also dies with loadgen, even
// by SIGKILL.
func startLocalServer() (*localServer, error) {
	srv, err := redistest.New(redistest.Options{Detach: true})
	if errors.Is(err, redistest.ErrNotInstalled) {
		return nil, errNoRedisServer
	}
	if err != nil {
		return nil, err
	}
	return &localServer{addr: srv.Addr, srv: srv}, nil
}

// stop shuts the server down and removes its directory. It is safe to call
// more than once.
func (s *localServer) stop() { s.srv.Close() }
