package fastredisotel

import (
	"fmt"
	"reflect"

	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
)

// Hooker is what Instrument needs of a client: every fastredis client kind
// (*fastredis.Client, *cluster.Client, *sentinel.Client) and
// fastredis.UniversalClient have it. A client that also has Stats
// (fastredis.Stats, or cluster.Stats) gets the connection metrics too.
type Hooker interface {
	AddHook(fastredis.Hook)
}

// Instrument adds tracing and metrics to client: InstrumentTracing and
// InstrumentMetrics in one hook (one timing of each command for both).
// client is a Hooker (any fastredis client); anything else is an error.
// Instrument a client once: each call adds its own hook, so a second one
// doubles the spans and measurements.
func Instrument(client any, opts ...Option) error {
	return instrument(client, true, true, opts)
}

// InstrumentTracing adds a span for each command, pipeline and
// transaction of client (see the package doc). Spans come from
// WithTracerProvider's provider, or the global one.
func InstrumentTracing(client any, opts ...Option) error {
	return instrument(client, true, false, opts)
}

// InstrumentMetrics adds the metrics of client to WithMeterProvider's
// provider, or the global one: the duration of each command and pipeline,
// the counts of its events (redirects, topology refreshes, failovers,
// resubscriptions) and, read at each collection from its Stats, those of
// its connections.
func InstrumentMetrics(client any, opts ...Option) error {
	return instrument(client, false, true, opts)
}

func instrument(client any, tracing, metering bool, opts []Option) error {
	hc, ok := client.(Hooker)
	if !ok || isNil(hc) {
		return fmt.Errorf("fastredisotel: %T is not a fastredis client (no AddHook(fastredis.Hook) method)", client)
	}
	cfg := newConfig(opts)
	h := &hook{cfg: cfg}
	_, isCluster := client.(*cluster.Client)
	h.addrAtStart = !isCluster
	if tracing && !isNoopTracerProvider(cfg.tp) {
		h.tracer = cfg.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
	}
	if metering && !isNoopMeterProvider(cfg.mp) {
		m := cfg.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
		ms, err := newMetrics(m, &h.cfg, &h.servers, dialPool(cfg.poolName, isCluster))
		if err != nil {
			return fmt.Errorf("fastredisotel: %w", err)
		}
		if pools := poolsOf(client, cfg.poolName); pools != nil {
			if err := observeStats(m, client, pools); err != nil {
				return fmt.Errorf("fastredisotel: %w", err)
			}
		}
		h.metrics = ms
	}
	switch {
	case h.metrics != nil:
		hc.AddHook(metricsHook{h})
	case h.tracer != nil:
		hc.AddHook(h)
	}
	return nil
}

// dialPool returns the pool name of a connection to addr, as the
// connection metrics name pools (see WithPoolName).
func dialPool(name string, isCluster bool) func(addr string) string {
	switch {
	case name == "":
		return func(addr string) string { return addr }
	case isCluster:
		return func(addr string) string { return name + "/" + addr }
	}
	return func(string) string { return name }
}

// isNil reports whether h is a nil pointer in an interface: AddHook on a
// typed nil client would panic.
func isNil(h Hooker) bool {
	v := reflect.ValueOf(h)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func isNoopTracerProvider(tp trace.TracerProvider) bool {
	switch tp.(type) {
	case tracenoop.TracerProvider, *tracenoop.TracerProvider:
		return true
	}
	return false
}

func isNoopMeterProvider(mp metric.MeterProvider) bool {
	switch mp.(type) {
	case metricnoop.MeterProvider, *metricnoop.MeterProvider:
		return true
	}
	return false
}
