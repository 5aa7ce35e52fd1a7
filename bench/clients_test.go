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
	// pipelineGet runs a GET of each key in one explicit pipeline and
	// returns the total length of the values.
	pipelineGet(ctx context.Context, keys []string) (int, error)
	// txIncr runs an INCR of each key in one MULTI/EXEC transaction.
	txIncr(ctx context.Context, keys []string) error
	// script runs benchScript (INCR of KEYS[1]) by its SHA1.
	script(ctx context.Context, key string) (int64, error)
}

// benchScript is the Lua script of the script workload.
const benchScript = "return redis.call('INCR', KEYS[1])"

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
	frGnet, err := fastredis.NewClient(fastredis.Options{Addr: addr, Transport: netpoll.TransportGnet})
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
		{"fastredis-gnet", fastredisClient{frGnet}},
		{"goredis", goredisClient{gr}},
		{"rueidis", rueidisClient{ru}},
		{"rueidis-pm1", rueidisClient{ru1}},
	}
}

func goroutines(parallelism int) int { return parallelism * runtime.GOMAXPROCS(0) }

// fastredis: typed methods, with the zero-allocation forms where there is
// one (GetAppend into a reused buffer; a reused Cmd for MGET and PUBLISH).
type fastredisClient struct{ c *fastredis.Client }

func (f fastredisClient) session() session {
	return &fastredisSession{c: f.c, p: f.c.Pipeline(), tx: f.c.TxPipeline(), lua: fastredis.NewScript(benchScript, 1)}
}
func (f fastredisClient) close() { f.c.Close() }

type fastredisSession struct {
	c    *fastredis.Client
	buf  []byte
	cmd  fastredis.Cmd
	p    *fastredis.Pipeline // reused: Reset, then queue again
	tx   *fastredis.Pipeline
	bufs [][]byte
	futs []fastredis.Future[[]byte]
	lua  *fastredis.Script
	keys [1]string
}

func (s *fastredisSession) set(ctx context.Context, key, value string) error {
	return s.c.Set(ctx, key, value)
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

func (s *fastredisSession) pipelineGet(ctx context.Context, keys []string) (int, error) {
	for len(s.bufs) < len(keys) {
		s.bufs = append(s.bufs, make([]byte, 0, 64))
	}
	s.p.Reset()
	s.futs = s.futs[:0]
	for i, k := range keys {
		s.futs = append(s.futs, s.p.GetAppend(s.bufs[i][:0], k))
	}
	if err := s.p.Exec(ctx); err != nil {
		return 0, err
	}
	total := 0
	for i, f := range s.futs {
		v, err := f.Result()
		if err != nil {
			return 0, err
		}
		s.bufs[i] = v
		total += len(v)
	}
	return total, nil
}

func (s *fastredisSession) txIncr(ctx context.Context, keys []string) error {
	s.tx.Reset()
	for _, k := range keys {
		s.tx.Incr(k)
	}
	return s.tx.Exec(ctx)
}

func (s *fastredisSession) script(ctx context.Context, key string) (int64, error) {
	s.keys[0] = key
	return s.c.RunScriptInt(ctx, s.lua, s.keys[:])
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

func (s goredisSession) pipelineGet(ctx context.Context, keys []string) (int, error) {
	p := s.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = p.Get(ctx, k)
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, err
	}
	total := 0
	for _, c := range cmds {
		v, err := c.Bytes()
		if err != nil {
			return 0, err
		}
		total += len(v)
	}
	return total, nil
}

func (s goredisSession) txIncr(ctx context.Context, keys []string) error {
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Incr(ctx, k)
		}
		return nil
	})
	return err
}

var goredisScript = redis.NewScript(benchScript)

func (s goredisSession) script(ctx context.Context, key string) (int64, error) {
	return goredisScript.Run(ctx, s.c, []string{key}).Int64()
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

func (s rueidisSession) pipelineGet(ctx context.Context, keys []string) (int, error) {
	cmds := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		cmds[i] = s.c.B().Get().Key(k).Build()
	}
	total := 0
	for _, r := range s.c.DoMulti(ctx, cmds...) {
		v, err := r.AsBytes()
		if err != nil {
			return 0, err
		}
		total += len(v)
	}
	return total, nil
}

func (s rueidisSession) txIncr(ctx context.Context, keys []string) error {
	cmds := make(rueidis.Commands, 0, len(keys)+2)
	cmds = append(cmds, s.c.B().Multi().Build())
	for _, k := range keys {
		cmds = append(cmds, s.c.B().Incr().Key(k).Build())
	}
	cmds = append(cmds, s.c.B().Exec().Build())
	rs := s.c.DoMulti(ctx, cmds...)
	return rs[len(rs)-1].Error()
}

var rueidisScript = rueidis.NewLuaScript(benchScript)

func (s rueidisSession) script(ctx context.Context, key string) (int64, error) {
	return rueidisScript.Exec(ctx, s.c, []string{key}, nil).AsInt64()
}
