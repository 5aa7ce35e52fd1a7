package fastredisotel_test

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
	"github.com/fastredis/fastredis/redistest"
)

func startServer(t testing.TB, password string) string {
	return redistest.Start(t, redistest.Options{Password: password}).Addr
}

func containsString(s, sub string) bool { return strings.Contains(s, sub) }

// durationPoints returns the points of db.client.operation.duration.
func durationPoints(t testing.TB, ms map[string]metricdata.Metrics) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := ms["db.client.operation.duration"]
	if !ok {
		t.Fatal("no db.client.operation.duration")
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("db.client.operation.duration is a %T, want a histogram", m.Data)
	}
	return h.DataPoints
}

// int64Points returns the points of an int64 sum or gauge, by the value of
// attribute key (all points when key is "").
func int64Points(t testing.TB, ms map[string]metricdata.Metrics, name string) []metricdata.DataPoint[int64] {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		return d.DataPoints
	case metricdata.Gauge[int64]:
		return d.DataPoints
	}
	t.Fatalf("%s is a %T", name, m.Data)
	return nil
}

// pointWith returns the value of the point whose attributes include kv.
func pointWith(points []metricdata.DataPoint[int64], kvs ...attribute.KeyValue) (int64, bool) {
next:
	for _, p := range points {
		for _, kv := range kvs {
			if v, ok := p.Attributes.Value(kv.Key); !ok || v != kv.Value {
				continue next
			}
		}
		return p.Value, true
	}
	return 0, false
}

// db.client.operation.duration: one histogram point per operation name,
// address and outcome, in seconds, with the conventions' attributes; a
// null reply is not an error. The connection metrics come from Stats.
func TestMetrics(t *testing.T) {
	r, mp := newMeter(t)
	c := newClient(t, fastredis.Options{PoolSize: 2})
	if err := fastredisotel.InstrumentMetrics(c, fastredisotel.WithMeterProvider(mp),
		fastredisotel.WithAttributes(attribute.String("service.shard", "a"))); err != nil {
		t.Fatal(err)
	}
	host, port := serverAttrs(t, redisAddr)
	c.Set(bg, "otel:m", "v")
	c.Get(bg, "otel:m")
	c.Get(bg, "otel:m")
	c.Get(bg, "otel:m-missing")
	c.LPush(bg, "otel:m", "x") // WRONGTYPE
	c.Pipelined(bg, func(p *fastredis.Pipeline) { p.Get("otel:m"); p.Get("otel:m") })
	c.TxPipelined(bg, func(p *fastredis.Pipeline) { p.Get("otel:m") })

	ms := collect(t, r)
	m := ms["db.client.operation.duration"]
	if m.Unit != "s" {
		t.Errorf("db.client.operation.duration unit %q, want s", m.Unit)
	}
	counts := map[string]uint64{}
	for _, dp := range durationPoints(t, ms) {
		a := attrMap(dp.Attributes.ToSlice())
		op := a["db.operation.name"].(string)
		if et, ok := a["error.type"]; ok {
			op += " " + et.(string)
		}
		counts[op] += dp.Count
		for k, v := range map[string]any{"db.system.name": "redis", "server.address": host, "server.port": port,
			"db.namespace": "0", "service.shard": "a"} {
			if a[k] != v {
				t.Errorf("%s: %s = %v, want %v", op, k, a[k], v)
			}
		}
		if mx, _ := dp.Max.Value(); dp.Sum <= 0 || mx > 10 {
			t.Errorf("%s: sum %v s, max %v s", op, dp.Sum, dp.Max)
		}
	}
	want := map[string]uint64{"SET": 1, "GET": 3, "LPUSH WRONGTYPE": 1, "PIPELINE": 1, "MULTI": 1}
	for op, n := range want {
		if counts[op] != n {
			t.Errorf("%s measured %d times, want %d (all: %v)", op, counts[op], n, counts)
		}
	}

	pool := attribute.String("db.client.connection.pool.name", redisAddr)
	conn := ms["db.client.connection.count"]
	if conn.Unit != "{connection}" {
		t.Errorf("db.client.connection.count unit %q", conn.Unit)
	}
	points := int64Points(t, ms, "db.client.connection.count")
	if v, ok := pointWith(points, pool, attribute.String("db.client.connection.state", "used")); !ok || v != 2 {
		t.Errorf("used connections %d (%v), want 2: %v", v, ok, points)
	}
	if _, ok := pointWith(points, pool, attribute.String("db.client.connection.state", "idle")); !ok {
		t.Errorf("no idle connections point: %v", points)
	}
	if v, ok := pointWith(int64Points(t, ms, fastredisotel.MetricConnections), pool, fastredisotel.AttrConnectionState.String("ready")); !ok || v != 2 {
		t.Errorf("%s ready = %d, want 2", fastredisotel.MetricConnections, v)
	}
	io := int64Points(t, ms, fastredisotel.MetricIO)
	for _, dir := range []string{"receive", "transmit"} {
		if v, ok := pointWith(io, pool, attribute.String("network.io.direction", dir)); !ok || v <= 0 {
			t.Errorf("%s %s = %d", fastredisotel.MetricIO, dir, v)
		}
	}
	for _, name := range []string{"db.client.connection.pending_requests", fastredisotel.MetricOfflineQueue,
		fastredisotel.MetricOfflineBytes, fastredisotel.MetricReconnects, fastredisotel.MetricDialErrors,
		fastredisotel.MetricTimeouts, fastredisotel.MetricPubSubDropped} {
		if _, ok := pointWith(int64Points(t, ms, name), pool, attribute.String("db.system.name", "redis")); !ok {
			t.Errorf("%s has no point for the pool", name)
		}
	}

	// A closed client reports no more connections.
	c.Close()
	ms = collect(t, r)
	if m, ok := ms["db.client.connection.count"]; ok && len(m.Data.(metricdata.Sum[int64]).DataPoints) > 0 {
		t.Errorf("a closed client still reports connections: %v", m.Data)
	}
}

// A subscriber that comes back counts a resubscription; reconnects count.
func TestMetricsResubscribed(t *testing.T) {
	r, mp := newMeter(t)
	c := newClient(t, fastredis.Options{})
	if err := fastredisotel.InstrumentMetrics(c, fastredisotel.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	back := make(chan struct{}, 1)
	c.AddHook(eventWaiter{fastredis.SourceClient, fastredis.HookEventResubscribed, back})
	ps, err := c.Subscribe(bg, "otel:chan")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	admin := newClient(t, fastredis.Options{})
	if _, err := admin.Do(bg, "CLIENT", "KILL", "TYPE", "pubsub"); err != nil {
		t.Fatal(err)
	}
	<-back // the instrumentation's hook, added first, has seen it too
	host, port := serverAttrs(t, redisAddr)
	v, ok := pointWith(int64Points(t, collect(t, r), fastredisotel.MetricResubscriptions),
		attribute.String("server.address", host), attribute.Int64("server.port", port))
	if !ok || v != 1 {
		t.Errorf("%s = %d, %v; want 1", fastredisotel.MetricResubscriptions, v, ok)
	}
}

// eventWaiter is a hook that signals ch on each event of a type.
type eventWaiter struct {
	src fastredis.EventSource
	typ int
	ch  chan struct{}
}

func (w eventWaiter) DialHook(next fastredis.DialHookFunc) fastredis.DialHookFunc { return next }
func (w eventWaiter) ProcessHook(next fastredis.ProcessHookFunc) fastredis.ProcessHookFunc {
	return next
}
func (w eventWaiter) ProcessPipelineHook(next fastredis.ProcessPipelineHookFunc) fastredis.ProcessPipelineHookFunc {
	return next
}
func (w eventWaiter) HandleEvent(ev fastredis.HookEvent) {
	if ev.Source == w.src && ev.Type == w.typ {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// db.client.connection.create_time times the connections opened once the
// client is instrumented (LazyConnect: all of them), by pool.
func TestMetricsConnectionCreateTime(t *testing.T) {
	r, mp := newMeter(t)
	c := newClient(t, fastredis.Options{LazyConnect: true, PoolSize: 2})
	if err := fastredisotel.InstrumentMetrics(c, fastredisotel.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ping(bg); err != nil {
		t.Fatal(err)
	}
	m, ok := collect(t, r)["db.client.connection.create_time"]
	if !ok || m.Unit != "s" {
		t.Fatalf("db.client.connection.create_time: %+v", m)
	}
	points := m.Data.(metricdata.Histogram[float64]).DataPoints
	if len(points) != 1 {
		t.Fatalf("%d series, want 1: %+v", len(points), points)
	}
	a := attrMap(points[0].Attributes.ToSlice())
	if a["db.client.connection.pool.name"] != redisAddr || a["db.system.name"] != "redis" || points[0].Count < 1 {
		t.Errorf("create_time: %d connections, attributes %v", points[0].Count, a)
	}
}

// WithPoolName names the pool; WithAttributes reaches spans and durations.
func TestPoolNameAndAttributes(t *testing.T) {
	r, mp := newMeter(t)
	sr, tp := newTracer(t)
	c := newClient(t, fastredis.Options{})
	shard := attribute.String("app.shard", "eu-1")
	if err := fastredisotel.Instrument(c, fastredisotel.WithMeterProvider(mp), fastredisotel.WithTracerProvider(tp),
		fastredisotel.WithPoolName("sessions"), fastredisotel.WithAttributes(shard)); err != nil {
		t.Fatal(err)
	}
	c.Get(bg, "otel:pool")
	ms := collect(t, r)
	if _, ok := pointWith(int64Points(t, ms, "db.client.connection.count"),
		attribute.String("db.client.connection.pool.name", "sessions")); !ok {
		t.Errorf("no connection count for pool sessions")
	}
	if a := attrMap(durationPoints(t, ms)[0].Attributes.ToSlice()); a["app.shard"] != "eu-1" {
		t.Errorf("duration attributes %v, want app.shard", a)
	}
	if a := attrMap(spanNamed(t, sr, "GET").Attributes()); a["app.shard"] != "eu-1" {
		t.Errorf("span attributes %v, want app.shard", a)
	}
}
