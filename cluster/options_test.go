package cluster

// Options, URLs, seeds, the universal constructor and Close.

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		msg  string
	}{
		{"no seeds", Options{}, "no seed addresses"},
		{"bad seed", Options{Addrs: []string{"localhost"}}, "seed address"},
		{"db", Options{Addrs: []string{"127.0.0.1:1"}, NodeOptions: fastredis.Options{DB: 2}}, "database 0"},
		{"custom reads without func", Options{Addrs: []string{"127.0.0.1:1"}, ScaleReads: ReadCustom}, "ReadFunc"},
	} {
		_, err := NewClient(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.msg)
		}
	}
}

// With every seed unreachable, the error names each and why it failed.
func TestSeedsUnreachable(t *testing.T) {
	var addrs []string
	for i := 0; i < 2; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		l.Close() // nothing listens there now
	}
	_, err := NewClient(Options{Addrs: addrs, NodeOptions: fastredis.Options{DialTimeout: time.Second}})
	if err == nil {
		t.Fatal("NewClient with no reachable seed succeeded")
	}
	for _, a := range addrs {
		if !strings.Contains(err.Error(), a) {
			t.Errorf("the error does not name %s: %v", a, err)
		}
	}
	if !strings.Contains(err.Error(), "refused") {
		t.Errorf("the error does not say why: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	o, err := ParseURL("redis://u:secret@10.0.0.1:7000?addr=10.0.0.2:7001&addr=10.0.0.3&dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(o.Addrs) != "[10.0.0.1:7000 10.0.0.2:7001 10.0.0.3:6379]" || o.NodeOptions.Password != "secret" ||
		o.NodeOptions.Username != "u" || o.NodeOptions.DialTimeout != 2*time.Second || o.NodeOptions.Addr != "" {
		t.Fatalf("ParseURL = %+v", o)
	}
	for _, bad := range []string{"redis://h:1/3", "redis://h:1?master_name=m", "http://h:1"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL error shows the password: %v", err)
		}
	}
}

// fastredis.NewUniversalClient makes a cluster client from several
// addresses once this package is linked in.
func TestUniversalClient(t *testing.T) {
	rc := sharedCluster(t)
	u, err := fastredis.NewUniversalClient(fastredis.UniversalOptions{Addrs: rc.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, ok := u.(*Client); !ok {
		t.Fatalf("NewUniversalClient with %d addresses made a %T", len(rc.Addrs()), u)
	}
	if err := u.Set(bg, "universal:k", "v"); err != nil {
		t.Fatal(err)
	}
	tx := u.TxPipeline()
	incr := tx.Incr("{universal}:n")
	if err := tx.Exec(bg); err != nil {
		t.Fatalf("a transaction through the UniversalClient: %v", err)
	}
	if n, err := incr.Result(); err != nil || n < 1 {
		t.Errorf("INCR in the transaction = %d, %v", n, err)
	}
}

// Close ends every goroutine the client started: the refresher and the
// nodes' connections.
func TestCloseLeaksNothing(t *testing.T) {
	rc := sharedCluster(t)
	// The transport's event loops are the process's, started by the first
	// connection: start them before counting.
	nodeClient(t, rc.Addrs()[0]).Ping(bg)
	before := runtime.NumGoroutine()
	var events sync.Map
	c, err := NewClient(Options{Addrs: rc.Addrs(), OnEvent: func(e Event) { events.Store(e.Type, e) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := c.Set(bg, "leak:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DBSize(bg); err != nil {
		t.Fatal(err)
	}
	if e, ok := events.Load(EventRefreshed); !ok || e.(Event).Reason != "startup" || e.(Event).Addr == "" {
		t.Errorf("no startup refresh event: %+v", e)
	}
	if _, ok := events.Load(EventNodeAdded); !ok {
		t.Error("no node-added events")
	}
	c.Close()
	if err := c.Set(bg, "leak:x", 1); !errors.Is(err, fastredis.ErrClosed) {
		t.Errorf("SET after Close: %v, want ErrClosed", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before the client:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // goroutines end on their own: polled
	}
}
