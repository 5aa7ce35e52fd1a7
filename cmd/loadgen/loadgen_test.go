package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// newClient connects a checking client to srv.
func newClient(t *testing.T, srv *redistest.Server) *fastredis.Client {
	t.Helper()
	c, err := fastredis.NewClient(fastredis.Options{Addr: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// runJSON runs loadgen with -format json and decodes its summary.
func runJSON(t *testing.T, args ...string) *summary {
	t.Helper()
	code, stdout, stderr := runArgs(t, append(args, "-format", "json", "-quiet")...)
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	var s summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("the json output does not parse: %v\n%s", err, stdout)
	}
	return &s
}

// commandCalls returns how many times the server ran each command, from
// INFO commandstats.
func commandCalls(t *testing.T, c *fastredis.Client) map[string]int64 {
	t.Helper()
	reply, err := c.Do(context.Background(), "INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int64{}
	for _, m := range regexp.MustCompile(`cmdstat_(\w+):calls=(\d+)`).FindAllStringSubmatch(reply.Str, -1) {
		calls[strings.ToUpper(m[1])], _ = strconv.ParseInt(m[2], 10, 64)
	}
	return calls
}

func checkPercentiles(t *testing.T, c commandSummary) {
	t.Helper()
	l := c.Latency
	if !(l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) || l.P50 <= 0 {
		t.Errorf("%s: percentiles out of order: %+v", c.Name, l)
	}
}

func TestShortRunCountsAddUp(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c := newClient(t, srv)
	s := runJSON(t, "-addr", srv.Addr, "-requests", "2000", "-clients", "4", "-pipeline", "2",
		"-warmup", "0", "-value-size", "100", "-keys", "50")

	if s.Requests != 2000 || s.Errors != 0 || s.FirstErr != "" || s.Interrupted {
		t.Errorf("requests %d, errors %d (%q), interrupted %v; want 2000, 0", s.Requests, s.Errors, s.FirstErr, s.Interrupted)
	}
	if len(s.Commands) != 2 || s.Commands[0].Name != "SET" || s.Commands[1].Name != "GET" {
		t.Fatalf("commands %+v, want SET and GET", s.Commands)
	}
	set, get := s.Commands[0], s.Commands[1]
	// Each client issues 500 requests; of every 11, the first is a SET.
	if set.Requests != 4*46 || set.Requests+get.Requests != s.Requests || s.All.Requests != s.Requests {
		t.Errorf("SET %d + GET %d != %d (want 184 SETs)", set.Requests, get.Requests, s.Requests)
	}
	calls := commandCalls(t, c)
	if calls["SET"] != set.Requests || calls["GET"] != get.Requests {
		t.Errorf("the server ran %d SETs and %d GETs; loadgen counted %d and %d", calls["SET"], calls["GET"], set.Requests, get.Requests)
	}
	if get.Misses > get.Requests || s.Misses != get.Misses {
		t.Errorf("misses: GET %d of %d, total %d", get.Misses, get.Requests, s.Misses)
	}
	for _, cmd := range append(s.Commands, s.All) {
		checkPercentiles(t, cmd)
	}
	if s.OpsPerSec <= 0 || s.ElapsedSec <= 0 || s.Clients != 4 || s.Pipeline != 2 || s.Conns != 4 || s.Target != "redis://"+srv.Addr {
		t.Errorf("summary fields: %+v", s)
	}

	// The keys written are there, with the value asked for.
	ctx := context.Background()
	reply, err := c.Do(ctx, "KEYS", "loadgen:*")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := reply.Strings()
	if len(keys) == 0 || len(keys) > 50 {
		t.Fatalf("%d keys loadgen:*, want 1..50", len(keys))
	}
	for _, k := range keys {
		if _, err := strconv.Atoi(strings.TrimPrefix(k, "loadgen:")); err != nil {
			t.Errorf("key %q is not loadgen:N", k)
		}
		v, err := c.Do(ctx, "GET", k)
		if err != nil || v.Str != string(makeValue(100)) {
			t.Errorf("GET %s = %q, %v; want the 100-byte value", k, v.Str, err)
		}
	}
}

func TestBenchFormatParses(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	code, stdout, stderr := runArgs(t, "-addr", srv.Addr, "-requests", "600", "-clients", "3", "-pipeline", "2",
		"-warmup", "0", "-format", "bench", "-quiet")
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	r := benchfmt.NewReader(strings.NewReader(stdout), "loadgen")
	var names []string
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		case *benchfmt.Result:
			names = append(names, string(rec.Name.Full()))
			for _, key := range []string{"goos", "goarch", "pkg"} {
				if rec.GetConfig(key) == "" {
					t.Errorf("no %s: line", key)
				}
			}
			if rec.Iters <= 0 {
				t.Errorf("%s: %d iterations", rec.Name, rec.Iters)
			}
			var p []float64
			for _, unit := range []string{"sec/op", "p50-sec", "p90-sec", "p99-sec", "p99.9-sec", "max-sec", "ops/s", "errors"} {
				v, ok := rec.Value(unit)
				if !ok {
					t.Errorf("%s: no %s value", rec.Name, unit)
				}
				p = append(p, v)
			}
			if !(p[1] > 0 && p[1] <= p[2] && p[2] <= p[3] && p[3] <= p[4] && p[4] <= p[5]) || p[6] <= 0 || p[7] != 0 {
				t.Errorf("%s: values %v", rec.Name, p)
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	base := regexp.MustCompile(`^Loadgen/cmd=(SET|GET|ALL)/clients=3/pipeline=2/conns=3(-\d+)?$`)
	if len(names) != 3 {
		t.Errorf("benchmarks %q, want SET, GET and ALL", names)
	}
	for _, n := range names {
		if !base.MatchString(n) {
			t.Errorf("benchmark name %q does not match %v", n, base)
		}
	}
	if !strings.Contains(stdout, "Unit ops/s better=higher") {
		t.Errorf("no unit metadata for ops/s:\n%s", stdout)
	}
}

func TestTextFormat(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	code, stdout, stderr := runArgs(t, "-addr", srv.Addr, "-requests", "300", "-clients", "2", "-warmup", "0", "-ratio", "1:1")
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"target      redis://" + srv.Addr, "SET:GET 1:1", "requests    300 (errors 0",
		"throughput", "p99.9", "SET", "GET", "ALL"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the summary does not show %q:\n%s", want, stdout)
		}
	}
}

func TestRateSpreadsRequestsOverTime(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	begin := time.Now()
	s := runJSON(t, "-addr", srv.Addr, "-rate", "200", "-requests", "100", "-clients", "2", "-pipeline", "2", "-warmup", "0")
	took := time.Since(begin)
	// Each client sends 50 requests 10ms apart: the last is due after 490ms.
	if took < 450*time.Millisecond || s.ElapsedSec < 0.45 {
		t.Errorf("100 requests at 200/s took %v (measured %.3fs), want at least about 0.49s", took, s.ElapsedSec)
	}
	if s.Requests != 100 || s.Errors != 0 || s.Rate != 200 {
		t.Errorf("requests %d, errors %d, rate %v", s.Requests, s.Errors, s.Rate)
	}
	checkPercentiles(t, s.All)
}

func TestCommandTemplate(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()

	s := runJSON(t, "-addr", srv.Addr, "-command", "INCR counter:__key__", "-keys", "10", "-requests", "500",
		"-clients", "3", "-pipeline", "2", "-warmup", "0")
	if s.Requests != 500 || s.Errors != 0 || len(s.Commands) != 1 || s.Commands[0].Name != "INCR" {
		t.Fatalf("INCR run: requests %d, errors %d, commands %+v", s.Requests, s.Errors, s.Commands)
	}
	checkPercentiles(t, s.Commands[0])
	var sum int64
	for i := range 10 {
		v, err := c.Do(ctx, "GET", "counter:loadgen:"+strconv.Itoa(i))
		if err == nil {
			n, _ := strconv.ParseInt(v.Str, 10, 64)
			sum += n
		}
	}
	if sum != 500 {
		t.Errorf("the counters add up to %d, want 500", sum)
	}

	s = runJSON(t, "-addr", srv.Addr, "-command", "HSET h:__key__ f __value__", "-keys", "5", "-requests", "50",
		"-value-size", "7", "-key-prefix", "k", "-warmup", "0")
	if s.Requests != 50 || s.Errors != 0 || s.Commands[0].Name != "HSET" {
		t.Fatalf("HSET run: %+v", s)
	}
	found := 0
	for i := range 5 {
		v, err := c.Do(ctx, "HGET", "h:k"+strconv.Itoa(i), "f")
		if err == nil {
			found++
			if v.Str != "0123456" {
				t.Errorf("HGET h:k%d f = %q, want 0123456", i, v.Str)
			}
		}
	}
	if found == 0 {
		t.Error("no hash h:kN was written")
	}
}

// signalWriter collects output and closes first when a progress line has
// been written.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	once  sync.Once
	first chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte("ops/s")) {
		w.once.Do(func() { close(w.first) })
	}
	return w.buf.Write(p)
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestInterruptPrintsTheSummary(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	stop, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	progress := &signalWriter{first: make(chan struct{})}
	go func() {
		<-progress.first // one second into the run
		interrupt()
	}()
	var out bytes.Buffer
	code := runWith(stop, context.Background(), []string{"-addr", srv.Addr, "-duration", "1m", "-warmup", "0",
		"-clients", "4", "-format", "json"}, &out, progress)
	if code != exitInterrupted {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitInterrupted, progress.String())
	}
	var s summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("the json output does not parse: %v\n%s", err, out.String())
	}
	if !s.Interrupted || s.Requests == 0 || s.Errors != 0 || s.ElapsedSec >= 30 {
		t.Errorf("interrupted %v, requests %d, errors %d, elapsed %.1fs", s.Interrupted, s.Requests, s.Errors, s.ElapsedSec)
	}
	checkPercentiles(t, s.All)
	if !regexp.MustCompile(`(?m)^\s+1s\s+\d+ ops/s  p50 .*  p99 .*  errors 0$`).MatchString(progress.String()) {
		t.Errorf("no progress line for the first second:\n%s", progress.String())
	}
}
