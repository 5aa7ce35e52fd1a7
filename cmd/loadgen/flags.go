package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// config is what the command line asks for, validated.
type config struct {
	// Target: at most one of addr, url and socket; none starts a local
	// redis-server.
	addr, url, socket string
	password          string
	db                int
	cluster           bool            // -cluster, or a URL with several seed nodes
	sentinel          string          // -sentinel: sentinel addresses, comma-separated
	master            string          // -master: the master name the sentinels know
	set               map[string]bool // flags given explicitly

	clients, conns, pipeline int

	ratioSet, ratioGet int    // -ratio, when command is empty
	command            string // -command template

	keys      int
	keyDist   string // uniform or zipf
	zipfS     float64
	keyPrefix string
	valueSize int
	seed      uint64

	duration time.Duration // 0 when requests is given
	requests int64         // 0 when duration is given
	warmup   time.Duration
	rate     float64 // requests/s in total; 0 means closed loop
	fill     bool    // write the key space before the run (SET:GET with GETs only)

	format string // text, bench or json
	quiet  bool
	procs  int // -procs: CPUs to run on; 0 chooses (see chooseProcs)
}

// Limits that keep a typo from exhausting the machine.
const (
	maxWorkers    = 1_000_000 // clients × pipeline goroutines
	maxValueSize  = 512 << 20
	maxConns      = 1024
	defaultKeys   = 100_000
	defaultClient = 50
)

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// newFlagSet defines every flag on a FlagSet bound to cfg.
func newFlagSet(cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", "", "")
	fs.StringVar(&cfg.url, "url", "", "")
	fs.StringVar(&cfg.socket, "socket", "", "")
	fs.StringVar(&cfg.password, "password", "", "")
	fs.IntVar(&cfg.db, "db", 0, "")
	fs.BoolVar(&cfg.cluster, "cluster", false, "")
	fs.StringVar(&cfg.sentinel, "sentinel", "", "")
	fs.StringVar(&cfg.master, "master", "", "")

	fs.IntVar(&cfg.clients, "clients", defaultClient, "")
	fs.IntVar(&cfg.conns, "conns", 0, "")
	fs.IntVar(&cfg.pipeline, "pipeline", 1, "")

	fs.Func("ratio", "", func(s string) error {
		var err error
		cfg.ratioSet, cfg.ratioGet, err = parseRatio(s)
		return err
	})
	fs.StringVar(&cfg.command, "command", "", "")

	fs.IntVar(&cfg.keys, "keys", defaultKeys, "")
	fs.StringVar(&cfg.keyDist, "key-dist", "uniform", "")
	fs.Float64Var(&cfg.zipfS, "zipf-s", 1.1, "")
	fs.StringVar(&cfg.keyPrefix, "key-prefix", "loadgen:", "")
	fs.IntVar(&cfg.valueSize, "value-size", 64, "")
	fs.Uint64Var(&cfg.seed, "seed", 1, "")

	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "")
	fs.Int64Var(&cfg.requests, "requests", 0, "")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "")
	fs.Float64Var(&cfg.rate, "rate", 0, "")
	fs.BoolVar(&cfg.fill, "fill", true, "")

	fs.StringVar(&cfg.format, "format", "text", "")
	fs.BoolVar(&cfg.quiet, "quiet", false, "")
	fs.IntVar(&cfg.procs, "procs", 0, "")
	return fs
}

// parseFlags parses and validates args. It returns flag.ErrHelp for -h, and
// a *usageError (one line) for anything wrong.
func parseFlags(args []string) (*config, error) {
	cfg := &config{ratioSet: 1, ratioGet: 10, set: map[string]bool{}}
	fs := newFlagSet(cfg)
	fs.SetOutput(io.Discard) // errors are reported by the caller, on one line
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags only)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { cfg.set[f.Name] = true })
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// validate checks the values and how they combine.
func (c *config) validate() error {
	targets := 0
	for _, name := range []string{"addr", "url", "socket"} {
		if c.set[name] {
			targets++
		}
	}
	switch {
	case targets > 1:
		return usagef("-addr, -url and -socket are mutually exclusive: give one")
	case c.set["addr"] && c.addr == "", c.set["url"] && c.url == "", c.set["socket"] && c.socket == "":
		return usagef("-addr, -url and -socket need a value")
	case c.set["sentinel"] && (c.sentinel == "" || c.master == ""):
		return usagef("-sentinel needs sentinel addresses and -master the master's name")
	case c.set["master"] && !c.set["sentinel"]:
		return usagef("-master names a master the sentinels know: give -sentinel too")
	case c.set["sentinel"] && (targets > 0 || c.cluster):
		return usagef("-sentinel finds the master itself: no -addr, -url, -socket or -cluster with it")
	case c.cluster && targets == 0:
		return usagef("-cluster needs a seed node: -addr or -url (loadgen starts no local cluster)")
	case c.cluster && c.set["socket"]:
		return usagef("-cluster: cluster nodes are reached over tcp, not -socket")
	case c.cluster && c.db != 0:
		return usagef("-cluster: a cluster has database 0 only (got -db %d)", c.db)
	case c.db < 0:
		return usagef("-db must be 0 or more (got %d)", c.db)
	case c.clients < 1:
		return usagef("-clients must be at least 1 (got %d)", c.clients)
	case c.pipeline < 1:
		return usagef("-pipeline must be at least 1 (got %d)", c.pipeline)
	case int64(c.clients)*int64(c.pipeline) > maxWorkers:
		return usagef("-clients × -pipeline must be at most %d (got %d)", maxWorkers, int64(c.clients)*int64(c.pipeline))
	case c.conns < 0 || c.conns > maxConns:
		return usagef("-conns must be between 0 (one per client) and %d (got %d)", maxConns, c.conns)
	case c.set["ratio"] && c.set["command"]:
		return usagef("-ratio and -command are mutually exclusive: give one")
	case c.set["command"] && c.set["fill"] && c.fill:
		return usagef("-fill writes the keys of the SET:GET workload, not those of a -command template")
	case c.set["command"] && strings.TrimSpace(c.command) == "":
		return usagef("-command needs a command, e.g. 'INCR counter:__key__'")
	case c.keys < 1:
		return usagef("-keys must be at least 1 (got %d)", c.keys)
	case c.keyDist != "uniform" && c.keyDist != "zipf":
		return usagef("-key-dist must be uniform or zipf (got %q)", c.keyDist)
	case c.keyDist == "zipf" && !(c.zipfS > 1):
		return usagef("-zipf-s must be greater than 1 (got %v)", c.zipfS)
	case c.valueSize < 0 || c.valueSize > maxValueSize:
		return usagef("-value-size must be between 0 and %d bytes (got %d)", maxValueSize, c.valueSize)
	case c.set["duration"] && c.set["requests"]:
		return usagef("-duration and -requests are mutually exclusive: give one")
	case c.set["duration"] && c.duration <= 0:
		return usagef("-duration must be positive (got %v)", c.duration)
	case c.set["requests"] && c.requests <= 0:
		return usagef("-requests must be positive (got %d)", c.requests)
	case c.warmup < 0:
		return usagef("-warmup must be 0 or more (got %v)", c.warmup)
	case c.rate < 0 || c.rate != c.rate || c.rate > 1e9:
		return usagef("-rate must be between 0 (closed loop) and 1e9 requests/s (got %v)", c.rate)
	case c.procs < 0 || c.procs > maxProcs:
		return usagef("-procs must be between 0 (loadgen chooses) and %d (got %d)", maxProcs, c.procs)
	case c.format != "text" && c.format != "bench" && c.format != "json":
		return usagef("-format must be text, bench or json (got %q)", c.format)
	}
	if c.set["requests"] {
		c.duration = 0
	}
	if c.conns == 0 {
		c.conns = min(c.clients, maxConns) // one per client, as redis-benchmark -c
	}
	if c.command != "" || c.ratioGet == 0 {
		c.fill = false // nothing would read the keys
	}
	if c.set["command"] {
		if _, err := parseTemplate(c.command); err != nil {
			return usagef("-command: %v", err)
		}
	}
	return nil
}

// parseRatio reads SET:GET weights such as 1:10.
func parseRatio(s string) (set, get int, err error) {
	a, b, ok := strings.Cut(s, ":")
	if ok {
		set, err = strconv.Atoi(a)
	}
	if ok && err == nil {
		get, err = strconv.Atoi(b)
	}
	if !ok || err != nil || set < 0 || get < 0 || set+get == 0 || set > 1e6 || get > 1e6 {
		return 0, 0, errors.New("want SET:GET weights such as 1:10 (whole numbers, not both 0)")
	}
	return set, get, nil
}

// printUsage writes the help text.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: loadgen [flags]

loadgen drives a Redis server with a configurable workload and reports
throughput and latency percentiles, in the spirit of redis-benchmark and
memtier_benchmark. Given no -addr, -url or -socket, it starts a throwaway
redis-server of its own (redis-server must be on PATH; "make deps" installs
it) on a free 127.0.0.1 port and stops it at the end.

Target (at most one):
  -addr host:port     a server at host:port
  -url URL            redis://[[user]:password@]host[:port][/db][?param=value],
                      rediss:// for TLS, unix:///path/to/socket (see the
                      fastredis README for the parameters)
  -socket path        a server on a unix socket
  -password string    password of the default user (overrides the URL's)
  -db n               database to select (overrides the URL's; default 0)
  -cluster            the target is a Redis Cluster node: the load goes
                      through the fastredis cluster client, each command to
                      the master of its key's slot (the keys hash to every
                      slot), -conns connections per node. A target whose
                      INFO says cluster_enabled:1, or a -url with addr=
                      parameters (more seed nodes), is a cluster without
                      it; -cluster=false drives the one node as given
  -sentinel a,b,...   sentinel addresses: the load goes to the master they
                      name (-master), through the fastredis sentinel client,
                      following failovers; -password is the data nodes'
  -master name        the master's name, with -sentinel

Load:
  -clients n          clients issuing requests (default 50)
  -pipeline n         requests per client at a time (default 1). Closed loop,
                      a client writes its n requests in one batch (a fastredis
                      Pipeline) and reads the n replies before the next batch,
                      as redis-benchmark -P n does; each request's latency is
                      its batch's, from the send to the last reply (redis-
                      benchmark too gives every request of a batch the batch's
                      latency). Open loop (-rate), n requests in flight per
                      client, each on a goroutine of its own
  -conns n            connections (fastredis PoolSize; per node with -cluster).
                      0 (the default) is one per client, as redis-benchmark -c
                      opens (at most 1024); fewer are shared, each request or
                      batch going to the next connection in turn, and those
                      that meet on one are pipelined together
  -rate r             total requests per second, open loop: requests fall due
                      on a fixed schedule, r per second, and each goes to
                      whichever of the clients × pipeline goroutines is idle.
                      The summary gives the service time (from the send to the
                      reply), the response time (from the due time to the
                      reply: queueing counts) and how late the sends were;
                      requests still not sent at the end of -duration are
                      counted as not sent. 0 (the default) is closed loop:
                      a client sends its next request (or batch) as soon as
                      the previous one has its replies.

Workload:
  -ratio SET:GET      weights of SET and GET (default 1:10)
  -command template   any command instead, split on spaces; __key__ becomes a
                      key of the key space and __value__ the value, e.g.
                      'INCR counter:__key__' or 'HSET h:__key__ f __value__'
  -keys n             size of the key space (default 100000)
  -key-dist d         uniform or zipf (default uniform)
  -zipf-s s           zipf exponent, greater than 1 (default 1.1)
  -key-prefix p       key names are p followed by a number 0..keys-1
                      (default "loadgen:"); a key_prefix in -url goes first
  -value-size n       value length in bytes, deterministic content (default 64)
  -seed n             seed of the key choice (default 1)
  -fill               before the run, write every key of the key space with
                      pipelined MSETs, so GETs hit (default true; -fill=false
                      measures against what the server holds; not with
                      -command)

Duration (give -duration or -requests):
  -duration d         how long to measure, e.g. 30s (default 10s)
  -requests n         how many requests to measure, over all clients
  -warmup d           run this long first without recording (default 2s);
                      -requests counts only the requests after it

Output:
  -format f           text (default), bench (Go benchmark lines for
                      benchstat) or json
  -quiet              no progress lines on stderr

Machine:
  -procs n            CPUs loadgen runs on (GOMAXPROCS). 0 (the default)
                      chooses: all of them for a server elsewhere, half of
                      them (at least 1) for a server on this machine
                      (loopback, a unix socket, or the one loadgen starts),
                      so that the generator does not take the CPU the server
                      it measures needs; redis-benchmark runs one thread
                      by default. A GOMAXPROCS environment variable is
                      respected when -procs is not given

Progress goes to stderr once a second; the summary goes to stdout. Ctrl-C
stops the run and prints the summary of what ran (exit status 130). Exit
status 2 means a bad command line, 1 a failure such as an unreachable server.
`)
}
