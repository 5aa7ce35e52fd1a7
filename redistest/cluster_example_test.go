package redistest_test

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"slices"
	"strings"

	"github.com/fastredis/fastredis/redistest"
)

// NewCluster starts a Redis Cluster without a *testing.T, here three
// masters with a replica each; in a test, StartCluster does the same and
// stops it at cleanup. Shards, SlotOwner, Masters and Replicas ask the
// servers, so they follow failovers and migrations.
func ExampleNewCluster() {
	c, err := redistest.NewCluster(redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1})
	if err != nil {
		log.Fatal(err) // wraps redistest.ErrNotInstalled when there is no redis-server
	}
	defer c.Close()

	nodes := c.Nodes()
	for _, s := range c.Shards() {
		fmt.Printf("slots %d-%d: master node %d, replica node %d\n",
			s.Slots[0][0], s.Slots[0][1], slices.Index(nodes, s.Master), slices.Index(nodes, s.Replicas[0]))
	}

	// "foo" hashes to slot 12182, on the third master: the first node
	// redirects a GET of it there.
	owner := c.SlotOwner(c.KeySlot("foo"))
	conn, err := net.Dial("tcp", nodes[0].Addr)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n")); err != nil {
		log.Fatal(err)
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Replace(strings.TrimSpace(reply), owner.Addr, "<owner>", 1), owner == nodes[2])
	// Output:
	// slots 0-5460: master node 0, replica node 3
	// slots 5461-10922: master node 1, replica node 4
	// slots 10923-16383: master node 2, replica node 5
	// -MOVED 12182 <owner> true
}
