// Package fastredisotel instruments fastredis clients with OpenTelemetry:
// a span per command and per pipeline or transaction, and metrics, named and
// attributed as the OpenTelemetry database semantic conventions (semconv
// v1.43.0) say, plus fastredis's own metrics (redirects, topology refreshes,
// failovers, resubscriptions, the offline queue, dropped pub/sub messages,
// bytes, reconnects).
//
// It is a module of its own (github.com/fastredis/fastredis/otel), so that the
// fastredis module never depends on OpenTelemetry. It works through the
// client's hooks (fastredis.Hook) and Stats, and so instruments any client
// kind: *fastredis.Client, *cluster.Client, *sentinel.Client, or a
// fastredis.UniversalClient holding one.
//
//	client, err := fastredis.NewClient(fastredis.Options{Addr: "localhost:6379"})
//	...
//	if err := fastredisotel.Instrument(client); err != nil { // global providers
//		...
//	}
//
// InstrumentTracing and InstrumentMetrics do one half each, in the shape of
// go-redis's redisotel.
//
// # Spans
//
// Each command is a span of kind client named after the command ("GET",
// "CLIENT SETNAME"), child of the span in the command's context. Each
// Pipeline.Exec is one span named "PIPELINE", and each TxPipeline's "MULTI";
// their commands have no span of their own. Attributes: db.system.name
// ("redis"), db.operation.name (the command's name, or PIPELINE and MULTI),
// db.namespace (the database index, "0"), server.address and server.port
// (the node that answered, on a cluster client; absent for a command sent to
// several nodes), db.operation.batch.size (a pipeline of two commands or
// more), and on failure error.type and db.response.status_code (the server
// error's prefix, "WRONGTYPE") with the span's status set to Error. A null
// reply (fastredis.Nil) is not an error. db.query.text, the command and its
// arguments, is left out unless WithDBStatement(true) asks for it, and even
// then passwords (AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, CONFIG SET
// requirepass and its kin, ACL SETUSER >password) are replaced by "?".
//
// # Metrics
//
// db.client.operation.duration (histogram, s), db.client.connection.count,
// db.client.connection.pending_requests and
// db.client.connection.create_time follow the semantic conventions; the
// rest is named fastredis.client.* (the Metric constants): see the
// README's section "OpenTelemetry" for the list.
//
// # Cost
//
// With a no-op TracerProvider and MeterProvider (noop.NewTracerProvider and
// noop.NewMeterProvider, or providers that are) nothing is added to the
// client at all. With an SDK, a span that is not sampled costs what the SDK's
// Start and End cost, and a histogram that no reader wants (Enabled false)
// is not timed.
package fastredisotel
