package redistest_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// New starts a server without a *testing.T: from TestMain, for the tests of
// a whole package, or from a tool. Close stops it and removes its files.
func ExampleNew() {
	srv, err := redistest.New(redistest.Options{Password: "s3cret"})
	if err != nil {
		log.Fatal(err) // wraps redistest.ErrNotInstalled when there is no redis-server
	}
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	// AUTH s3cret, then PING, in RESP.
	if _, err := conn.Write([]byte("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n*1\r\n$4\r\nPING\r\n")); err != nil {
		log.Fatal(err)
	}
	r := bufio.NewReader(conn)
	for range 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q\n", line)
	}
	// Output:
	// "+OK\r\n"
	// "+PONG\r\n"
}

// A TLS server's certificate is signed by a generated CA, which the client
// must trust: TLSURL gives the address, ClientTLSConfig the trust.
func ExampleServer_ClientTLSConfig() {
	srv, err := redistest.New(redistest.Options{TLS: true})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	opts, err := fastredis.ParseURL(srv.TLSURL()) // rediss://127.0.0.1:port
	if err != nil {
		log.Fatal(err)
	}
	opts.TLSConfig = srv.ClientTLSConfig()
	client, err := fastredis.NewClient(opts)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println(client.Ping(context.Background()))
	// Output:
	// PONG <nil>
}

// ExampleNewSentinel starts a master, two replicas and three sentinels,
// and asks a sentinel where the master is.
func ExampleNewSentinel() {
	g, err := redistest.NewSentinel(redistest.SentinelOptions{SkipIfMissing: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	addr, err := g.MasterAddr(context.Background())
	fmt.Println(addr == g.Master().Addr, len(g.Replicas()), len(g.SentinelAddrs()), err)
	// Output:
	// true 2 3 <nil>
}
