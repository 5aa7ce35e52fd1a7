package bench

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
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
		{"goredis", goredisCluster{gr}},
		{"rueidis", rueidisCluster{ru}},
	}
}

// fastredis: cluster.Client's typed methods, GetAppend into a reused
// buffer, SET of a reused []byte, a reused Cmd for MGET (split per slot by
// the client).
type fastredisCluster struct{ c *cluster.Client }

func (f fastredisCluster) session() clusterSession {
	return &fastredisClusterSession{c: f.c, keys: newCursor(), value: []byte(clusterValue)}
}
func (f fastredisCluster) close() { f.c.Close() }

type fastredisClusterSession struct {
	c     *cluster.Client
	keys  keyCursor
	buf   []byte
	value []byte
	cmd   fastredis.Cmd
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

// rueidis: its cluster client (found from the server's mode), the command
// builder and auto-pipelining, client-side cache off; MGET across slots
// through rueidis.MGet, which sends one MGET per slot.
type rueidisCluster struct{ c rueidis.Client }

func (r rueidisCluster) session() clusterSession {
	return &rueidisClusterSession{c: r.c, keys: newCursor()}
}
func (r rueidisCluster) close() { r.c.Close() }

type rueidisClusterSession struct {
	c    rueidis.Client
	keys keyCursor
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
