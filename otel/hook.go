package fastredisotel

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/fastredis/fastredis/fastredis"
)

// Operation names of pipelines (db.operation.name and span name).
const (
	OpPipeline = "PIPELINE" // a Pipeline's Exec
	OpMulti    = "MULTI"    // a TxPipeline's Exec: one MULTI ... EXEC
)

// hook is the fastredis.Hook that makes spans (tracer set) and times
// commands (metrics set).
type hook struct {
	cfg    config
	tracer trace.Tracer // nil: no spans
	// addrAtStart: a command's address is known before it runs, so spans
	// start with it. Not so on a cluster client, whose commands get their
	// node (or none, when sent to several) as they run.
	addrAtStart bool
	metrics     *metrics // nil: no metrics
	servers     serverCache
	start       boundedCache[opKey, []trace.SpanStartOption]
}

var _ fastredis.Hook = (*hook)(nil)

// DialHook times each connection the client opens, dial and handshake, as
// db.client.connection.create_time (metrics only; failed attempts are
// counted in fastredis.client.dial.errors).
func (h *hook) DialHook(next fastredis.DialHookFunc) fastredis.DialHookFunc {
	if h.metrics == nil {
		return next
	}
	return func(ctx context.Context, network, addr string) error {
		if !h.metrics.createTime.Enabled(ctx) {
			return next(ctx, network, addr)
		}
		start := time.Now()
		err := next(ctx, network, addr)
		if err == nil {
			h.metrics.createTime.Record(ctx, time.Since(start).Seconds(), h.metrics.poolName(addr), semconv.DBSystemNameRedis)
		}
		return err
	}
}

func (h *hook) ProcessHook(next fastredis.ProcessHookFunc) fastredis.ProcessHookFunc {
	return func(ctx context.Context, ci *fastredis.CommandInfo) error {
		if h.cfg.filter != nil && h.cfg.filter(ci.Name()) {
			return next(ctx, ci)
		}
		timed := h.metrics != nil && h.metrics.duration.Enabled(ctx)
		if h.tracer == nil && !timed {
			return next(ctx, ci)
		}
		var span trace.Span
		var addr string
		if h.addrAtStart {
			addr = ci.Addr()
		}
		if h.tracer != nil {
			ctx, span = h.tracer.Start(ctx, ci.Name(), h.startOptions(ci.Name(), addr, ci.DB())...)
		}
		var start time.Time
		if timed {
			start = time.Now()
		}
		err := next(ctx, ci)
		if timed {
			h.metrics.recordDuration(ctx, time.Since(start), ci.Name(), ci.Addr(), ci.DB(), err)
		}
		if span != nil {
			if span.IsRecording() {
				h.endCommand(span, ci, addr, err)
			}
			span.End()
		}
		return err
	}
}

func (h *hook) ProcessPipelineHook(next fastredis.ProcessPipelineHookFunc) fastredis.ProcessPipelineHookFunc {
	return func(ctx context.Context, p *fastredis.PipelineInfo) error {
		timed := h.metrics != nil && h.metrics.duration.Enabled(ctx)
		if h.tracer == nil && !timed {
			return next(ctx, p)
		}
		op := OpPipeline
		if p.Tx() {
			op = OpMulti
		}
		var span trace.Span
		var addr string
		if h.addrAtStart {
			addr = p.Addr()
		}
		if h.tracer != nil {
			ctx, span = h.tracer.Start(ctx, op, h.startOptions(op, addr, p.DB())...)
		}
		var start time.Time
		if timed {
			start = time.Now()
		}
		err := next(ctx, p)
		if timed {
			h.metrics.recordDuration(ctx, time.Since(start), op, p.Addr(), p.DB(), err)
		}
		if span != nil {
			if span.IsRecording() {
				h.endPipeline(span, op, p, addr, err)
			}
			span.End()
		}
		return err
	}
}

// startOptions returns the options spans start with: kind client and the
// attributes known before the command runs (db.system.name,
// db.operation.name, db.namespace, server.address and server.port when
// known, those of WithAttributes), so that samplers see them. They are
// built once for each operation, address and database.
func (h *hook) startOptions(op, addr string, db int) []trace.SpanStartOption {
	return h.start.get(opKey{op, addr, db}, h.newStartOptions)
}

func (h *hook) newStartOptions(k opKey) []trace.SpanStartOption {
	attrs := make([]attribute.KeyValue, 0, 5+len(h.cfg.attrs))
	attrs = append(attrs, semconv.DBSystemNameRedis, semconv.DBOperationName(k.op), namespace(k.db))
	attrs = append(attrs, h.servers.get(k.addr)...)
	attrs = append(attrs, h.cfg.attrs...)
	return []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...)}
}

// endCommand sets the attributes known once the command has run.
func (h *hook) endCommand(span trace.Span, ci *fastredis.CommandInfo, startAddr string, err error) {
	if addr := ci.Addr(); addr != startAddr {
		span.SetAttributes(h.servers.get(addr)...) // a cluster's node, a sentinel client's new master
	}
	if h.cfg.statement {
		b, _ := appendStatement(make([]byte, 0, 64), ci, nil)
		span.SetAttributes(semconv.DBQueryText(string(b)))
	}
	setError(span, err)
}

// endPipeline sets the attributes of a pipeline's span once it has run.
func (h *hook) endPipeline(span trace.Span, op string, p *fastredis.PipelineInfo, startAddr string, err error) {
	attrs := make([]attribute.KeyValue, 0, 4)
	if n := p.Len(); n > 1 {
		// The conventions count a batch from two operations on.
		attrs = append(attrs, semconv.DBOperationBatchSize(n))
	}
	if addr := p.Addr(); addr != startAddr {
		attrs = append(attrs, h.servers.get(addr)...)
	}
	if h.cfg.statement {
		var b []byte
		var scratch [][]byte
		for i := range p.Len() {
			if i > 0 {
				b = append(b, '\n')
			}
			if i == maxCommands {
				b = append(b, "... ("...)
				b = strconv.AppendInt(b, int64(p.Len()-maxCommands), 10)
				b = append(b, " more commands)"...)
				break
			}
			ci := p.Command(i)
			b, scratch = appendStatement(b, &ci, scratch)
		}
		attrs = append(attrs, semconv.DBQueryText(string(b)))
	}
	span.SetAttributes(attrs...)
	setError(span, err)
}

// setError marks span failed by err, unless err is nil or Nil (a null
// reply, which is an answer).
func setError(span trace.Span, err error) {
	if !isError(err) {
		return
	}
	et, status, ok := errorAttrs(err)
	if ok {
		span.SetAttributes(et, status)
	} else {
		span.SetAttributes(et)
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}
