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
