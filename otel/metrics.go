package fastredisotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/sentinel"
)

// Names of fastredis's own metrics, which no semantic convention covers.
const (
	MetricRedirects        = "fastredis.client.redirects"
	MetricRefreshes        = "fastredis.client.topology.refreshes"
	MetricRefreshDuration  = "fastredis.client.topology.refresh.duration"
	MetricNodeFailures     = "fastredis.client.node.failures"
	MetricFailovers        = "fastredis.client.failovers"
	MetricFailoverDuration = "fastredis.client.failover.duration"
	MetricResubscriptions  = "fastredis.client.pubsub.resubscriptions"
	MetricPubSubDropped    = "fastredis.client.pubsub.dropped"
	MetricConnections      = "fastredis.client.connections"
	MetricOfflineQueue     = "fastredis.client.offline_queue.commands"
	MetricOfflineBytes     = "fastredis.client.offline_queue.size"
	MetricReconnects       = "fastredis.client.reconnects"
	MetricDialErrors       = "fastredis.client.dial.errors"
	MetricTimeouts         = "fastredis.client.timeouts"
	MetricIO               = "fastredis.client.io"
)

// Attributes of fastredis's own metrics.
const (
	AttrRedirect        = attribute.Key("fastredis.redirect")         // MOVED or ASK
	AttrRefreshReason   = attribute.Key("fastredis.refresh.reason")   // what asked for a topology refresh
	AttrFailoverState   = attribute.Key("fastredis.failover.state")   // started, switched, aborted
	AttrConnectionState = attribute.Key("fastredis.connection.state") // connecting, ready, reconnecting, ended
)

// durationBuckets are db.client.operation.duration's bucket boundaries,
// in seconds: the conventions' advice (1 ms to 10 s) with finer buckets
// below 1 ms, where most Redis commands end.
var durationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// metrics holds the instruments of one instrumented client.
type metrics struct {
	cfg      *config
	duration metric.Float64Histogram
	servers  *serverCache

	createTime dbconv.ClientConnectionCreateTime
	poolName   func(addr string) string // a dialed address's pool

	rec boundedCache[opKey, []metric.RecordOption] // attribute sets of successful operations

	redirects        metric.Int64Counter
	refreshes        metric.Int64Counter
	refreshDuration  metric.Float64Histogram
	nodeFailures     metric.Int64Counter
	failovers        metric.Int64Counter
	failoverDuration metric.Float64Histogram
	resubscriptions  metric.Int64Counter
}

func newMetrics(m metric.Meter, cfg *config, servers *serverCache, poolName func(string) string) (*metrics, error) {
	ms := &metrics{cfg: cfg, servers: servers, poolName: poolName}
	d, err := dbconv.NewClientOperationDuration(m, metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		return nil, err
	}
	ms.duration = d.Inst()
	if ms.createTime, err = dbconv.NewClientConnectionCreateTime(m, metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		dst        *metric.Int64Counter
		name, unit string
		desc       string
	}{
		{&ms.redirects, MetricRedirects, "{redirect}", "MOVED and ASK redirections a cluster client followed."},
		{&ms.refreshes, MetricRefreshes, "{refresh}", "Cluster topology reads, successful or not (error.type)."},
		{&ms.nodeFailures, MetricNodeFailures, "{failure}", "Commands that could not reach a cluster node."},
		{&ms.failovers, MetricFailovers, "{failover}", "Failovers a sentinel client saw, by state: started, switched (the master moved), aborted."},
		{&ms.resubscriptions, MetricResubscriptions, "{resubscription}", "Subscribers subscribed again after a lost connection, a moved slot or a failover."},
	} {
		if *c.dst, err = m.Int64Counter(c.name, metric.WithUnit(c.unit), metric.WithDescription(c.desc)); err != nil {
			return nil, err
		}
	}
	if ms.refreshDuration, err = m.Float64Histogram(MetricRefreshDuration, metric.WithUnit("s"),
		metric.WithDescription("How long reading a cluster's topology took."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	if ms.failoverDuration, err = m.Float64Histogram(MetricFailoverDuration, metric.WithUnit("s"),
		metric.WithDescription("How long a sentinel client held writes during a failover, until the master switched."),
		metric.WithExplicitBucketBoundaries(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60)); err != nil {
		return nil, err
	}
	return ms, nil
}

func (m *metrics) newRecordOptions(k opKey) []metric.RecordOption {
	return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(m.attrs(k.op, k.addr, k.db)...))}
}

// recordDuration records an operation's duration, with the attributes the
// conventions ask for. Those of successful operations are built once for
// each name, address and database.
func (m *metrics) recordDuration(ctx context.Context, d time.Duration, op, addr string, db int, err error) {
	secs := d.Seconds()
	if !isError(err) {
		m.duration.Record(ctx, secs, m.rec.get(opKey{op, addr, db}, m.newRecordOptions)...)
		return
	}
	attrs := m.attrs(op, addr, db)
	et, status, ok := errorAttrs(err)
	attrs = append(attrs, et)
	if ok {
		attrs = append(attrs, status)
	}
	m.duration.Record(ctx, secs, metric.WithAttributes(attrs...))
}

func (m *metrics) attrs(op, addr string, db int) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8+len(m.cfg.attrs))
	attrs = append(attrs, semconv.DBSystemNameRedis, semconv.DBOperationName(op), namespace(db))
	attrs = append(attrs, m.servers.get(addr)...)
	return append(attrs, m.cfg.attrs...)
}

// handleEvent counts the client's topology, failover and pub/sub events.
func (m *metrics) handleEvent(ev fastredis.HookEvent) {
	ctx := context.Background()
	switch ev.Source {
	case fastredis.SourceCluster:
		switch cluster.EventType(ev.Type) {
		case cluster.EventRedirected:
			m.redirects.Add(ctx, 1, metric.WithAttributes(append([]attribute.KeyValue{AttrRedirect.String(ev.Reason)}, m.servers.get(ev.Addr)...)...))
		case cluster.EventRefreshed:
			m.refreshes.Add(ctx, 1, metric.WithAttributes(AttrRefreshReason.String(ev.Reason)))
			m.refreshDuration.Record(ctx, ev.Duration.Seconds(), metric.WithAttributes(AttrRefreshReason.String(ev.Reason)))
		case cluster.EventRefreshFailed:
			et, _, _ := errorAttrs(ev.Err)
			m.refreshes.Add(ctx, 1, metric.WithAttributes(AttrRefreshReason.String(ev.Reason), et))
		case cluster.EventNodeFailing:
			m.nodeFailures.Add(ctx, 1, metric.WithAttributes(m.servers.get(ev.Addr)...))
		case cluster.EventResubscribed:
			m.resubscriptions.Add(ctx, 1, metric.WithAttributes(m.servers.get(ev.Addr)...))
		}
	case fastredis.SourceSentinel:
		switch sentinel.EventType(ev.Type) {
		case sentinel.EventFailoverStarted:
			m.failovers.Add(ctx, 1, metric.WithAttributes(AttrFailoverState.String("started")))
		case sentinel.EventMasterSwitched:
			m.failovers.Add(ctx, 1, metric.WithAttributes(AttrFailoverState.String("switched")))
			m.failoverDuration.Record(ctx, ev.Duration.Seconds())
		case sentinel.EventFailoverAborted:
			m.failovers.Add(ctx, 1, metric.WithAttributes(AttrFailoverState.String("aborted")))
		}
	case fastredis.SourceClient:
		if ev.Type == fastredis.HookEventResubscribed {
			m.resubscriptions.Add(ctx, 1, metric.WithAttributes(m.servers.get(ev.Addr)...))
		}
	}
}

// metricsHook is a hook that also receives the client's events.
type metricsHook struct{ *hook }

func (h metricsHook) HandleEvent(ev fastredis.HookEvent) { h.metrics.handleEvent(ev) }
