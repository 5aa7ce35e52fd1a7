package main

import (
	"net"
	"os"
	"runtime"
	"strings"
)

// maxProcs bounds -procs.
const maxProcs = 1024

// setProcs sets GOMAXPROCS and returns the previous setting. The tests,
// which run loadgen in parallel inside one process, replace it: the
// choice is theirs to check, not to apply to each other.
var setProcs = runtime.GOMAXPROCS

// procsChoice is how many CPUs (Go's GOMAXPROCS) the load generator runs
// on, and why.
type procsChoice struct {
	n, cpus int
	reason  string // "-procs", "GOMAXPROCS", "server on this machine" or "server elsewhere"
}

// chooseProcs decides how many CPUs loadgen uses. -procs wins, then a
// GOMAXPROCS environment variable. Otherwise a server on another machine
// gets every CPU, and a server on this one (loopback or unix socket, or the
// one loadgen started) half of them, at least one: a load generator and the
// server it measures on the same cores take CPU from each other, and the run
// would measure that contention instead of the server (measured on 2 cores:
// GETs at -c 50 -P 16 went from about 0.8x redis-benchmark's throughput on both
// cores to 0.95-1.08x on one; redis-benchmark itself runs one thread unless
// told otherwise).
func chooseProcs(cfg *config, targets []string, started bool) procsChoice {
	cpus := runtime.NumCPU()
	switch {
	case cfg.procs > 0:
		return procsChoice{n: cfg.procs, cpus: cpus, reason: "-procs"}
	case os.Getenv("GOMAXPROCS") != "":
		return procsChoice{n: runtime.GOMAXPROCS(0), cpus: cpus, reason: "GOMAXPROCS"}
	case started || allLocal(targets):
		return procsChoice{n: max(1, cpus/2), cpus: cpus, reason: "server on this machine"}
	}
	return procsChoice{n: runtime.GOMAXPROCS(0), cpus: cpus, reason: "server elsewhere"}
}

// allLocal reports whether every address is on this machine: a unix
// socket path, localhost or a loopback IP. Host names are not resolved (a
// name that happens to point here counts as elsewhere).
func allLocal(addrs []string) bool {
	if len(addrs) == 0 {
		return false
	}
	for _, addr := range addrs {
		if !isLocalAddr(addr) {
			return false
		}
	}
	return true
}

func isLocalAddr(addr string) bool {
	if strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "@") {
		return true // a unix socket (or an abstract one)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// targetAddrs lists the addresses the run connects to first: the
// sentinels with -sentinel, else the seed nodes.
func targetAddrs(cfg *config, seeds []string) []string {
	if cfg.sentinel != "" {
		return strings.Split(cfg.sentinel, ",")
	}
	return seeds
}
