package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// clusterClient is one cluster implementation under test; each goroutine
// of a benchmark has a session of its own.
type clusterClient interface {
	session() clusterSession
	close()
}

// clusterSession runs the cluster workloads' requests. get and set go to
// the session's next key of clusterKeys, so a session walks the whole key
// space (every slot range, every master) from a starting point of its own.
type clusterSession interface {
	get(ctx context.Context) (int, error) // the value's length
	set(ctx context.Context) error
	mget(ctx context.Context, keys []string) (int, error) // the number of values
	// pipe GETs the session's next pipeLen keys in one pipeline and
	// returns the total length of the values.
	pipe(ctx context.Context) (int, error)
	// multi increments every key of txKeys in one MULTI/EXEC.
	multi(ctx context.Context) error
}

// keyCursor hands out a session's keys in turn.
type keyCursor struct{ i int }

// sessionStart spreads the sessions' starting points over the key space.
var sessionStart atomic.Int64

func newCursor() keyCursor {
	return keyCursor{int(sessionStart.Add(7919) % clusterKeyCount)}
}

func (k *keyCursor) next() string {
	k.i++
	if k.i == clusterKeyCount {
		k.i = 0
	}
	return clusterKeys[k.i]
}

// clusterImpls lists the cluster implementations, configured like their
// single-server counterparts in impls; parallelism is the goroutine count
// (go-redis sizes each node's pool by it).
func clusterImpls(b *testing.B, addrs []string, parallelism int) []struct {
	name string
	c    clusterClient
} {
	b.Helper()
	fr, err := cluster.NewClient(cluster.Options{Addrs: addrs})
	if err != nil {
		b.Fatal(err)
	}
	frGnet, err := cluster.NewClient(cluster.Options{Addrs: addrs, NodeOptions: fastredis.Options{Transport: netpoll.TransportGnet}})
	if err != nil {
		b.Fatal(err)
	}
	gr := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, PoolSize: max(10, parallelism), MinIdleConns: min(parallelism, 64)})
	if err := gr.Ping(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	ru, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		c    clusterClient
	}{
		{"fastredis", fastredisCluster{fr}},
		{"fastredis-gnet", fastredisCluster{frGnet}},
		{"goredis", goredisCluster{gr}},
		{"rueidis", rueidisCluster{ru}},
	}
}

// fastredis: cluster.Client's typed methods, GetAppend into a reused
// buffer, SET of a reused []byte, a reused Cmd for MGET (split per slot by
// the client).
type fastredisCluster struct{ c *cluster.Client }

func (f fastredisCluster) session() clusterSession {
	return &fastredisClusterSession{c: f.c, keys: newCursor(), value: []byte(clusterValue),
		pipeline: f.c.Pipeline(), tx: f.c.TxPipeline(),
		dst:  make([][]byte, pipeLen),
		futs: make([]fastredis.Future[[]byte], 0, pipeLen)}
}
func (f fastredisCluster) close() { f.c.Close() }

type fastredisClusterSession struct {
	c     *cluster.Client
	keys  keyCursor
	buf   []byte
	value []byte
	cmd   fastredis.Cmd

	pipeline *fastredis.Pipeline // PIPE100's, reset and reused
	dst      [][]byte            // its values, reused
	futs     []fastredis.Future[[]byte]
	tx       *fastredis.Pipeline // MULTI10's TxPipeline, reset and reused
}

func (s *fastredisClusterSession) get(ctx context.Context) (int, error) {
	var err error
	s.buf, err = s.c.GetAppend(ctx, s.buf[:0], s.keys.next())
	return len(s.buf), err
}

func (s *fastredisClusterSession) set(ctx context.Context) error {
	return s.c.Set(ctx, s.keys.next(), s.value)
}

func (s *fastredisClusterSession) mget(ctx context.Context, keys []string) (int, error) {
	s.cmd.Reset("MGET")
	for _, k := range keys {
		s.cmd.Key(k)
	}
	err := s.c.Exec(ctx, &s.cmd)
	return s.cmd.Reply().Len(), err
}

func (s *fastredisClusterSession) pipe(ctx context.Context) (int, error) {
	p := s.pipeline
	p.Reset()
	s.futs = s.futs[:0]
	for i := range pipeLen {
		s.futs = append(s.futs, p.GetAppend(s.dst[i][:0], s.keys.next()))
	}
	if err := p.Exec(ctx); err != nil {
		return 0, err
	}
	n := 0
	for i, f := range s.futs {
		var err error
		if s.dst[i], err = f.Result(); err != nil {
			return 0, err
		}
		n += len(s.dst[i])
	}
	return n, nil
}

func (s *fastredisClusterSession) multi(ctx context.Context) error {
	p := s.tx
	p.Reset()
	var last fastredis.Future[int64]
	for _, k := range txKeys {
		last = p.Incr(k)
	}
	if err := p.Exec(ctx); err != nil {
		return err
	}
	return last.Err()
}

// go-redis: ClusterClient's typed API. Its MGet of keys in different slots
// fails with CROSSSLOT against Redis 7 (its routing policies split MGET only
// when the server's COMMAND reply carries request tips, from Redis 8 on), so
// MGET is what its users do instead: a pipeline of GETs, which the client
// groups per node.
type goredisCluster struct{ c *redis.ClusterClient }

func (g goredisCluster) session() clusterSession {
	return &goredisClusterSession{c: g.c, keys: newCursor()}
}
func (g goredisCluster) close() { g.c.Close() }

type goredisClusterSession struct {
	c    *redis.ClusterClient
	keys keyCursor
}

func (s *goredisClusterSession) get(ctx context.Context) (int, error) {
	v, err := s.c.Get(ctx, s.keys.next()).Bytes()
	return len(v), err
}

func (s *goredisClusterSession) set(ctx context.Context) error {
	return s.c.Set(ctx, s.keys.next(), clusterValue, 0).Err()
}

func (s *goredisClusterSession) mget(ctx context.Context, keys []string) (int, error) {
	p := s.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = p.Get(ctx, k)
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, err
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return 0, err
		}
	}
	return len(cmds), nil
}

func (s *goredisClusterSession) pipe(ctx context.Context) (int, error) {
	cmds, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for range pipeLen {
			p.Get(ctx, s.keys.next())
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cmds {
		v, err := c.(*redis.StringCmd).Bytes()
		if err != nil {
			return 0, err
		}
		n += len(v)
	}
	return n, nil
}

func (s *goredisClusterSession) multi(ctx context.Context) error {
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range txKeys {
			p.Incr(ctx, k)
		}
		return nil
	})
	return err
}

// rueidis: its cluster client (found from the server's mode), the command
// builder and auto-pipelining, client-side cache off; MGET across slots
// through rueidis.MGet, which sends one MGET per slot.
type rueidisCluster struct{ c rueidis.Client }

func (r rueidisCluster) session() clusterSession {
	return &rueidisClusterSession{c: r.c, keys: newCursor(),
		cmds: make(rueidis.Commands, 0, pipeLen)}
}
func (r rueidisCluster) close() { r.c.Close() }

type rueidisClusterSession struct {
	c    rueidis.Client
	keys keyCursor
	cmds rueidis.Commands // DoMulti's commands, the slice reused (DoMulti recycles the commands themselves)
}

func (s *rueidisClusterSession) get(ctx context.Context) (int, error) {
	v, err := s.c.Do(ctx, s.c.B().Get().Key(s.keys.next()).Build()).AsBytes()
	return len(v), err
}

func (s *rueidisClusterSession) set(ctx context.Context) error {
	return s.c.Do(ctx, s.c.B().Set().Key(s.keys.next()).Value(clusterValue).Build()).Error()
}

func (s *rueidisClusterSession) mget(ctx context.Context, keys []string) (int, error) {
	m, err := rueidis.MGet(s.c, ctx, keys)
	return len(m), err
}

func (s *rueidisClusterSession) pipe(ctx context.Context) (int, error) {
	s.cmds = s.cmds[:0]
	for range pipeLen {
		s.cmds = append(s.cmds, s.c.B().Get().Key(s.keys.next()).Build())
	}
	n := 0
	for _, r := range s.c.DoMulti(ctx, s.cmds...) {
		v, err := r.AsBytes()
		if err != nil {
			return 0, err
		}
		n += len(v)
	}
	return n, nil
}

// multi sends MULTI, the INCRs and EXEC in one DoMulti: the cluster client
// keeps a MULTI..EXEC span together on the node of its keys' slot.
func (s *rueidisClusterSession) multi(ctx context.Context) error {
	s.cmds = append(s.cmds[:0], s.c.B().Multi().Build())
	for _, k := range txKeys {
		s.cmds = append(s.cmds, s.c.B().Incr().Key(k).Build())
	}
	s.cmds = append(s.cmds, s.c.B().Exec().Build())
	rs := s.c.DoMulti(ctx, s.cmds...)
	for _, r := range rs[:len(rs)-1] {
		if err := r.Error(); err != nil {
			return err
		}
	}
	vs, err := rs[len(rs)-1].ToArray()
	if err != nil {
		return err
	}
	if len(vs) != len(txKeys) {
		return &benchError{"EXEC returned " + strconv.Itoa(len(vs)) + " results"}
	}
	for _, v := range vs {
		if err := v.Error(); err != nil {
			return err
		}
	}
	return nil
}
