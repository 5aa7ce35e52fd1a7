package fastredisotel_test

import (
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
	sdkTracer := func(s sdktrace.Sampler) *sdktrace.TracerProvider {
		return sdktrace.NewTracerProvider(sdktrace.WithSampler(s), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	}
	sdkMeter := func() *sdkmetric.MeterProvider {
		return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	}
	cases := []struct {
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
	for _, bc := range cases {
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
