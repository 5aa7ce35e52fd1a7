package fastredisotel_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
)

// The instrumentation allocates nothing of its own per command: with
// no-op providers there is no hook, and with the SDK's metrics alone the
// duration's attribute set is built once per name, address and database.
// (A span allocates in the SDK: see BenchmarkHook.)
func TestHookAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	tests := []struct {
		name string
		opts []fastredisotel.Option
		want float64
	}{
		{"noop", []fastredisotel.Option{fastredisotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			fastredisotel.WithMeterProvider(metricnoop.NewMeterProvider())}, 0},
		{"sdk metrics", []fastredisotel.Option{fastredisotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			fastredisotel.WithMeterProvider(sdkMeter())}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h hookCatcher
			if err := fastredisotel.Instrument(&h, tt.opts...); err != nil {
				t.Fatal(err)
			}
			fn := fastredis.ProcessHookFunc(func(context.Context, *fastredis.CommandInfo) error { return nil })
			if h.hook != nil {
				fn = h.hook.ProcessHook(fn)
			}
			ci := new(fastredis.CommandInfo)
			fn(bg, ci) // builds the attribute set
			if n := testing.AllocsPerRun(1000, func() { fn(bg, ci) }); n != tt.want {
				t.Errorf("%v allocs per command, want %v", n, tt.want)
			}
		})
	}
}

// A GET on a client instrumented with the SDK's metrics allocates no more
// than one that is not (the client's own 1: the 5-byte string returned).
func TestGetAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	plain := newClient(t, fastredis.Options{})
	metered := newClient(t, fastredis.Options{})
	if err := fastredisotel.InstrumentMetrics(metered, fastredisotel.WithMeterProvider(sdkMeter())); err != nil {
		t.Fatal(err)
	}
	plain.Set(bg, "otel:allocs", "value")
	count := func(c *fastredis.Client) float64 {
		c.Get(bg, "otel:allocs")
		return testing.AllocsPerRun(200, func() { c.Get(bg, "otel:allocs") })
	}
	if p, m := count(plain), count(metered); m > p {
		t.Errorf("GET: %v allocs with metrics, %v without", m, p)
	}
}
