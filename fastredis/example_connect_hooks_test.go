package fastredis_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// Options from a URL, with the hooks a URL cannot carry added: credentials
// asked for at every handshake (a secrets store, a short-lived token), a
// Dialer (a proxy, a tunnel), and OnConnect, which prepares each new
// connection before it serves callers.
func ExampleOptions_connectHooks() {
	opts, err := fastredis.ParseURL("redis://" + redisAddr + "/0")
	if err != nil {
		log.Fatal(err)
	}
	opts.CredentialsProvider = func(ctx context.Context) (username, password string, err error) {
		return "", "", nil // e.g. the current password from a secrets store; empty: no AUTH
	}
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{KeepAlive: 15 * time.Second}
		return d.DialContext(ctx, network, addr)
	}
	opts.OnConnect = func(ctx context.Context, cn *fastredis.Conn) error {
		return cn.ClientSetName(ctx, "worker-1")
	}
	client, err := fastredis.NewClient(opts)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	name, err := client.ClientGetName(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)
	// Output: worker-1
}
