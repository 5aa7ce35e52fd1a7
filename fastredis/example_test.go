package fastredis_test

import (
	"context"
	"errors"
	"fmt"
	"log"

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
	// fastredis: invalid URL redis://xxxxx@localhost:6380?colour=blue: colour=blue: unknown parameter
}

func ExampleNewClient() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: "localhost:6379", Password: "secret", DB: 1})
	if err != nil {
		log.Fatal(err) // a wrong password is an *fastredis.Error with Prefix WRONGPASS
	}
	defer client.Close()

	ctx := context.Background()
	if err := client.Set(ctx, "greeting", "hello", nil); err != nil {
		log.Fatal(err)
	}
	v, err := client.Get(ctx, "greeting")
	fmt.Println(v, err)
}

func ExampleClient_Do() {
	client, err := fastredis.NewClient(fastredis.Options{})
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
}

func ExampleClient_Exec() {
	client, err := fastredis.NewClient(fastredis.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	// A Cmd is reused: after the first call, nothing allocates.
	var cmd fastredis.Cmd
	for i := 0; i < 3; i++ {
		cmd.Reset("MGET").Key("a").Key("b")
		if err := client.Exec(ctx, &cmd); err != nil {
			log.Fatal(err)
		}
		it := cmd.Reply().Iter()
		for it.Next() {
			fmt.Printf("%q null=%v\n", it.Value().Bytes(), it.Value().IsNull())
		}
	}
}

func ExampleError() {
	client, err := fastredis.NewClient(fastredis.Options{})
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
		fmt.Println(e.Prefix, e.Command) // WRONGTYPE GET
	}
}

func ExampleClient_Pipeline() {
	client, err := fastredis.NewClient(fastredis.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	p := client.Pipeline()
	p.Set("foo", "bar", nil)
	get := p.Get("foo")
	incr := p.Incr("foo") // fails alone: the value is not an integer
	if err := p.Exec(ctx); err != nil {
		log.Fatal(err) // the batch could not run at all
	}
	fmt.Println(get.Val(), incr.Err() != nil)
}

func ExampleClient_TxPipeline() {
	client, err := fastredis.NewClient(fastredis.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	tx := client.TxPipeline()
	tx.Set("foo", "bar", nil)
	tx.Do("SET", "foo") // wrong arity: refused while queueing
	err = tx.Exec(ctx)
	var abort *fastredis.ExecAbortError
	if errors.As(err, &abort) {
		fmt.Println("nothing ran:", abort.Errors)
	}
}

func ExampleClient_WatchRetry() {
	client, err := fastredis.NewClient(fastredis.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	// Double a counter atomically, against concurrent writers.
	err = client.WatchRetry(ctx, 10, func(tx *fastredis.Tx) error {
		n, err := tx.Get(ctx, "counter")
		if err != nil {
			return err
		}
		p := tx.TxPipeline()
		p.Set("counter", n+n, nil) // string concatenation, for brevity
		return p.Exec(ctx)         // fastredis.ErrTxFailed if counter changed: WatchRetry runs fn again
	}, "counter")
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleNewScript() {
	client, err := fastredis.NewClient(fastredis.Options{})
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
}
