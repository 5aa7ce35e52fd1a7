package fastredisotel_test

import (
	"context"
	"fmt"
	"log"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
)

func ExampleInstrument() {
	// An SDK that keeps spans in memory and is read on demand; a service
	// would export them (OTLP) and set the global providers instead.
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	err = fastredisotel.Instrument(client,
		fastredisotel.WithTracerProvider(tp),
		fastredisotel.WithMeterProvider(mp),
		fastredisotel.WithDBStatement(true))
	if err != nil {
		log.Fatal(err)
	}

	ctx, parent := tp.Tracer("app").Start(context.Background(), "handle request")
	client.Set(ctx, "example:otel", "v")
	client.Get(ctx, "example:otel")
	client.Get(ctx, "example:missing") // Nil: not an error
	client.Pipelined(ctx, func(p *fastredis.Pipeline) {
		p.Incr("example:otel:n")
		p.Expire("example:otel:n", 0)
	})
	parent.End()

	for _, s := range spans.Ended() {
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		fmt.Printf("%-14s %s op=%s db=%s status=%s query=%q\n", s.Name(), attrs["db.system.name"],
			attrs["db.operation.name"], attrs["db.namespace"], s.Status().Code, attrs["db.query.text"])
	}
	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "db.client.operation.duration" {
			fmt.Println(m.Name, m.Unit, len(m.Data.(metricdata.Histogram[float64]).DataPoints), "series")
		}
	}
	// Output:
	// SET            redis op=SET db=0 status=Unset query="SET example:otel v"
	// GET            redis op=GET db=0 status=Unset query="GET example:otel"
	// GET            redis op=GET db=0 status=Unset query="GET example:missing"
	// PIPELINE       redis op=PIPELINE db=0 status=Unset query="INCR example:otel:n\nEXPIRE example:otel:n 0"
	// handle request  op= db= status=Unset query=""
	// db.client.operation.duration s 3 series
}
