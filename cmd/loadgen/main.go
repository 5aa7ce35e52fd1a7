// Command loadgen is a load generator for real Redis servers, in the spirit
// of redis-benchmark and memtier_benchmark, built on the fastredis client.
//
// It runs a SET:GET mix or any command template from many clients, each
// on a connection of its own by default and sending one request at a time
// or, with -pipeline n, batches of n (as redis-benchmark -P n), closed loop;
// or open loop at a fixed rate (the response time then counts from the intended send time, so
// a slow server cannot hide its queueing, and the service time from the
// actual send). The SET:GET workload first fills its key space, so that GETs
// hit. It prints progress once a second and ends with throughput and latency
// percentiles per command, as text, as Go benchmark lines for benchstat, or
// as JSON. Given no target, it starts a throwaway redis-server of its own.
// A Redis Cluster target (-cluster, or found from the server's INFO) is
// driven through the cluster client, the keys spread over every slot.
//
//	go run ./cmd/loadgen -duration 5s
//	go run ./cmd/loadgen -addr localhost:6379 -clients 50 -pipeline 16 -ratio 1:1
//	go run ./cmd/loadgen -url redis://:secret@host:6379/2 -rate 20000 -duration 1m
//	go run ./cmd/loadgen -command 'HSET h:__key__ f __value__' -requests 100000
//	go run ./cmd/loadgen -cluster -url 'redis://10.0.0.1:7000?addr=10.0.0.2:7000' -duration 30s
//	go run ./cmd/loadgen -format bench -duration 10s > new.txt; go tool benchstat old.txt new.txt
//
// Run loadgen -h for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run is the whole program: it parses args, runs the load and reports, and
// returns the exit status. The first SIGINT or SIGTERM stops the run and
// still prints the summary; a second one abandons requests in flight.
func run(args []string, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	stop, cancelStop := context.WithCancel(context.Background())
	defer cancelStop()
	abort, cancelAbort := context.WithCancel(context.Background())
	defer cancelAbort()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "loadgen: interrupted: finishing the requests in flight (again to abandon them)")
			cancelStop()
		case <-finished:
			return
		}
		select {
		case <-sigs:
			cancelAbort()
		case <-finished:
		}
	}()
	return runWith(stop, abort, args, stdout, stderr)
}

// runWith is run without the signal handling: cancelling stop is an
// interrupt, cancelling abort abandons requests in flight.
func runWith(stop, abort context.Context, args []string, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		msg := oneLine(err.Error())
		if code == exitUsage {
			msg += " (loadgen -h for help)"
		}
		fmt.Fprintf(stderr, "loadgen: %s\n", msg)
		return code
	}
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return exitOK
	}
	if err != nil {
		return fail(exitUsage, err)
	}
	wl, err := newWorkload(cfg)
	if err != nil {
		return fail(exitUsage, err)
	}

	var local *localServer
	if cfg.addr == "" && cfg.url == "" && cfg.socket == "" {
		if local, err = startLocalServer(); err != nil {
			return fail(exitFailure, err)
		}
		defer local.stop()
		if !cfg.quiet {
			fmt.Fprintf(stderr, "loadgen: started redis-server on %s (stopped at the end)\n", local.addr)
		}
	}
	localAddr := ""
	if local != nil {
		localAddr = local.addr
	}
	opts, seeds, err := clientOptions(cfg, localAddr)
	if err != nil {
		return fail(exitUsage, err)
	}
	cfg.conns = opts.PoolSize // a URL's pool_size, unless -conns was given
	procs := chooseProcs(cfg, targetAddrs(cfg, seeds), local != nil)
	defer setProcs(setProcs(procs.n))
	// A key_prefix from the URL goes before loadgen's key names, which the
	// workload sends as plain arguments.
	wl.prefix, opts.KeyPrefix = opts.KeyPrefix+wl.prefix, ""
	tgt, err := connectTarget(stop, cfg, opts, seeds)
	if err != nil {
		if isUsage(err) {
			return fail(exitUsage, err)
		}
		return fail(exitFailure, err)
	}
	defer tgt.close()
	client := tgt.client
	version := serverVersion(stop, client)

	var progress io.Writer
	if !cfg.quiet {
		progress = stderr
	}
	var filled *fillResult
	if cfg.fill {
		if progress != nil {
			fmt.Fprintf(progress, "loadgen: filling the key space: %d keys\n", cfg.keys)

		}
		if filled, err = fill(stop, client, wl); err != nil {
			if stop.Err() != nil {
				fmt.Fprintln(stderr, "loadgen: interrupted while filling the key space")
				return exitInterrupted
			}
			return fail(exitFailure, err)
		}
	}
	r := &runner{cfg: cfg, wl: wl, client: client}
	res := r.run(stop, abort, progress)
	res.fill = filled
	s := summarize(cfg, wl, res, tgt.name, version, local != nil)
	s.Procs, s.CPUs, s.ProcsReason = procs.n, procs.cpus, procs.reason
	if err := writeReport(stdout, cfg.format, s); err != nil {
		return fail(exitFailure, fmt.Errorf("writing the report: %w", err))
	}
	switch {
	case s.Errors > 0 && s.Errors == s.Requests:
		return fail(exitFailure, fmt.Errorf("all %d requests failed; the first error: %s", s.Requests, s.FirstErr))
	case s.Errors > 0:
		fmt.Fprintf(stderr, "loadgen: %d of %d requests failed; the first error: %s\n", s.Errors, s.Requests, s.FirstErr)
	}
	if res.interrupted {
		return exitInterrupted
	}
	return exitOK
}
