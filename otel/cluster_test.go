package fastredisotel_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
	"github.com/fastredis/fastredis/redistest"
)

// On a cluster client: each command's span and measurement name the node
// that answered, a MOVED after a slot moved is counted, a fan-out command
// has no server, and the connection metrics have a pool per node.
func TestCluster(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3})
	c, err := cluster.NewClient(cluster.Options{Addrs: rc.Addrs(), NodeOptions: fastredis.Options{DialTimeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sr, tp := newTracer(t)
	r, mp := newMeter(t)
	err = fastredisotel.Instrument(c, fastredisotel.WithTracerProvider(tp), fastredisotel.WithMeterProvider(mp),
		fastredisotel.WithCommandFilter(func(name string) bool { return name == "CLUSTER SHARDS" }))
	if err != nil {
		t.Fatal(err)
	}

	keys := []string{"otel:a", "otel:b", "otel:c", "otel:d"}
	for _, k := range keys {
		sr.Reset()
		if err := c.Set(bg, k, k); err != nil {
			t.Fatal(err)
		}
		owner := rc.SlotOwner(redistest.KeySlot(k)).Addr
		host, port := serverAttrs(t, owner)
		a := attrMap(spanNamed(t, sr, "SET").Attributes())
		if a["server.address"] != host || a["server.port"] != port || a["db.system.name"] != "redis" || a["db.namespace"] != "0" {
			t.Errorf("SET %s: attributes %v, want the node %s", k, a, owner)
		}
	}

	// MGET across slots goes to several nodes: no server.
	sr.Reset()
	if _, err := c.MGet(bg, keys...); err != nil {
		t.Fatal(err)
	}
	if a := attrMap(spanNamed(t, sr, "MGET").Attributes()); a["server.address"] != nil {
		t.Errorf("MGET across slots has server.address %v", a["server.address"])
	}
	sr.Reset()
	if err := c.Pipelined(bg, func(p *fastredis.Pipeline) {
		for _, k := range keys {
			p.Get(k)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if a := attrMap(spanNamed(t, sr, "PIPELINE").Attributes()); a["db.operation.batch.size"] != int64(len(keys)) {
		t.Errorf("pipeline attributes %v", a)
	}

	// Move a key's slot: the client's map is stale, MOVED is followed.
	const key = "{otelmig}:k"
	if err := c.Set(bg, key, "v"); err != nil {
		t.Fatal(err)
	}
	from := rc.SlotOwner(redistest.KeySlot(key))
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
			break
		}
	}
	// MOVED also makes the client read the topology again.
	refreshed := make(chan struct{}, 1)
	c.AddHook(eventWaiter{fastredis.SourceCluster, int(cluster.EventRefreshed), refreshed})
	mig := rc.BeginMigration(t, redistest.KeySlot(key), to)
	mig.MoveKeys(t, 0)
	mig.Finish(t)
	sr.Reset()
	if v, err := c.Get(bg, key); err != nil || v != "v" {
		t.Fatalf("GET after the slot moved = %q, %v", v, err)
	}
	host, port := serverAttrs(t, to.Addr)
	if a := attrMap(spanNamed(t, sr, "GET").Attributes()); a["server.address"] != host || a["server.port"] != port {
		t.Errorf("GET after MOVED: attributes %v, want the new owner %s", a, to.Addr)
	}

	select {
	case <-refreshed:
	case <-time.After(10 * time.Second):
		t.Fatal("no topology refresh after MOVED")
	}
	ms := collect(t, r)
	v, ok := pointWith(int64Points(t, ms, fastredisotel.MetricRedirects), fastredisotel.AttrRedirect.String("MOVED"),
		attribute.String("server.address", host), attribute.Int64("server.port", port))
	if !ok || v != 1 {
		t.Errorf("%s MOVED to %s = %d, %v; want 1", fastredisotel.MetricRedirects, to.Addr, v, ok)
	}
	if v, ok := pointWith(int64Points(t, ms, fastredisotel.MetricRefreshes), fastredisotel.AttrRefreshReason.String("MOVED")); !ok || v < 1 {
		t.Errorf("%s after MOVED = %d, %v; want 1 or more (%v)", fastredisotel.MetricRefreshes, v, ok, int64Points(t, ms, fastredisotel.MetricRefreshes))
	}
	if m, ok := ms[fastredisotel.MetricRefreshDuration]; !ok || m.Unit != "s" {
		t.Errorf("%s: %+v", fastredisotel.MetricRefreshDuration, m)
	}
	for _, m := range rc.Masters() {
		pool := attribute.String("db.client.connection.pool.name", m.Addr)
		if v, ok := pointWith(int64Points(t, ms, "db.client.connection.count"), pool,
			attribute.String("db.client.connection.state", "used")); !ok || v < 1 {
			t.Errorf("node %s: %d used connections (%v)", m.Addr, v, ok)
		}
	}
	var sets uint64
	for _, dp := range durationPoints(t, ms) {
		a := attrMap(dp.Attributes.ToSlice())
		if a["db.operation.name"] == "SET" {
			sets += dp.Count
			if a["server.address"] == nil {
				t.Errorf("a SET measured without its node: %v", a)
			}
		}
		if a["db.operation.name"] == "CLUSTER SHARDS" {
			t.Errorf("the filtered CLUSTER SHARDS was measured")
		}
	}
	if sets != uint64(len(keys)+1) {
		t.Errorf("%d SETs measured, want %d", sets, len(keys)+1)
	}
}
