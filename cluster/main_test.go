package cluster

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

var bg = context.Background()

// The tests that only read and write keys of their own share one cluster of
// three masters with a replica each; tests that fail nodes over, kill them
// or move slots start their own.
var (
	sharedOnce sync.Once
	sharedC    *redistest.Cluster
	sharedErr  error
)

func sharedCluster(t testing.TB) *redistest.Cluster {
	t.Helper()
	sharedOnce.Do(func() {
		sharedC, sharedErr = redistest.NewCluster(redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedC
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedC != nil {
		sharedC.Close()
	}
	os.Exit(code)
}

// newTestClient connects to rc and closes the client when the test ends.
func newTestClient(t testing.TB, rc *redistest.Cluster, opts Options) *Client {
	t.Helper()
	if len(opts.Addrs) == 0 {
		opts.Addrs = rc.Addrs()
	}
	if opts.NodeOptions.DialTimeout == 0 {
		opts.NodeOptions.DialTimeout = 2 * time.Second
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// nodeClient is a plain client for one node, for checking where data is.
func nodeClient(t testing.TB, addr string) *fastredis.Client {
	t.Helper()
	c, err := fastredis.NewClient(fastredis.Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exampleSeeds starts the shared cluster for the examples, which cannot
// take a testing.TB.
func exampleSeeds() []string {
	sharedOnce.Do(func() {
		sharedC, sharedErr = redistest.NewCluster(redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1})
	})
	if sharedErr != nil {
		panic(sharedErr)
	}
	return sharedC.Addrs()
}

// allocsPerRun is testing.AllocsPerRun, taking the least of three
// measurements: it counts every goroutine's allocations, and the clients
// and connections that earlier tests closed may still be winding down (a
// reader reporting its connection's end, a node client's last refresh)
// during the first. The code measured has to show the count in one of
// them, whole.
func allocsPerRun(runs int, f func()) float64 {
	least := testing.AllocsPerRun(runs, f)
	for i := 0; i < 2 && least > 0; i++ {
		least = min(least, testing.AllocsPerRun(runs, f))
	}
	return least
}
