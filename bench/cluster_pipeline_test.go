package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/cluster"
	"github.com/fastredis/fastredis/fastredis"
	"github.com/redis/go-redis/v9"
)

// pipeOp is one command of TestClusterPipelineMatchesGoRedis, on key number
// key of the client's namespace; arg is its number argument.
type pipeOp struct {
	cmd string
	key int
	arg int
}

var pipeCmds = []string{
	"SET", "GET", "INCR", "INCRBY", "DEL", "EXISTS", "APPEND", "STRLEN",
	"HSET", "HGET", "LPUSH", "LRANGE", "SADD", "SCARD",
}

// pipeOps is a fixed sequence of n commands over nkeys keys: a seeded
// generator, so every run (and both clients) sends the same commands. With
// about five commands per key and mixed types, some get WRONGTYPE, "not an
// integer" and null replies, which must match too.
func pipeOps(n, nkeys int) []pipeOp {
	r := rand.New(rand.NewPCG(14, 8))
	ops := make([]pipeOp, n)
	for i := range ops {
		ops[i] = pipeOp{cmd: pipeCmds[r.IntN(len(pipeCmds))], key: r.IntN(nkeys), arg: r.IntN(100)}
	}
	return ops
}

// pipeResult is a command's outcome in a form both clients give: its value
// as text, or its error (a server error by its reply text, a null as
// "nil").
type pipeResult struct {
	val string
	err string
}

func fastredisResult[T any](f fastredis.Future[T]) func() pipeResult {
	return func() pipeResult {
		v, err := f.Result()
		if err != nil {
			var se *fastredis.Error
			switch {
			case errors.Is(err, fastredis.Nil):
				return pipeResult{err: "nil"}
			case errors.As(err, &se):
				return pipeResult{err: se.Prefix + " " + se.Message}
			}
			return pipeResult{err: "client: " + err.Error()}
		}
		return pipeResult{val: fmt.Sprint(v)}
	}
}

func goredisResult(c redis.Cmder) pipeResult {
	if err := c.Err(); err != nil {
		var se redis.Error
		switch {
		case errors.Is(err, redis.Nil):
			return pipeResult{err: "nil"}
		case errors.As(err, &se):
			return pipeResult{err: se.Error()}
		}
		return pipeResult{err: "client: " + err.Error()}
	}
	switch c := c.(type) {
	case *redis.StatusCmd:
		return pipeResult{val: fmt.Sprint(struct{}{})} // fastredis's OK prints as {}
	case *redis.StringCmd:
		return pipeResult{val: c.Val()}
	case *redis.IntCmd:
		return pipeResult{val: strconv.FormatInt(c.Val(), 10)}
	case *redis.StringSliceCmd:
		return pipeResult{val: fmt.Sprint(c.Val())}
	}
	return pipeResult{err: fmt.Sprintf("client: unexpected %T", c)}
}

// TestClusterPipelineMatchesGoRedis runs one pipeline of 1,000 mixed
// commands over keys in every slot range through fastredis's cluster.Client
// and through go-redis's ClusterClient, each in a key namespace of its own
// ("fr:" and "gr:"), and compares the results one by one: value, and error
// (nil, or the server's error text).
func TestClusterPipelineMatchesGoRedis(t *testing.T) {
	rc := benchCluster(t)
	ctx := context.Background()
	const nkeys = 200
	ops := pipeOps(1000, nkeys)

	fr, err := cluster.NewClient(cluster.Options{Addrs: rc.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	gr := redis.NewClusterClient(&redis.ClusterOptions{Addrs: rc.Addrs()})
	defer gr.Close()

	key := func(prefix string, i int) string { return prefix + "k:" + strconv.Itoa(i) }
	// Start from empty namespaces, so that the test can run again.
	var all []string
	for i := range nkeys {
		all = append(all, key("fr:", i), key("gr:", i))
	}
	if _, err := fr.Del(ctx, all...); err != nil { // split per slot
		t.Fatal(err)
	}
	// The keys cover every master.
	masters := map[int]bool{}
	for i := range nkeys {
		masters[min(cluster.Slot(key("fr:", i))*3/16384, 2)] = true
		masters[min(cluster.Slot(key("gr:", i))*3/16384, 2)] = true
	}
	if len(masters) != 3 {
		t.Fatalf("keys on %d masters, want 3", len(masters))
	}

	// fastredis.
	p := fr.Pipeline()
	frGot := make([]func() pipeResult, len(ops))
	for i, op := range ops {
		k := key("fr:", op.key)
		a := strconv.Itoa(op.arg)
		switch op.cmd {
		case "SET":
			frGot[i] = fastredisResult(p.Set(k, a))
		case "GET":
			frGot[i] = fastredisResult(p.Get(k))
		case "INCR":
			frGot[i] = fastredisResult(p.Incr(k))
		case "INCRBY":
			frGot[i] = fastredisResult(p.IncrBy(k, int64(op.arg)))
		case "DEL":
			frGot[i] = fastredisResult(p.Del(k))
		case "EXISTS":
			frGot[i] = fastredisResult(p.Exists(k))
		case "APPEND":
			frGot[i] = fastredisResult(p.Append(k, a))
		case "STRLEN":
			frGot[i] = fastredisResult(p.StrLen(k))
		case "HSET":
			frGot[i] = fastredisResult(p.HSet(k, "f"+strconv.Itoa(op.arg%5), a))
		case "HGET":
			frGot[i] = fastredisResult(p.HGet(k, "f"+strconv.Itoa(op.arg%5)))
		case "LPUSH":
			frGot[i] = fastredisResult(p.LPush(k, a))
		case "LRANGE":
			frGot[i] = fastredisResult(p.LRange(k, 0, -1))
		case "SADD":
			frGot[i] = fastredisResult(p.SAdd(k, strconv.Itoa(op.arg%7)))
		case "SCARD":
			frGot[i] = fastredisResult(p.SCard(k))
		default:
			t.Fatalf("no fastredis form of %s", op.cmd)
		}
	}
	if err := p.Exec(ctx); err != nil {
		t.Fatalf("fastredis Exec: %v", err)
	}

	// go-redis.
	gp := gr.Pipeline()
	grCmds := make([]redis.Cmder, len(ops))
	for i, op := range ops {
		k := key("gr:", op.key)
		a := strconv.Itoa(op.arg)
		switch op.cmd {
		case "SET":
			grCmds[i] = gp.Set(ctx, k, a, 0)
		case "GET":
			grCmds[i] = gp.Get(ctx, k)
		case "INCR":
			grCmds[i] = gp.Incr(ctx, k)
		case "INCRBY":
			grCmds[i] = gp.IncrBy(ctx, k, int64(op.arg))
		case "DEL":
			grCmds[i] = gp.Del(ctx, k)
		case "EXISTS":
			grCmds[i] = gp.Exists(ctx, k)
		case "APPEND":
			grCmds[i] = gp.Append(ctx, k, a)
		case "STRLEN":
			grCmds[i] = gp.StrLen(ctx, k)
		case "HSET":
			grCmds[i] = gp.HSet(ctx, k, "f"+strconv.Itoa(op.arg%5), a)
		case "HGET":
			grCmds[i] = gp.HGet(ctx, k, "f"+strconv.Itoa(op.arg%5))
		case "LPUSH":
			grCmds[i] = gp.LPush(ctx, k, a)
		case "LRANGE":
			grCmds[i] = gp.LRange(ctx, k, 0, -1)
		case "SADD":
			grCmds[i] = gp.SAdd(ctx, k, strconv.Itoa(op.arg%7))
		case "SCARD":
			grCmds[i] = gp.SCard(ctx, k)
		default:
			t.Fatalf("no go-redis form of %s", op.cmd)
		}
	}
	// Exec returns the first command's error, if any; each is compared below.
	_, _ = gp.Exec(ctx)

	kinds := map[string]int{}
	for i, op := range ops {
		f, g := frGot[i](), goredisResult(grCmds[i])
		if f != g {
			t.Errorf("command %d, %s on key %d: fastredis %+v, go-redis %+v", i, op.cmd, op.key, f, g)
		}
		switch {
		case f.err == "nil":
			kinds["null"]++
		case f.err != "":
			kinds["error"]++
		default:
			kinds["value"]++
		}
		if f.err != "" && len(f.err) > 7 && f.err[:7] == "client:" {
			t.Errorf("command %d, %s: client error %s", i, op.cmd, f.err)
		}
	}
	// The sequence exercises values, nulls and server errors alike.
	for _, k := range []string{"value", "null", "error"} {
		if kinds[k] == 0 {
			t.Errorf("no command ended with a %s: %v", k, kinds)
		}
	}
	t.Logf("1000 commands: %v", kinds)
}
