package fastredis_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

func ExampleClient_CachedGet() {
	client, err := fastredis.NewClient(fastredis.Options{
		Addr:  redisAddr,
		Cache: &fastredis.CacheOptions{MaxBytes: 64 << 20}, // OPTIN tracking on every connection
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	if err := client.Set(ctx, "example:cache:greeting", "hello"); err != nil {
		log.Fatal(err)
	}
	v, err := client.CachedGet(ctx, "example:cache:greeting", time.Minute) // a miss: read and tracked
	fmt.Println(v, err)
	v, err = client.CachedGet(ctx, "example:cache:greeting", time.Minute) // a hit: no round trip
	fmt.Println(v, err)

	// The client's own write drops the key before Set returns.
	if err := client.Set(ctx, "example:cache:greeting", "bonjour"); err != nil {
		log.Fatal(err)
	}
	v, err = client.CachedGet(ctx, "example:cache:greeting", time.Minute)
	fmt.Println(v, err)

	// Any read-only command with keys; others are refused.
	r, err := client.DoCached(ctx, time.Minute, "STRLEN", "example:cache:greeting")
	fmt.Println(r.Int, err)
	_, err = client.DoCached(ctx, time.Minute, "INCR", "example:cache:counter")
	fmt.Println(err)

	st := client.CacheStats()
	fmt.Println("hits", st.Hits, "misses", st.Misses)
	// Output:
	// hello <nil>
	// hello <nil>
	// bonjour <nil>
	// 7 <nil>
	// fastredis: DoCached INCR: not a read-only command (only commands flagged READONLY and not blocking can be cached)
	// hits 1 misses 3
}
