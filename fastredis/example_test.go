package fastredis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strconv"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

func ExampleParseURL() {
	opts, err := fastredis.ParseURL("redis://alice:s3cret@localhost:6380/2?protocol=3&client_name=worker")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Addr, opts.Username, opts.DB, opts.ClientName)

	_, err = fastredis.ParseURL("redis://alice:s3cret@localhost:6380?colour=blue")
	fmt.Println(err)
	// Output:
	// localhost:6380 alice 2 worker
	// fastredis: invalid URL: unknown parameter "colour"
}

func ExampleNewClient() {
	client, err := fastredis.NewClient(fastredis.Options{
		Addr: redisAddr, // "localhost:6379" when empty
		DB:   1,
		// Username and Password for a server that requires AUTH.
	})
	if err != nil {
		log.Fatal(err) // a wrong password is an *fastredis.Error with Prefix WRONGPASS
	}
	defer client.Close()

	ctx := context.Background()
	if err := client.Set(ctx, "greeting", "hello"); err != nil {
		log.Fatal(err)
	}
	v, err := client.Get(ctx, "greeting")
	fmt.Println(v, err)
	// Output:
	// hello <nil>
}

func ExampleClient_Do() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	// Any command by name; maps and slices are flattened.
	if _, err := client.Do(ctx, "HSET", "user:1", map[string]string{"name": "Ada", "lang": "en"}); err != nil {
		log.Fatal(err)
	}
	reply, err := client.Do(ctx, "HGETALL", "user:1")
	if err != nil {
		log.Fatal(err)
	}
	fields, _ := reply.Map() // a RESP3 map, or RESP2's flat list of pairs
	fmt.Println(fields["name"])
	// Output:
	// Ada
}

func ExampleClient_Exec() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	if err := client.Set(ctx, "exec:a", "1"); err != nil {
		log.Fatal(err)
	}

	// A Cmd is reused: after the first call, nothing allocates.
	var cmd fastredis.Cmd
	for i := 0; i < 2; i++ {
		cmd.Reset("MGET").Key("exec:a").Key("exec:missing")
		if err := client.Exec(ctx, &cmd); err != nil {
			log.Fatal(err)
		}
		it := cmd.Reply().Iter()
		for it.Next() {
			fmt.Printf("%q null=%v\n", it.Value().Bytes(), it.Value().IsNull())
		}
	}
	// Output:
	// "1" null=false
	// "" null=true
	// "1" null=false
	// "" null=true
}

func ExampleError() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	_, err = client.Get(ctx, "no-such-key")
	if errors.Is(err, fastredis.Nil) {
		fmt.Println("missing")
	}
	client.Do(ctx, "LPUSH", "a-list", "x")
	_, err = client.Get(ctx, "a-list")
	var e *fastredis.Error
	if errors.As(err, &e) {
		fmt.Println(e.Prefix, e.Command)
	}
	// Output:
	// missing
	// WRONGTYPE GET
}

func ExampleClient_Pipeline() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	p := client.Pipeline()
	p.Set("foo", "bar")
	get := p.Get("foo")
	incr := p.Incr("foo") // fails alone: the value is not an integer
	if err := p.Exec(ctx); err != nil {
		log.Fatal(err) // the batch could not run at all
	}
	fmt.Println(get.Val(), incr.Err())
	// Output:
	// bar fastredis: INCR: ERR value is not an integer or out of range
}

func ExampleClient_TxPipeline() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	tx := client.TxPipeline()
	tx.Set("tx:foo", "bar")
	tx.Do("SET", "tx:foo") // wrong arity: refused while queueing
	err = tx.Exec(ctx)
	var abort *fastredis.ExecAbortError
	if errors.As(err, &abort) {
		fmt.Println("nothing ran:", abort.Errors)
	}
	// Output:
	// nothing ran: [fastredis: SET: ERR wrong number of arguments for 'set' command]
}

func ExampleClient_WatchRetry() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	if err := client.Set(ctx, "counter", "21"); err != nil {
		log.Fatal(err)
	}

	// Double a counter atomically, against concurrent writers.
	err = client.WatchRetry(ctx, 10, func(tx *fastredis.Tx) error {
		s, err := tx.Get(ctx, "counter")
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		p := tx.TxPipeline()
		p.Set("counter", strconv.Itoa(2*n))
		return p.Exec(ctx) // fastredis.ErrTxFailed if counter changed: WatchRetry runs fn again
	}, "counter")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Get(ctx, "counter"))
	// Output:
	// 42 <nil>
}

func ExampleNewScript() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	echo := fastredis.NewScript("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", 2)
	r, err := client.RunScript(ctx, echo, []string{"k1", "k2"}, "a1", "a2") // EVALSHA, or EVAL on NOSCRIPT
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range r.Elems {
		fmt.Println(e.Str)
	}
	// Output:
	// k1
	// k2
	// a1
	// a2
}

func ExampleClient_Subscribe() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	ps, err := client.Subscribe(ctx, "news")
	if err != nil {
		log.Fatal(err)
	}
	defer ps.Close()
	if _, err := ps.PSubscribe(ctx, "alerts:*"); err != nil {
		log.Fatal(err)
	}
	client.Publish(ctx, "news", "hello")
	client.Publish(ctx, "alerts:disk", "full")
	// Messages is resubscribed by itself after a reconnect; it is closed by
	// Close, or when reconnecting gives up (then see ps.Err).
	for range 2 {
		msg := <-ps.Messages()
		fmt.Println(msg.Kind, msg.Pattern, msg.Channel, msg.Payload)
	}
	// Output:
	// message  news hello
	// pmessage alerts:* alerts:disk full
}

func ExampleClient_ScanIter() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		client.Set(ctx, "session:"+id, "x")
	}

	for key, err := range client.ScanIter(ctx, fastredis.ScanOptions{Match: "session:*", Count: 1000}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(key)
	}
	// SCAN returns keys in no particular order.

	// Unordered output:
	// session:a
	// session:b
	// session:c
}

func ExampleClient_Monitor() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	mon, err := client.Monitor(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer mon.Close()
	client.Set(ctx, "monitored", "1")
	ev := <-mon.Events() // until Close
	fmt.Println(ev.DB, ev.Args)
	// Output:
	// 0 [SET monitored 1]
}

func ExampleOptions_lifecycle() {
	client, err := fastredis.NewClient(fastredis.Options{
		Addr: redisAddr,
		// Reconnect after 100ms, 200ms, ... up to 3s, and give up after 100 attempts.
		RetryStrategy: func(attempt int) time.Duration {
			if attempt > 100 {
				return -1
			}
			return min(time.Duration(attempt)*100*time.Millisecond, 3*time.Second)
		},
		MaxRetriesPerRequest: 5, // a command waits through 5 failed reconnects, then fails
		SocketTimeout:        2 * time.Second,
		OnEvent: func(ev fastredis.Event) {
			if ev.Type == fastredis.EventReconnecting {
				log.Printf("redis: reconnecting (attempt %d) in %v", ev.Attempt, ev.Delay)
			}
		},
		Logger: slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println(client.Status())
	// Output:
	// ready
}

func ExampleClient_BLPop() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// A blocking command runs on a dedicated connection; cancelling the
	// context unblocks it on the server (CLIENT UNBLOCK).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go client.RPush(ctx, "jobs", "job-1")
	kv, err := client.BLPop(ctx, []string{"jobs"}, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(kv[0], kv[1])
	// Output:
	// jobs job-1
}

// Values of any kind and durations: numbers and []byte go in as they are,
// options are left out or given last, and a TTL that is not whole seconds is
// sent as PX.
func ExampleClient_Set() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	if err := client.Set(ctx, "hits", 41); err != nil { // an int: no strconv
		log.Fatal(err)
	}
	n, _ := client.Incr(ctx, "hits")
	fmt.Println("hits:", n)

	token := []byte{0xde, 0xad, 0xbe, 0xef} // a []byte: sent without a copy
	err = client.Set(ctx, "session", token, fastredis.SetOptions{TTL: 1500 * time.Millisecond, Condition: fastredis.NX})
	fmt.Println("set:", err)
	ttl, _ := client.PTTL(ctx, "session")
	fmt.Println("ttl within 1.5s:", ttl > time.Second && ttl <= 1500*time.Millisecond)

	err = client.Set(ctx, "session", token, fastredis.SetOptions{Condition: fastredis.NX})
	fmt.Println("again with NX:", err)

	_, err = client.PExpire(ctx, "session", 1500*time.Microsecond)
	fmt.Println(errors.Is(err, fastredis.ErrInvalidArgument), err)
	// Output:
	// hits: 42
	// set: <nil>
	// ttl within 1.5s: true
	// again with NX: fastredis: nil
	// true fastredis: PEXPIRE: duration 1.5ms is not a whole number of milliseconds, the unit of this argument
}
