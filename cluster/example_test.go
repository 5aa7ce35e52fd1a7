package cluster_test

import (
	"context"
	"fmt"
	"log"

	"github.com/fastredis/fastredis/cluster"
)

func ExampleNewClient() {
	c, err := cluster.NewClient(cluster.Options{Addrs: exampleSeeds()})
	if err != nil {
		log.Fatal(err) // no seed reachable, or bad options
	}
	defer c.Close()
	ctx := context.Background()

	// Keys go to the master of their slot; a hash tag puts keys in one slot.
	if err := c.Set(ctx, "{user:42}:name", "Ada"); err != nil {
		log.Fatal(err)
	}
	if err := c.Set(ctx, "{user:42}:lang", "en"); err != nil {
		log.Fatal(err)
	}
	name, err := c.Get(ctx, "{user:42}:name")
	fmt.Println(name, err)

	// Keys in different slots: split per slot, merged in order.
	if err := c.MSet(ctx, "example:a", 1, "example:b", 2, "example:c", 3); err != nil {
		log.Fatal(err)
	}
	vals, err := c.MGet(ctx, "example:c", "example:a", "example:b")
	fmt.Println(vals, err)
	n, err := c.Del(ctx, "example:a", "example:b", "example:c")
	fmt.Println(n, err)
	fmt.Println(cluster.Slot("{user:42}:name") == cluster.Slot("user:42"))
	// Output:
	// Ada <nil>
	// [{3 true} {1 true} {2 true}] <nil>
	// 3 <nil>
	// true
}

// exampleSeeds are the seed nodes of the cluster the examples run against,
// started by the tests.
func exampleSeeds() []string { return cluster.SharedSeeds() }
