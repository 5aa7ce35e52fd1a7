package fastredisotel

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
)

// pool is one set of connections the connection metrics report: a client,
// or a cluster client's node.
type pool struct {
	name  string
	stats fastredis.Stats
}

// poolsFunc returns the pools of a client, or nil when it reports none.
type poolsFunc func(dst []pool) []pool

// poolsOf returns how to read client's Stats, by pool, or nil for a
// client without Stats.
func poolsOf(client any, name string) poolsFunc {
	switch c := client.(type) {
	case interface{ Stats() cluster.Stats }:
		return func(dst []pool) []pool {
			for addr, st := range c.Stats().Nodes {
				if name != "" {
					addr = name + "/" + addr
				}
				dst = append(dst, pool{addr, st})
			}
			return dst
		}
	case interface{ Stats() fastredis.Stats }:
		addrOf := func() string { return name }
		if name == "" {
			switch a := client.(type) {
			case interface{ Addr() string }: // a sentinel client: its current master
				addrOf = a.Addr
			case interface{ Options() fastredis.Options }:
				addr := a.Options().Addr
				addrOf = func() string { return addr }
			}
		}
		return func(dst []pool) []pool { return append(dst, pool{addrOf(), c.Stats()}) }
	}
	return nil
}

// observeStats registers the metrics read from the client's Stats at each
// collection. Once the client has ended they report nothing, and the
// callback is unregistered.
func observeStats(m metric.Meter, client any, pools poolsFunc) error {
	connCount, err := dbconv.NewClientConnectionCountObservable(m)
	if err != nil {
		return err
	}
	pending, err := dbconv.NewClientConnectionPendingRequestsObservable(m)
	if err != nil {
		return err
	}
	conns, err := m.Int64ObservableUpDownCounter(MetricConnections, metric.WithUnit("{connection}"),
		metric.WithDescription("The client's shared (multiplexed) connections by fastredis.connection.state."))
	if err != nil {
		return err
	}
	queued, err := m.Int64ObservableGauge(MetricOfflineQueue, metric.WithUnit("{command}"),
		metric.WithDescription("Commands waiting in the offline queue for a connection to be ready."))
	if err != nil {
		return err
	}
	queuedBytes, err := m.Int64ObservableGauge(MetricOfflineBytes, metric.WithUnit("By"),
		metric.WithDescription("The encoded size of the commands in the offline queue."))
	if err != nil {
		return err
	}
	counter := func(name, unit, desc string) (metric.Int64ObservableCounter, error) {
		return m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	}
	reconnects, err := counter(MetricReconnects, "{reconnect}", "Shared connections re-established after a loss.")
	if err != nil {
		return err
	}
	dialErrors, err := counter(MetricDialErrors, "{error}", "Failed connection attempts.")
	if err != nil {
		return err
	}
	timeouts, err := counter(MetricTimeouts, "{timeout}", "Commands failed by a deadline or a socket timeout.")
	if err != nil {
		return err
	}
	io, err := counter(MetricIO, "By", "Bytes read (network.io.direction receive) and written (transmit) on every connection.")
	if err != nil {
		return err
	}
	dropped, err := counter(MetricPubSubDropped, "{message}", "Pub/sub messages dropped because the reader fell behind.")
	if err != nil {
		return err
	}

	status, _ := client.(interface{ Status() fastredis.Status })
	var (
		mu    sync.Mutex // the SDK may collect for several readers at once
		buf   []pool
		reg   metric.Registration
		ended bool
	)
	cb := func(_ context.Context, o metric.Observer) error {
		mu.Lock()
		defer mu.Unlock()
		if ended || (status != nil && status.Status() == fastredis.StatusEnded) {
			if !ended && reg != nil {
				ended = true
				go reg.Unregister() // not from inside the SDK's collection
			}
			return nil
		}
		buf = pools(buf[:0])
		for _, p := range buf {
			st := p.stats
			poolAttr := attribute.String("db.client.connection.pool.name", p.name)
			sys := semconv.DBSystemNameRedis
			obs := func(inst metric.Int64Observable, v int64, kv ...attribute.KeyValue) {
				o.ObserveInt64(inst, v, metric.WithAttributes(append([]attribute.KeyValue{sys, poolAttr}, kv...)...))
			}
			state := func(s dbconv.ClientConnectionStateAttr) attribute.KeyValue {
				return connCount.AttrClientConnectionState(s)
			}
			obs(connCount.Inst(), int64(st.Ready+st.DedicatedLent), state(dbconv.ClientConnectionStateUsed))
			obs(connCount.Inst(), int64(st.DedicatedIdle), state(dbconv.ClientConnectionStateIdle))
			obs(pending.Inst(), int64(st.InFlight))
			obs(conns, int64(st.Connecting), AttrConnectionState.String("connecting"))
			obs(conns, int64(st.Ready), AttrConnectionState.String("ready"))
			obs(conns, int64(st.Reconnecting), AttrConnectionState.String("reconnecting"))
			obs(conns, int64(st.Ended), AttrConnectionState.String("ended"))
			obs(queued, int64(st.OfflineQueued))
			obs(queuedBytes, int64(st.OfflineBytes))
			obs(reconnects, st.Reconnects)
			obs(dialErrors, st.DialErrors)
			obs(timeouts, st.Timeouts)
			obs(io, st.BytesRead, semconv.NetworkIODirectionReceive)
			obs(io, st.BytesWritten, semconv.NetworkIODirectionTransmit)
			obs(dropped, st.PubSubDropped)
		}
		return nil
	}
	r, err := m.RegisterCallback(cb, connCount.Inst(), pending.Inst(), conns, queued, queuedBytes,
		reconnects, dialErrors, timeouts, io, dropped)
	if err != nil {
		return err
	}
	mu.Lock()
	reg = r
	mu.Unlock()
	return nil
}
