package main

import (
	"os"
	"runtime"
	"testing"
)

func TestMain(m *testing.M) {
	// Tests run loadgen in parallel in this process: the CPU choice is
	// reported, not applied (see setProcs).
	setProcs = func(int) int { return runtime.GOMAXPROCS(0) }
	os.Exit(m.Run())
}

func TestIsLocalAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:6379", true},
		{"127.3.2.1:7000", true},
		{"[::1]:6379", true},
		{"localhost:6379", true},
		{"LocalHost:1", true},
		{"/tmp/redis.sock", true},
		{"@abstract", true},
		{"10.0.0.1:6379", false},
		{"[2001:db8::1]:6379", false},
		{"redis.example.com:6379", false},
		{"", false},
		{"127.0.0.1", true}, // no port: the host alone
	}
	for _, tt := range tests {
		if got := isLocalAddr(tt.addr); got != tt.want {
			t.Errorf("isLocalAddr(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestChooseProcs(t *testing.T) {
	cpus := runtime.NumCPU()
	half := max(1, cpus/2)
	all := runtime.GOMAXPROCS(0)
	tests := []struct {
		name    string
		procs   int
		env     string
		targets []string
		started bool
		want    int
		reason  string
	}{
		{"given", 3, "", []string{"127.0.0.1:1"}, false, 3, "-procs"},
		{"given beats env", 2, "5", nil, true, 2, "-procs"},
		{"env", 0, "1", []string{"127.0.0.1:1"}, false, all, "GOMAXPROCS"},
		{"loopback", 0, "", []string{"127.0.0.1:1", "[::1]:2"}, false, half, "server on this machine"},
		{"started", 0, "", []string{"127.0.0.1:1"}, true, half, "server on this machine"},
		{"socket", 0, "", []string{"/run/redis.sock"}, false, half, "server on this machine"},
		{"remote", 0, "", []string{"10.1.2.3:6379"}, false, all, "server elsewhere"},
		{"one seed remote", 0, "", []string{"127.0.0.1:1", "10.1.2.3:6379"}, false, all, "server elsewhere"},
		{"no targets", 0, "", nil, false, all, "server elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", tt.env)
			if tt.env == "" {
				os.Unsetenv("GOMAXPROCS") // Setenv restores it afterwards
			}
			got := chooseProcs(&config{procs: tt.procs}, tt.targets, tt.started)
			if got.n != tt.want || got.reason != tt.reason || got.cpus != cpus {
				t.Errorf("chooseProcs = %+v, want %d (%s) of %d", got, tt.want, tt.reason, cpus)
			}
		})
	}
}

func TestProcsReported(t *testing.T) {
	t.Parallel()
	s := runJSON(t, "-requests", "50", "-warmup", "0", "-procs", "1")
	if s.Procs != 1 || s.ProcsReason != "-procs" || s.CPUs != runtime.NumCPU() {
		t.Errorf("procs %d (%s) of %d CPUs, want 1 (-procs) of %d", s.Procs, s.ProcsReason, s.CPUs, runtime.NumCPU())
	}
	s = runJSON(t, "-requests", "50", "-warmup", "0")
	if s.ProcsReason != "server on this machine" || s.Procs != max(1, runtime.NumCPU()/2) {
		t.Errorf("with the server loadgen started: procs %d (%s), want half of %d", s.Procs, s.ProcsReason, runtime.NumCPU())
	}
}
