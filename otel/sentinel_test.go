package fastredisotel_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/sentinel"
)

// On a sentinel client: spans name the master, the new one after a
// failover, which the failover metrics count; the connection metrics'
// pool is the current master.
func TestSentinel(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	c, err := sentinel.NewClient(sentinel.Options{MasterName: g.MasterName(), Sentinels: g.SentinelAddrs(),
		NodeOptions: fastredis.Options{DialTimeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sr, tp := newTracer(t)
	r, mp := newMeter(t)
	if err := fastredisotel.Instrument(c, fastredisotel.WithTracerProvider(tp), fastredisotel.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	switched := make(chan struct{}, 1)
	c.AddHook(eventWaiter{fastredis.SourceSentinel, int(sentinel.EventMasterSwitched), switched})

	if err := c.Set(bg, "otel:s", "v"); err != nil {
		t.Fatal(err)
	}
	host, port := serverAttrs(t, g.Master().Addr)
	if a := attrMap(spanNamed(t, sr, "SET").Attributes()); a["server.address"] != host || a["server.port"] != port {
		t.Errorf("SET: attributes %v, want the master %s", a, g.Master().Addr)
	}
	next := g.Failover(t)
	select {
	case <-switched:
	case <-time.After(30 * time.Second):
		t.Fatal("no master switched event")
	}
	sr.Reset()
	if err := c.Set(bg, "otel:s", "v"); err != nil {
		t.Fatal(err)
	}
	host, port = serverAttrs(t, next.Addr)
	if a := attrMap(spanNamed(t, sr, "SET").Attributes()); a["server.address"] != host || a["server.port"] != port {
		t.Errorf("SET after the failover: attributes %v, want the new master %s", a, next.Addr)
	}

	ms := collect(t, r)
	failovers := int64Points(t, ms, fastredisotel.MetricFailovers)
	for _, state := range []string{"started", "switched"} {
		if v, ok := pointWith(failovers, fastredisotel.AttrFailoverState.String(state)); !ok || v != 1 {
			t.Errorf("%s %s = %d, %v; want 1", fastredisotel.MetricFailovers, state, v, ok)
		}
	}
	if m, ok := ms[fastredisotel.MetricFailoverDuration]; !ok || m.Unit != "s" {
		t.Errorf("%s: %+v", fastredisotel.MetricFailoverDuration, m)
	}
	pool := attribute.String("db.client.connection.pool.name", next.Addr)
	if v, ok := pointWith(int64Points(t, ms, "db.client.connection.count"), pool,
		attribute.String("db.client.connection.state", "used")); !ok || v < 1 {
		t.Errorf("pool %s: %d used connections (%v)", next.Addr, v, ok)
	}
}
