package fastredisotel

import (
	"strings"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
)

// fakeClient records the hooks added to it.
type fakeClient struct{ hooks []fastredis.Hook }

func (f *fakeClient) AddHook(h fastredis.Hook) { f.hooks = append(f.hooks, h) }

// With no-op providers nothing is added to the client: no hook, no cost.
func TestNoopProvidersAddNothing(t *testing.T) {
	noop := []Option{WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider())}
	for name, fn := range map[string]func(any, ...Option) error{
		"Instrument": Instrument, "InstrumentTracing": InstrumentTracing, "InstrumentMetrics": InstrumentMetrics,
	} {
		f := &fakeClient{}
		if err := fn(f, noop...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(f.hooks) != 0 {
			t.Errorf("%s with no-op providers added %d hooks", name, len(f.hooks))
		}
	}
	// Only the half that is not a no-op is instrumented: no event hook for
	// tracing alone.
	f := &fakeClient{}
	if err := Instrument(f, WithMeterProvider(metricnoop.NewMeterProvider())); err != nil {
		t.Fatal(err)
	}
	if len(f.hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(f.hooks))
	}
	if _, ok := f.hooks[0].(fastredis.EventHook); ok {
		t.Errorf("a tracing-only hook receives events")
	}
}

// What is not a client is an error, never a panic.
func TestInstrumentNotAClient(t *testing.T) {
	for _, c := range []any{nil, "localhost:6379", (*fastredis.Client)(nil), (*cluster.Client)(nil), (*fakeClient)(nil)} {
		err := Instrument(c)
		if err == nil || !strings.Contains(err.Error(), "not a fastredis client") {
			t.Errorf("Instrument(%T) = %v, want an error", c, err)
		}
	}
}

// Arguments appear as redis-cli shows them, cut when long.
func TestAppendArg(t *testing.T) {
	long := strings.Repeat("x", maxArgLen+10)
	runes := strings.Repeat("é", maxArgLen) // 2 bytes each: cut on a rune boundary
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", `""`},
		{"two words", `"two words"`},
		{"quote\"d", `"quote\"d"`},
		{"line\r\n", `"line\r\n"`},
		{"\xff\x00", `"\xff\x00"`},
		{"héllo", "héllo"},
		{long, strings.Repeat("x", maxArgLen) + "...(138 bytes)"},
		{runes, strings.Repeat("é", maxArgLen/2) + "...(256 bytes)"},
	}
	for _, tt := range tests {
		if got := string(appendArg(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendArg(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Which arguments are passwords, by command.
func TestSecretArgs(t *testing.T) {
	tests := []struct {
		name string
		args string
		want string // the arguments with the secret ones as ?
	}{
		{"AUTH", "AUTH pw", "AUTH ?"},
		{"AUTH", "AUTH user pw", "AUTH ? ?"},
		{"HELLO", "HELLO 3", "HELLO 3"},
		{"HELLO", "HELLO 3 auth user pw SETNAME n", "HELLO 3 auth user ? SETNAME n"},
		{"MIGRATE", "MIGRATE h 1 k 0 10 COPY AUTH pw", "MIGRATE h 1 k 0 10 COPY AUTH ?"},
		{"MIGRATE", "MIGRATE h 1 k 0 10 AUTH2 user pw", "MIGRATE h 1 k 0 10 AUTH2 user ?"},
		{"CONFIG SET", "CONFIG SET maxmemory 1 requirepass pw", "CONFIG SET maxmemory 1 requirepass ?"},
		{"CONFIG SET", "CONFIG SET MASTERAUTH pw", "CONFIG SET MASTERAUTH ?"},
		{"ACL SETUSER", "ACL SETUSER u on >pw <old #hash !hash ~* +@all", "ACL SETUSER u on ? ? ? ? ~* +@all"},
		{"SENTINEL SET", "SENTINEL SET m auth-pass pw quorum 2", "SENTINEL SET m auth-pass ? quorum 2"},
		{"SENTINEL CONFIG", "SENTINEL CONFIG SET sentinel-pass pw", "SENTINEL CONFIG SET sentinel-pass ?"},
		{"GET", "GET auth", "GET auth"},
	}
	for _, tt := range tests {
		var args [][]byte
		for _, a := range strings.Fields(tt.args) {
			args = append(args, []byte(a))
		}
		secret := secretArgs(tt.name, args)
		var out []string
		for i, a := range args {
			if secret(i) {
				out = append(out, redacted)
			} else {
				out = append(out, string(a))
			}
		}
		if got := strings.Join(out, " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.args, got, tt.want)
		}
	}
}
