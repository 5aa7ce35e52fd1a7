package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// summary is the outcome of a run, as the json format prints it; the text
// and bench formats print the same numbers. Latencies are in nanoseconds;
// latency_ns is the service time, from the send to the reply.
type summary struct {
	Target        string  `json:"target"`
	LocalServer   bool    `json:"local_server"`
	ServerVersion string  `json:"server_version,omitempty"`
	Workload      string  `json:"workload"`
	Clients       int     `json:"clients"`
	Pipeline      int     `json:"pipeline"`
	Conns         int     `json:"conns"`
	Rate          float64 `json:"rate,omitempty"`
	Keys          int     `json:"keys"`
	KeyDist       string  `json:"key_dist"`
	ValueSize     int     `json:"value_size"`
	WarmupSec     float64 `json:"warmup_s"`
	ElapsedSec    float64 `json:"elapsed_s"`
	Interrupted   bool    `json:"interrupted"`
	// Procs is how many of the machine's CPUs loadgen ran on (GOMAXPROCS),
	// and ProcsReason why: "-procs", "GOMAXPROCS", "server on this
	// machine" (half of them) or "server elsewhere" (all).
	Procs       int    `json:"procs"`
	CPUs        int    `json:"cpus"`
	ProcsReason string `json:"procs_reason"`
	// CallersPerConn is how many callers share each pipelined connection,
	// and so its latency: clients / conns in the closed loop (a client's
	// batch is one caller), clients × pipeline / conns in the open loop.
	CallersPerConn float64      `json:"callers_per_conn"`
	Fill           *fillSummary `json:"fill,omitempty"`

	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	Misses    int64   `json:"misses"` // null replies, of any command
	OpsPerSec float64 `json:"ops_per_sec"`
	FirstErr  string  `json:"first_error,omitempty"`
	// GET replies with a value and null ones (the key was missing), in the
	// SET:GET workload.
	GetHits   int64 `json:"get_hits"`
	GetMisses int64 `json:"get_misses"`

	Schedule *scheduleSummary `json:"schedule,omitempty"` // open loop only

	Commands []commandSummary `json:"commands"`
	All      commandSummary   `json:"all"`
}

// commandSummary is the outcome for one command, or for all of them.
type commandSummary struct {
	Name      string         `json:"name"`
	Requests  int64          `json:"requests"`
	Errors    int64          `json:"errors"`
	Misses    int64          `json:"misses"`
	OpsPerSec float64        `json:"ops_per_sec"`
	Latency   latencySummary `json:"latency_ns"` // service time: from the send to the reply
	// Response is the open loop's response time: from when the request was
	// due to its reply, the wait to be sent included.
	Response *latencySummary `json:"response_ns,omitempty"`
}

// fillSummary is the fill phase: the keys written before the run.
type fillSummary struct {
	Keys       int     `json:"keys"`
	ElapsedSec float64 `json:"elapsed_s"`
}

// scheduleSummary is how the open loop kept its schedule over the measured
// time.
type scheduleSummary struct {
	Due      int64          `json:"due"`      // requests the schedule had due
	Sent     int64          `json:"sent"`     // of them, those sent
	NotSent  int64          `json:"not_sent"` // those not sent by the end: the rate was above capacity
	Lateness latencySummary `json:"lateness_ns"`
}

// latencySummary holds the latency of the requests that got a reply other
// than an error, in nanoseconds.
type latencySummary struct {
	Min  int64   `json:"min"`
	Mean float64 `json:"mean"`
	P50  int64   `json:"p50"`
	P90  int64   `json:"p90"`
	P99  int64   `json:"p99"`
	P999 int64   `json:"p99.9"`
	Max  int64   `json:"max"`
}

// summarize turns a result into a summary.
// callers returns how many callers send on the connections: each client
// in the closed loop (one request or one batch at a time), each of the
// clients × pipeline workers in the open loop.
func callers(cfg *config) int {
	if cfg.rate > 0 {
		return cfg.clients * cfg.pipeline
	}
	return cfg.clients
}

func summarize(cfg *config, wl *workload, res *result, target, version string, local bool) *summary {
	s := &summary{
		Target: target, LocalServer: local, ServerVersion: version,
		Workload: describeWorkload(cfg), Clients: cfg.clients, Pipeline: cfg.pipeline,
		Conns: cfg.conns, Rate: cfg.rate, Keys: cfg.keys, KeyDist: cfg.keyDist,
		ValueSize: cfg.valueSize, WarmupSec: cfg.warmup.Seconds(),
		ElapsedSec: res.elapsed.Seconds(), Interrupted: res.interrupted,
		CallersPerConn: float64(callers(cfg)) / float64(cfg.conns),
		Commands:       []commandSummary{},
	}
	if res.fill != nil {
		s.Fill = &fillSummary{Keys: res.fill.keys, ElapsedSec: res.fill.elapsed.Seconds()}
	}
	for kind := range res.total {
		if wl.active(kind) {
			s.Commands = append(s.Commands, commandOf(wl.names[kind], &res.total[kind], res.elapsed, res.open))
		}
	}
	s.All = commandOf("ALL", &res.all, res.elapsed, res.open)
	s.Requests, s.Errors, s.Misses, s.OpsPerSec = s.All.Requests, s.All.Errors, s.All.Misses, s.All.OpsPerSec
	if wl.tmpl == nil {
		get := &res.total[kindGet]
		s.GetMisses = get.misses
		s.GetHits = get.requests - get.errors - get.misses
	}
	if res.firstErr != nil {
		s.FirstErr = oneLine(res.firstErr.Error())
	}
	if res.open {
		s.Schedule = &scheduleSummary{Due: res.due, NotSent: res.notSent, Lateness: latencyOf(&res.late)}
		s.Schedule.Sent = res.due - res.notSent
	}
	return s
}

func commandOf(name string, k *kindStats, elapsed time.Duration, open bool) commandSummary {
	c := commandSummary{Name: name, Requests: k.requests, Errors: k.errors, Misses: k.misses}
	if elapsed > 0 {
		c.OpsPerSec = float64(k.requests) / elapsed.Seconds()
	}
	c.Latency = latencyOf(&k.hist)
	if open {
		resp := latencyOf(&k.resp)
		c.Response = &resp
	}
	return c
}

func latencyOf(h *histogram) latencySummary {
	return latencySummary{
		Min: int64(h.min), Mean: h.mean(), P50: h.quantile(0.50), P90: h.quantile(0.90),
		P99: h.quantile(0.99), P999: h.quantile(0.999), Max: int64(h.max),
	}
}

// describeWorkload says what requests the run sends.
func describeWorkload(cfg *config) string {
	var what string
	if cfg.command != "" {
		what = strings.Join(strings.Fields(cfg.command), " ")
	} else {
		what = fmt.Sprintf("SET:GET %d:%d", cfg.ratioSet, cfg.ratioGet)
	}
	dist := cfg.keyDist
	if dist == "zipf" {
		dist = fmt.Sprintf("zipf s=%g", cfg.zipfS)
	}
	return fmt.Sprintf("%s, %d keys (%s), %d-byte values", what, cfg.keys, dist, cfg.valueSize)
}

// writeReport prints s in the chosen format.
func writeReport(w io.Writer, format string, s *summary) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case "bench":
		return writeBench(w, s)
	}
	return writeText(w, s)
}

// writeText prints the summary for people.
func writeText(w io.Writer, s *summary) error {
	bw := bufio.NewWriter(w)
	server := "redis"
	if s.ServerVersion != "" {
		server += " " + s.ServerVersion
	}
	if s.LocalServer {
		server += ", started by loadgen"
	}
	fmt.Fprintf(bw, "target      %s (%s)\n", s.Target, server)
	fmt.Fprintf(bw, "workload    %s\n", s.Workload)
	loop := "closed loop"
	if s.Rate > 0 {
		loop = fmt.Sprintf("open loop at %g requests/s", s.Rate)
	}
	fmt.Fprintf(bw, "load        %d clients, pipeline %d, %d connection%s, %s\n",
		s.Clients, s.Pipeline, s.Conns, plural(s.Conns), loop)
	if s.Procs > 0 {
		fmt.Fprintf(bw, "cpu         loadgen on %d of %d CPUs (%s)\n", s.Procs, s.CPUs, s.ProcsReason)
	}
	if s.Fill != nil {
		fmt.Fprintf(bw, "fill        %d keys written in %.2fs before the run\n", s.Fill.Keys, s.Fill.ElapsedSec)
	}
	note := ""
	if s.Interrupted {
		note = ", interrupted"
	}
	fmt.Fprintf(bw, "measured    %.2fs after %gs of warm-up%s\n", s.ElapsedSec, s.WarmupSec, note)
	fmt.Fprintf(bw, "requests    %d (errors %d, null replies %d)\n", s.Requests, s.Errors, s.Misses)
	if gets := s.GetHits + s.GetMisses; gets > 0 {
		filled := "the key space was filled first"
		if s.Fill == nil {
			filled = "the key space was not filled: -fill"
		}
		fmt.Fprintf(bw, "GET         %d hits, %d misses (%s)\n", s.GetHits, s.GetMisses, filled)
	}
	if sc := s.Schedule; sc != nil {
		fmt.Fprintf(bw, "schedule    %d due, %d sent, %d not sent", sc.Due, sc.Sent, sc.NotSent)
		if sc.NotSent > 0 {
			fmt.Fprint(bw, " (the rate is above capacity)")
		}
		if sc.Sent > 0 {
			l := sc.Lateness
			fmt.Fprintf(bw, "; sent late by p50 %s, p99 %s, max %s",
				formatLatency(l.P50), formatLatency(l.P99), formatLatency(l.Max))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "throughput  %.0f ops/s\n", s.OpsPerSec)
	if s.FirstErr != "" {
		fmt.Fprintf(bw, "first error %s\n", s.FirstErr)
	}
	if callers := int(s.CallersPerConn*float64(s.Conns) + 0.5); callers > s.Conns {
		who := "clients"
		if s.Rate > 0 {
			who = "callers (clients × pipeline)"
		}
		fmt.Fprintf(bw, "sharing     %d %s share %d pipelined connection%s: a request waits\n"+
			"            for those ahead of it, so latency grows with the callers on a connection as throughput rises\n",
			callers, who, s.Conns, plural(s.Conns))
	}

	rows := s.Commands
	if len(rows) != 1 {
		rows = append(rows[:len(rows):len(rows)], s.All)
	}
	lat := func(c commandSummary, ns int64) string {
		if c.Requests == c.Errors {
			return "-" // no latency was recorded
		}
		return formatLatency(ns)
	}
	fmt.Fprintln(bw)
	if s.Rate > 0 {
		fmt.Fprintln(bw, "service time: from sending a request to its reply")
	} else {
		fmt.Fprintln(bw, "latency: from sending a request to its reply")
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "command\trequests\terrors\tops/s\tp50\tp90\tp99\tp99.9\tmax\t")
	for _, c := range rows {
		l := c.Latency
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", c.Name, c.Requests, c.Errors, c.OpsPerSec,
			lat(c, l.P50), lat(c, l.P90), lat(c, l.P99), lat(c, l.P999), lat(c, l.Max))
	}
	tw.Flush()
	if s.Rate > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "response time: from when a request was due to its reply, its wait to be sent included")
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "command\tp50\tp90\tp99\tp99.9\tmax\t")
		for _, c := range rows {
			if l := c.Response; l != nil {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Name,
					lat(c, l.P50), lat(c, l.P90), lat(c, l.P99), lat(c, l.P999), lat(c, l.Max))
			}
		}
		tw.Flush()
	}
	return bw.Flush()
}

// writeBench prints Go benchmark lines that benchstat reads: one per
// command, and one for all of them when there are several.
func writeBench(w io.Writer, s *summary) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\npkg: github.com/fastredis/fastredis/cmd/loadgen\n", runtime.GOOS, runtime.GOARCH)
	if cpu := cpuName(); cpu != "" {
		fmt.Fprintf(bw, "cpu: %s\n", cpu)
	}
	fmt.Fprintln(bw, "Unit ops/s better=higher")
	for _, u := range []string{"p50-ns", "p90-ns", "p99-ns", "p99.9-ns", "max-ns", "errors", "resp-p50-ns", "resp-p99-ns"} {
		fmt.Fprintf(bw, "Unit %s better=lower\n", u)
	}
	name := fmt.Sprintf("clients=%d/pipeline=%d/conns=%d", s.Clients, s.Pipeline, s.Conns)
	if s.Rate > 0 {
		name += fmt.Sprintf("/rate=%g", s.Rate)
	}
	procs, n := "", s.Procs
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	if n > 1 {
		procs = fmt.Sprintf("-%d", n)
	}
	rows := s.Commands
	if len(rows) != 1 {
		rows = append(rows[:len(rows):len(rows)], s.All)
	}
	for _, c := range rows {
		if c.Requests == 0 {
			continue // an iteration count of 0 is not a result
		}
		nsPerOp := s.ElapsedSec * 1e9 / float64(c.Requests)
		l := c.Latency
		fmt.Fprintf(bw, "BenchmarkLoadgen/cmd=%s/%s%s\t%d\t%.1f ns/op\t%d p50-ns\t%d p90-ns\t%d p99-ns\t%d p99.9-ns\t%d max-ns\t%.0f ops/s\t%d errors",
			c.Name, name, procs, c.Requests, nsPerOp, l.P50, l.P90, l.P99, l.P999, l.Max, c.OpsPerSec, c.Errors)
		if r := c.Response; r != nil {
			fmt.Fprintf(bw, "\t%d resp-p50-ns\t%d resp-p99-ns", r.P50, r.P99)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// cpuName returns the processor's model name, as go test prints it, or "".
func cpuName() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// formatLatency prints nanoseconds as µs, ms or s with 3 or 4 significant
// digits.
func formatLatency(ns int64) string {
	switch d := float64(ns); {
	case ns < 1e6:
		return fmt.Sprintf("%.1fµs", d/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2fms", d/1e6)
	default:
		return fmt.Sprintf("%.2fs", d/1e9)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
