package bench

import (
	"context"
	"runtime"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/netpoll"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// client is one implementation under test, reduced to the operations the
// workloads need. Each method is called from one goroutine at a time per
// value returned by session, which holds that goroutine's reusable state.
type client interface {
	session() session
	close()
}

type session interface {
	set(ctx context.Context, key, value string) error
	get(ctx context.Context, key string) (int, error) // the value's length
	incr(ctx context.Context, key string) error
	mget(ctx context.Context, keys []string) (int, error) // the number of values
	publish(ctx context.Context, channel, message string) error
}

// impls lists the implementations, each configured as its documentation
// recommends for a pipelining-friendly workload; parallelism is the
// goroutine count the benchmark will run (go-redis sizes its pool by it).
func impls(b *testing.B, addr string, parallelism int) []struct {
	name string
	c    client
} {
	b.Helper()
	fr, err := fastredis.NewClient(fastredis.Options{Addr: addr})
	if err != nil {
		b.Fatal(err)
	}
	frNet, err := fastredis.NewClient(fastredis.Options{Addr: addr, Transport: netpoll.TransportNetConn})
	if err != nil {
		b.Fatal(err)
	}
	gr := redis.NewClient(&redis.Options{Addr: addr, PoolSize: max(10, parallelism), MinIdleConns: min(parallelism, 64)})
	ru, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	ru1, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true, PipelineMultiplex: -1})
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		c    client
	}{
		{"fastredis", fastredisClient{fr}},
		{"fastredis-netconn", fastredisClient{frNet}},
		{"goredis", goredisClient{gr}},
		{"rueidis", rueidisClient{ru}},
		{"rueidis-pm1", rueidisClient{ru1}},
	}
}

func goroutines(parallelism int) int { return parallelism * runtime.GOMAXPROCS(0) }

// fastredis: typed methods, with the zero-allocation forms where there is
// one (GetAppend into a reused buffer; a reused Cmd for SET and PUBLISH).
type fastredisClient struct{ c *fastredis.Client }

func (f fastredisClient) session() session { return &fastredisSession{c: f.c} }
func (f fastredisClient) close()           { f.c.Close() }

type fastredisSession struct {
	c   *fastredis.Client
	buf []byte
	cmd fastredis.Cmd
}

func (s *fastredisSession) set(ctx context.Context, key, value string) error {
	return s.c.Exec(ctx, s.cmd.Reset("SET").Key(key).Arg(value))
}

func (s *fastredisSession) get(ctx context.Context, key string) (int, error) {
	var err error
	s.buf, err = s.c.GetAppend(ctx, s.buf[:0], key)
	return len(s.buf), err
}

func (s *fastredisSession) incr(ctx context.Context, key string) error {
	_, err := s.c.Incr(ctx, key)
	return err
}

func (s *fastredisSession) mget(ctx context.Context, keys []string) (int, error) {
	s.cmd.Reset("MGET")
	for _, k := range keys {
		s.cmd.Key(k)
	}
	err := s.c.Exec(ctx, &s.cmd)
	return s.cmd.Reply().Len(), err
}

func (s *fastredisSession) publish(ctx context.Context, channel, message string) error {
	return s.c.Exec(ctx, s.cmd.Reset("PUBLISH").Arg(channel).Arg(message))
}

// go-redis: its typed API and connection pool.
type goredisClient struct{ c *redis.Client }

func (g goredisClient) session() session { return goredisSession(g) }
func (g goredisClient) close()           { g.c.Close() }

type goredisSession struct{ c *redis.Client }

func (s goredisSession) set(ctx context.Context, key, value string) error {
	return s.c.Set(ctx, key, value, 0).Err()
}

func (s goredisSession) get(ctx context.Context, key string) (int, error) {
	v, err := s.c.Get(ctx, key).Bytes()
	return len(v), err
}

func (s goredisSession) incr(ctx context.Context, key string) error { return s.c.Incr(ctx, key).Err() }

func (s goredisSession) mget(ctx context.Context, keys []string) (int, error) {
	v, err := s.c.MGet(ctx, keys...).Result()
	return len(v), err
}

func (s goredisSession) publish(ctx context.Context, channel, message string) error {
	return s.c.Publish(ctx, channel, message).Err()
}

// rueidis: its command builder and auto-pipelining, client-side cache off.
type rueidisClient struct{ c rueidis.Client }

func (r rueidisClient) session() session { return rueidisSession(r) }
func (r rueidisClient) close()           { r.c.Close() }

type rueidisSession struct{ c rueidis.Client }

func (s rueidisSession) set(ctx context.Context, key, value string) error {
	return s.c.Do(ctx, s.c.B().Set().Key(key).Value(value).Build()).Error()
}

func (s rueidisSession) get(ctx context.Context, key string) (int, error) {
	v, err := s.c.Do(ctx, s.c.B().Get().Key(key).Build()).AsBytes()
	return len(v), err
}

func (s rueidisSession) incr(ctx context.Context, key string) error {
	return s.c.Do(ctx, s.c.B().Incr().Key(key).Build()).Error()
}

func (s rueidisSession) mget(ctx context.Context, keys []string) (int, error) {
	v, err := s.c.Do(ctx, s.c.B().Mget().Key(keys...).Build()).ToArray()
	return len(v), err
}

func (s rueidisSession) publish(ctx context.Context, channel, message string) error {
	return s.c.Do(ctx, s.c.B().Publish().Channel(channel).Message(message).Build()).Error()
}
