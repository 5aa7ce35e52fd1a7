package fastredis_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/fastredis/fastredis/fastredis"
)

// greet is application code written once against Cmdable: it runs on a
// Client, a Tx, the cluster and sentinel clients, or a fake.
func greet(ctx context.Context, r fastredis.Cmdable, name string) (string, error) {
	if err := r.Set(ctx, "greeting:"+name, "hello, "+name); err != nil {
		return "", err
	}
	return r.Get(ctx, "greeting:"+name)
}

// fakeRedis fakes the two commands greet uses; calling any other method of
// the embedded (nil) Cmdable would panic, which is what a test wants.
type fakeRedis struct {
	fastredis.Cmdable
	data map[string]string
}

func (f *fakeRedis) Set(ctx context.Context, key string, value any, opts ...fastredis.SetOptions) error {
	f.data[key] = fmt.Sprint(value)
	return nil
}

func (f *fakeRedis) Get(ctx context.Context, key string) (string, error) {
	v, ok := f.data[key]
	if !ok {
		return "", fastredis.Nil
	}
	return v, nil
}

func ExampleCmdable() {
	ctx := context.Background()

	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println(greet(ctx, client, "Ada"))

	// In a test: a fake with only the methods the code uses.
	fake := &fakeRedis{data: map[string]string{}}
	fmt.Println(greet(ctx, fake, "Grace"))
	fmt.Println(fake.data)
	// Output:
	// hello, Ada <nil>
	// hello, Grace <nil>
	// map[greeting:Grace:hello, Grace]
}

func ExampleNewUniversalClient() {
	// One address: a *fastredis.Client. Several, or a MasterName: a cluster
	// or sentinel client (not available yet: an error).
	client, err := fastredis.NewUniversalClient(fastredis.UniversalOptions{
		Addrs:   []string{redisAddr},
		Options: fastredis.Options{ClientName: "worker"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	err = client.Watch(ctx, func(tx *fastredis.Tx) error {
		_, err := tx.Incr(ctx, "universal:visits")
		return err
	}, "universal:visits")
	fmt.Printf("%T %v\n", client, err)

	_, err = fastredis.NewUniversalClient(fastredis.UniversalOptions{
		Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"},
	})
	fmt.Println(errors.Is(err, errors.ErrUnsupported))
	// Output:
	// *fastredis.Client <nil>
	// true
}

func ExampleParseUniversalURL() {
	opts, err := fastredis.ParseUniversalURL("redis://:s3cret@node1:7000?addr=node2:7000&addr=node3&dial_timeout=3s")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Addrs, opts.DialTimeout)

	opts, err = fastredis.ParseUniversalURL("redis://sentinel1:26379?master_name=mymaster&addr=sentinel2:26379")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.MasterName, opts.Addrs)
	// Output:
	// [node1:7000 node2:7000 node3:6379] 3s
	// mymaster [sentinel1:26379 sentinel2:26379]
}
