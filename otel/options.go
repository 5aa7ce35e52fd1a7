package fastredisotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and meter this
// package uses.
const ScopeName = "github.com/fastredis/fastredis/otel"

// Option configures Instrument, InstrumentTracing and InstrumentMetrics.
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	statement bool
	attrs     []attribute.KeyValue
	poolName  string
	filter    func(name string) bool
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	return c
}

// WithTracerProvider sets the TracerProvider spans come from; the default
// is the global one (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the MeterProvider metrics go to; the default is
// the global one (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithDBStatement sets whether spans carry db.query.text: the command and
// its arguments (a pipeline's commands one per line), each argument cut at
// 128 bytes, a command at 64 arguments and a pipeline at 64 commands, with
// passwords replaced by "?". Off by default: arguments are the
// application's data.
func WithDBStatement(on bool) Option {
	return func(c *config) { c.statement = on }
}

// WithAttributes adds attributes to every span and to every measurement
// of db.client.operation.duration (a service's shard name, a deployment).
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) { c.attrs = append(c.attrs, attrs...) }
}

// WithPoolName sets db.client.connection.pool.name of the connection
// metrics. By default it is the client's address (Options.Addr; a
// sentinel client's current master), and each node's address on a cluster
// client, where WithPoolName's name becomes a prefix: "name/host:port".
func WithPoolName(name string) Option {
	return func(c *config) { c.poolName = name }
}

// WithCommandFilter makes the instrumentation skip the commands for which
// skip returns true, given the command's name ("GET", "CLUSTER SHARDS"):
// they get no span and no duration measurement. A cluster client's own
// topology reads (CLUSTER SHARDS) go through the hooks too; a filter can
// leave them out.
func WithCommandFilter(skip func(name string) bool) Option {
	return func(c *config) { c.filter = skip }
}
