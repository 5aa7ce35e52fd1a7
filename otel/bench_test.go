package fastredisotel_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
)

// BenchmarkGet is a serial GET with the instrumentation off, with no-op
// providers, and with the SDK: every span sampled and exported (batched,
// to an exporter that drops them) and the duration histogram recorded;
// or no span sampled; or metrics alone.
func BenchmarkGet(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			c := newClient(b, fastredis.Options{})
			if bc.opts != nil {
				if err := fastredisotel.Instrument(c, bc.opts()...); err != nil {
					b.Fatal(err)
				}
			}
			if err := c.Set(bg, "otel:bench", "value"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Get(bg, "otel:bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetParallel is BenchmarkGet from 8 × GOMAXPROCS goroutines
// sharing the client, as a server's handlers would.
func BenchmarkGetParallel(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			c := newClient(b, fastredis.Options{})
			if bc.opts != nil {
				if err := fastredisotel.Instrument(c, bc.opts()...); err != nil {
					b.Fatal(err)
				}
			}
			if err := c.Set(bg, "otel:bench", "value"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Get(bg, "otel:bench"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func sdkTracer(s sdktrace.Sampler) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithSampler(s), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
}

func sdkMeter() *sdkmetric.MeterProvider {
	return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
}

var benchCases = []struct {
	name string
	opts func() []fastredisotel.Option // nil: not instrumented
}{
	{"impl=off", nil},
	{"impl=noop", func() []fastredisotel.Option {
		return []fastredisotel.Option{fastredisotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			fastredisotel.WithMeterProvider(metricnoop.NewMeterProvider())}
	}},
	{"impl=sdk", func() []fastredisotel.Option {
		return []fastredisotel.Option{fastredisotel.WithTracerProvider(sdkTracer(sdktrace.AlwaysSample())),
			fastredisotel.WithMeterProvider(sdkMeter())}
	}},
	{"impl=sdk-unsampled", func() []fastredisotel.Option {
		return []fastredisotel.Option{fastredisotel.WithTracerProvider(sdkTracer(sdktrace.NeverSample())),
			fastredisotel.WithMeterProvider(sdkMeter())}
	}},
	{"impl=sdk-metrics", func() []fastredisotel.Option {
		return []fastredisotel.Option{fastredisotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			fastredisotel.WithMeterProvider(sdkMeter())}
	}},
}

// hookCatcher is a client that keeps the hook Instrument adds.
type hookCatcher struct{ hook fastredis.Hook }

func (h *hookCatcher) AddHook(hk fastredis.Hook) { h.hook = hk }

// BenchmarkHook is the instrumentation's own cost per command, without
// the network: its ProcessHook around a next that returns at once (the
// command has no name: an empty CommandInfo).
func BenchmarkHook(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			next := fastredis.ProcessHookFunc(func(context.Context, *fastredis.CommandInfo) error { return nil })
			fn := next
			if bc.opts != nil {
				var h hookCatcher
				if err := fastredisotel.Instrument(&h, bc.opts()...); err != nil {
					b.Fatal(err)
				}
				if h.hook != nil {
					fn = h.hook.ProcessHook(next)
				}
			}
			ci := new(fastredis.CommandInfo)
			b.ReportAllocs()
			for b.Loop() {
				fn(bg, ci)
			}
		})
	}
}
