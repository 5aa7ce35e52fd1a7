package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestFillMakesGetsHit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		filled bool
	}{
		{"by default", nil, true},
		{"explicitly", []string{"-fill"}, true},
		{"off", []string{"-fill=false"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := redistest.Start(t, redistest.Options{})
			c := newClient(t, srv)
			args := append([]string{"-addr", srv.Addr, "-keys", "500", "-value-size", "10", "-requests", "1100",
				"-clients", "2", "-warmup", "0"}, tt.args...)
			s := runJSON(t, args...)
			get := s.Commands[1]
			if s.GetHits+s.GetMisses != get.Requests || s.GetMisses != get.Misses || s.Misses != get.Misses {
				t.Errorf("GET hits %d + misses %d, want %d requests of which %d misses", s.GetHits, s.GetMisses, get.Requests, get.Misses)
			}
			if !tt.filled {
				if s.Fill != nil || s.GetMisses == 0 {
					t.Errorf("not filled: fill %+v, %d misses; want none and some", s.Fill, s.GetMisses)
				}
				return
			}
			if s.Fill == nil || s.Fill.Keys != 500 || s.GetMisses != 0 || s.GetHits != 1000 {
				t.Errorf("fill %+v, GET hits %d, misses %d; want 500 keys, 1000 hits, 0 misses", s.Fill, s.GetHits, s.GetMisses)
			}
			reply, err := c.Do(context.Background(), "DBSIZE")
			if err != nil || reply.Int != 500 {
				t.Errorf("DBSIZE %d (%v), want every key written: 500", reply.Int, err)
			}
		})
	}
}

func TestFillOnlyForTheSetGetWorkload(t *testing.T) {
	for _, args := range [][]string{
		{"-command", "INCR __key__"},
		{"-ratio", "1:0"},
		{"-ratio", "1:0", "-fill"},
	} {
		cfg, err := parseFlags(args)
		if err != nil || cfg.fill {
			t.Errorf("%q: fill %v, err %v; want no fill", args, cfg != nil && cfg.fill, err)
		}
	}
}

func TestTextSummaryExplainsItself(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"-clients", "4", "-pipeline", "2", "-conns", "2"}, []string{
			"fill        200 keys written in ",
			"GET         ", " hits, 0 misses (the key space was filled first)",
			"sharing     4 clients share 2 pipelined connections",
			"latency: from sending a request to its reply",
		}, []string{"schedule", "response time"}},
		{[]string{"-clients", "1", "-rate", "20000", "-fill=false"}, []string{
			"(the key space was not filled: -fill)",
			"schedule    600 due, 600 sent, 0 not sent; sent late by p50 ",
			"service time: from sending a request to its reply",
			"response time: from when a request was due to its reply",
		}, []string{"fill        ", "sharing"}},
	}
	for _, tt := range tests {
		args := append([]string{"-addr", srv.Addr, "-keys", "200", "-requests", "600", "-warmup", "0"}, tt.args...)
		code, stdout, stderr := runArgs(t, args...)
		if code != exitOK {
			t.Fatalf("%q: exit status %d; stderr:\n%s", args, code, stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("%q: the summary does not say %q:\n%s", tt.args, want, stdout)
			}
		}
		for _, not := range tt.not {
			if strings.Contains(stdout, not) {
				t.Errorf("%q: the summary says %q:\n%s", tt.args, not, stdout)
			}
		}
	}
}

// TestDemoMatchesTheREADME checks that make demo fills the key space and
// runs as long as the README says.
func TestDemoMatchesTheREADME(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^demo:.*\n\t\$\(GO\) run \./cmd/loadgen(.*)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("no `$(GO) run ./cmd/loadgen` line under demo: in the Makefile")
	}
	cfg, err := parseFlags(strings.Fields(string(m[1])))
	if err != nil {
		t.Fatalf("make demo's flags %q: %v", m[1], err)
	}
	if !cfg.fill {
		t.Error("make demo does not fill the key space")
	}
	row := regexp.MustCompile("(?m)^\\| `make demo` \\|.*$").Find(readme)
	want := fmt.Sprintf("%g s of warm-up, then %g s measured", cfg.warmup.Seconds(), cfg.duration.Seconds())
	if !strings.Contains(string(row), want) {
		t.Errorf("the README's make demo row does not say %q:\n%s", want, row)
	}
}
