package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

// runArgs runs loadgen in-process and returns its exit status and output.
func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runWith(context.Background(), context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the message
	}{
		{[]string{"-clients", "0"}, "-clients must be at least 1"},
		{[]string{"-pipeline", "0"}, "-pipeline must be at least 1"},
		{[]string{"-pipeline", "-3"}, "-pipeline must be at least 1"},
		{[]string{"-conns", "-1"}, "-conns must be between 0"},
		{[]string{"-procs", "-1"}, "-procs must be between 0"},
		{[]string{"-procs", "5000"}, "-procs must be between 0"},
		{[]string{"-conns", "1025"}, "-conns must be between 0"},
		{[]string{"-clients", "2000", "-pipeline", "1000"}, "-clients × -pipeline"},
		{[]string{"-keys", "0"}, "-keys must be at least 1"},
		{[]string{"-keys", "-5"}, "-keys must be at least 1"},
		{[]string{"-value-size", "-1"}, "-value-size must be between 0"},
		{[]string{"-ratio", "x"}, "SET:GET weights"},
		{[]string{"-ratio", "1"}, "SET:GET weights"},
		{[]string{"-ratio", "0:0"}, "not both 0"},
		{[]string{"-ratio", "1:-1"}, "SET:GET weights"},
		{[]string{"-ratio", "1:2", "-command", "INCR x"}, "mutually exclusive"},
		{[]string{"-command", "  "}, "-command needs a command"},
		{[]string{"-command", "INCR x", "-fill"}, "-fill writes the keys of the SET:GET workload"},
		{[]string{"-command", "__key__ x"}, "cannot be a placeholder"},
		{[]string{"-key-dist", "normal"}, "uniform or zipf"},
		{[]string{"-key-dist", "zipf", "-zipf-s", "1"}, "-zipf-s must be greater than 1"},
		{[]string{"-rate", "-1"}, "-rate must be between 0"},
		{[]string{"-rate", "NaN"}, "-rate must be between 0"},
		{[]string{"-duration", "0s"}, "-duration must be positive"},
		{[]string{"-duration", "-1s"}, "-duration must be positive"},
		{[]string{"-requests", "0"}, "-requests must be positive"},
		{[]string{"-duration", "1s", "-requests", "10"}, "-duration and -requests are mutually exclusive"},
		{[]string{"-warmup", "-1s"}, "-warmup must be 0 or more"},
		{[]string{"-addr", "127.0.0.1:1", "-url", "redis://127.0.0.1:1"}, "mutually exclusive"},
		{[]string{"-addr", "127.0.0.1:1", "-socket", "/tmp/x.sock"}, "mutually exclusive"},
		{[]string{"-addr", ""}, "need a value"},
		{[]string{"-db", "-1"}, "-db must be 0 or more"},
		{[]string{"-format", "xml"}, "text, bench or json"},
		{[]string{"-url", "http://127.0.0.1:1"}, "unknown scheme"},
		{[]string{"-url", "redis://:hunter2@127.0.0.1:1?nope=1"}, "unknown parameter"},
		{[]string{"-cluster", "-url", "redis://127.0.0.1:1?master_name=m"}, "not a cluster"},
		{[]string{"-sentinel", "127.0.0.1:1"}, "-master the master's name"},
		{[]string{"-cluster"}, "-cluster needs a seed node"},
		{[]string{"-cluster", "-socket", "/tmp/x.sock"}, "not -socket"},
		{[]string{"-cluster", "-addr", "127.0.0.1:1", "-db", "2"}, "database 0 only"},
		{[]string{"-cluster", "-url", "redis://127.0.0.1:1/3"}, "database 0 only"},
		{[]string{"-url", "redis://127.0.0.1:1/3?addr=127.0.0.1:2"}, "database 0 only"},
		{[]string{"-clients", "many"}, "invalid value"},
		{[]string{"-no-such-flag"}, "not defined"},
		{[]string{"-clients", "4", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "loadgen: ") || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr %q is not one line starting with \"loadgen: \"", stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "hunter2") {
				t.Errorf("stderr %q shows the password", stderr)
			}
		})
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	code, stdout, stderr := runArgs(t, "-h")
	if code != exitOK || stderr != "" {
		t.Fatalf("-h: exit status %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"Usage: loadgen", "-sentinel a,b", "make deps", "__key__"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("usage does not mention %q", want)
		}
	}
	newFlagSet(&config{}).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(stdout, "  -"+f.Name+" ") {
			t.Errorf("usage does not describe -%s", f.Name)
		}
	})
}

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.clients != 50 || cfg.pipeline != 1 || cfg.conns != 50 || cfg.ratioSet != 1 || cfg.ratioGet != 10 ||
		cfg.keys != 100000 || cfg.keyDist != "uniform" || cfg.keyPrefix != "loadgen:" || cfg.valueSize != 64 ||
		cfg.duration.String() != "10s" || cfg.requests != 0 || cfg.warmup.String() != "2s" || cfg.rate != 0 || cfg.format != "text" {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, err = parseFlags([]string{"-requests", "5"})
	if err != nil || cfg.duration != 0 || cfg.requests != 5 {
		t.Errorf("-requests 5: duration %v, requests %d, err %v", cfg.duration, cfg.requests, err)
	}
}
