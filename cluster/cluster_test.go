package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// Slot agrees with CLUSTER KEYSLOT for random keys, keys with hash tags and
// the edge cases of hash tags.
func TestSlotMatchesServer(t *testing.T) {
	rc := sharedCluster(t)
	node := nodeClient(t, rc.Addrs()[0])
	keys := []string{"", "foo", "{", "}", "{}", "{}x", "a{}b", "{{a}}", "a{b}c{d}", "{user1000}.following", "x{y", "\x00\xff{\x01}"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		b := make([]byte, rnd.IntN(24))
		for j := range b {
			b[j] = byte(rnd.IntN(256))
			if rnd.IntN(8) == 0 {
				b[j] = "{}"[rnd.IntN(2)]
			}
		}
		keys = append(keys, string(b))
	}
	p := node.Pipeline()
	futs := make([]fastredis.Future[int64], len(keys))
	for i, k := range keys {
		futs[i] = p.ClusterKeySlot(k)
	}
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, k := range keys {
		want, err := futs[i].Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := Slot(k); int64(got) != want {
			bad++
			if bad < 5 {
				t.Errorf("Slot(%q) = %d, CLUSTER KEYSLOT says %d", k, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d keys hash to another slot than the server's", bad, len(keys))
	}
}

// Every key lands on the master that serves its slot, as the servers
// themselves report it.
func TestRoutesToTheSlotsMaster(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	owners := map[string]*fastredis.Client{}
	for i := 0; i < 600; i++ {
		k := "route:" + strconv.Itoa(i)
		if err := c.Set(bg, k, i); err != nil {
			t.Fatal(err)
		}
		owner := rc.SlotOwner(Slot(k)).Addr
		if owners[owner] == nil {
			owners[owner] = nodeClient(t, owner)
		}
		// A plain client: MOVED would be an error here.
		v, err := owners[owner].Get(bg, k)
		if err != nil || v != strconv.Itoa(i) {
			t.Fatalf("GET %s on %s (its slot's master) = %q, %v", k, owner, v, err)
		}
	}
	if len(owners) != 3 {
		t.Errorf("600 keys landed on %d masters, want 3", len(owners))
	}
}

func TestCommands(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	check("SET", c.Set(bg, "cmd:a", "1"))
	n, err := c.Incr(bg, "cmd:a")
	if err != nil || n != 2 {
		t.Fatalf("INCR = %d, %v", n, err)
	}
	// Keys in three slots: split per slot, merged in order.
	check("MSET", c.MSet(bg, "cmd:x", "X", "cmd:y", "Y", "cmd:z", "Z", "{cmd:x}2", "X2"))
	got, err := c.MGet(bg, "cmd:z", "cmd:missing", "cmd:x", "{cmd:x}2", "cmd:y")
	want := []fastredis.NullString{{Value: "Z", Valid: true}, {}, {Value: "X", Valid: true}, {Value: "X2", Valid: true}, {Value: "Y", Valid: true}}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("MGET across slots = %v, %v; want %v", got, err, want)
	}
	if n, err := c.Exists(bg, "cmd:x", "cmd:y", "cmd:missing", "cmd:x"); err != nil || n != 3 {
		t.Fatalf("EXISTS across slots = %d, %v", n, err)
	}
	if n, err := c.Del(bg, "cmd:x", "cmd:y", "cmd:z", "{cmd:x}2", "cmd:missing"); err != nil || n != 4 {
		t.Fatalf("DEL across slots = %d, %v", n, err)
	}
	// One slot by hash tag: multi-key commands work as on one server.
	check("RPUSH", func() error { _, err := c.RPush(bg, "{q}:in", "a", "b"); return err }())
	if v, err := c.LMove(bg, "{q}:in", "{q}:out", fastredis.Left, fastredis.Right); err != nil || v != "a" {
		t.Fatalf("LMOVE in one slot = %q, %v", v, err)
	}
	// Keys in two slots, a command that cannot be split: refused unsent.
	if _, err := c.RPopLPush(bg, "cmd:list1", "cmd:list2"); !errors.Is(err, ErrCrossSlot) {
		t.Fatalf("RPOPLPUSH across slots: %v, want ErrCrossSlot", err)
	}
	// Do and Cmd are routed too.
	if r, err := c.Do(bg, "GET", "cmd:a"); err != nil || r.Str != "2" {
		t.Fatalf("Do GET = %+v, %v", r, err)
	}
	var cmd fastredis.Cmd
	if err := c.Exec(bg, cmd.Reset("GET").Key("cmd:a")); err != nil || cmd.Reply().String() != "2" {
		t.Fatalf("Exec GET = %q, %v", cmd.Reply().String(), err)
	}
	// Scripts: keys of one slot.
	r, err := c.Eval(bg, "return redis.call('INCRBY', KEYS[1], ARGV[1])", []string{"cmd:a"}, 40)
	if err != nil || r.Int != 42 {
		t.Fatalf("EVAL = %+v, %v", r, err)
	}
	// Blocking commands run on the node's dedicated connections.
	start := time.Now()
	if _, err := c.BLPop(bg, []string{"cmd:empty"}, 100*time.Millisecond); !errors.Is(err, fastredis.Nil) {
		t.Fatalf("BLPOP timeout: %v", err)
	}
	if time.Since(start) < 90*time.Millisecond {
		t.Error("BLPOP returned before its timeout")
	}
	// A server error is the command's result, not a redirection.
	if _, err := c.LPush(bg, "cmd:a", "x"); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("LPUSH on a string: %v", err)
	}
	// SCAN has a cursor per node.
	if _, err := c.Scan(bg, 0); err == nil || !strings.Contains(err.Error(), "ForEachNode") {
		t.Fatalf("SCAN: %v", err)
	}
}

// Commands the specs fan out go to every master (or node), their replies
// merged as the response policy says.
func TestFanOut(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	for i := 0; i < 30; i++ {
		if err := c.Set(bg, "fan:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := c.Keys(bg, "fan:*") // every master's keys, concatenated
	if err != nil || len(keys) != 30 {
		t.Fatalf("KEYS = %d keys, %v", len(keys), err)
	}
	var total int64
	for _, m := range rc.Masters() {
		n, err := nodeClient(t, m.Addr).DBSize(bg)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if n, err := c.DBSize(bg); err != nil || n != total {
		t.Fatalf("DBSIZE = %d, %v; the masters hold %d", n, err, total)
	}
	sha, err := c.ScriptLoad(bg, "return 'fanned'") // every node
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rc.Nodes() {
		ok, err := nodeClient(t, n.Addr).ScriptExists(bg, sha)
		if err != nil || !ok[0] {
			t.Fatalf("SCRIPT EXISTS on %s after a cluster SCRIPT LOAD: %v, %v", n.Addr, ok, err)
		}
	}
	if ok, err := c.ScriptExists(bg, sha, "0000000000000000000000000000000000000000"); err != nil || !ok[0] || ok[1] {
		t.Fatalf("SCRIPT EXISTS (AND of the masters) = %v, %v", ok, err)
	}
	if s, err := c.Ping(bg); err != nil || s != "PONG" {
		t.Fatalf("PING = %q, %v", s, err)
	}
	info, err := c.Info(bg, "server")
	if err != nil || strings.Count(info, "# node ") != 3 {
		t.Fatalf("INFO: %d node sections, %v", strings.Count(info, "# node "), err)
	}
	if k, err := c.RandomKey(bg); err != nil || k == "" {
		t.Fatalf("RANDOMKEY = %q, %v", k, err)
	}
}

func TestNodesAndForEach(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	if n := len(c.Nodes(Masters)); n != 3 {
		t.Fatalf("Nodes(Masters) = %d", n)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	err := c.ForEachNode(bg, Masters, func(ctx context.Context, n *fastredis.Client) error {
		id, err := n.ClusterMyID(ctx)
		mu.Lock()
		seen[id] = true
		mu.Unlock()
		return err
	})
	if err != nil || len(seen) != 3 {
		t.Fatalf("ForEachNode(Masters): %d nodes, %v", len(seen), err)
	}
}

// Reads go to replicas when asked to, over connections that sent READONLY.
func TestScaleReads(t *testing.T) {
	rc := sharedCluster(t)
	w := newTestClient(t, rc, Options{})
	if err := w.Set(bg, "scale:k", "v"); err != nil {
		t.Fatal(err)
	}
	replica := map[string]bool{}
	for _, n := range rc.Replicas() {
		replica[n.Addr] = true
	}
	var picked []string
	r := newTestClient(t, rc, Options{ScaleReads: ReadCustom, ReadFunc: func(slot int, nodes []NodeInfo) int {
		picked = append(picked, nodes[len(nodes)-1].Addr)
		return len(nodes) - 1
	}})
	// A replica may not have the write yet: WAIT on the master first.
	if _, err := nodeClient(t, rc.SlotOwner(Slot("scale:k")).Addr).Wait(bg, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if len(r.Topology()[0]) < 2 {
		t.Skip("the replicas are not in CLUSTER SHARDS yet")
	}
	if v, err := r.Get(bg, "scale:k"); err != nil || v != "v" {
		t.Fatalf("GET from a replica = %q, %v", v, err)
	}
	if len(picked) != 1 || !replica[picked[0]] {
		t.Fatalf("ReadFunc picked %v, want one replica", picked)
	}
	// Writes still go to masters.
	if err := r.Set(bg, "scale:k", "w"); err != nil {
		t.Fatal(err)
	}
	if len(picked) != 1 {
		t.Errorf("a write consulted ReadFunc")
	}
}

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

// The routed hot path allocates nothing: typed methods into caller
// buffers, integer replies, and a reused Cmd.
func TestRoutedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	value := []byte(strings.Repeat("v", 32))
	dst := make([]byte, 0, 64)
	var cmd fastredis.Cmd
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"SET", func() error { return c.Set(bg, "alloc:k", value) }},
		{"GetAppend", func() error { var err error; dst, err = c.GetAppend(bg, dst[:0], "alloc:k"); return err }},
		{"INCR", func() error { _, err := c.Incr(bg, "alloc:n"); return err }},
		{"Cmd", func() error { return c.Exec(bg, cmd.Reset("GET").Key("alloc:k")) }},
	} {
		if err := tc.fn(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a := allocsPerRun(200, func() { _ = tc.fn() }); a != 0 {
			t.Errorf("%s: %v allocs per call, want 0", tc.name, a)
		}
	}
}

var _ = redistest.ClusterOptions{}

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

// ScanIter walks every master.
func TestScanIter(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	want := map[string]bool{}
	for i := 0; i < 2000; i++ {
		k := "scan:" + strconv.Itoa(i)
		want[k] = true
		if err := c.Set(bg, k, i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for k, err := range c.ScanIter(bg, fastredis.ScanOptions{Match: "scan:*", Count: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	for k := range want {
		if !seen[k] {
			t.Fatalf("ScanIter missed %s (saw %d of %d)", k, len(seen), len(want))
		}
	}
	n := 0
	for range c.ScanIter(bg, fastredis.ScanOptions{Match: "scan:*"}) {
		if n++; n == 10 {
			break // stops cleanly
		}
	}
}

// A pipeline over every slot: grouped per node, every Future in order.
func TestPipeline(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	p := c.Pipeline()
	const n = 1000
	sets := make([]fastredis.Future[fastredis.OK], n)
	gets := make([]fastredis.Future[string], n)
	for i := 0; i < n; i++ {
		k := "pipe:" + strconv.Itoa(i)
		sets[i] = p.Set(k, i)
		gets[i] = p.Get(k)
	}
	incr := p.Incr("pipe:0") // a string that is a number
	bad := p.LPush("pipe:1", "x")
	mget := p.MGet("pipe:1", "pipe:2", "pipe:3") // across slots: split
	dbsize := p.DBSize()                         // fans out
	cross := p.RPopLPush("pipe:1", "pipe:2")     // cannot be split
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := sets[i].Result(); err != nil {
			t.Fatalf("SET %d: %v", i, err)
		}
		if v, err := gets[i].Result(); err != nil || v != strconv.Itoa(i) {
			t.Fatalf("GET %d = %q, %v", i, v, err)
		}
	}
	if v, err := incr.Result(); err != nil || v != 1 {
		t.Errorf("INCR = %d, %v", v, err)
	}
	if _, err := bad.Result(); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Errorf("LPUSH on a string: %v", err)
	}
	if v, err := mget.Result(); err != nil || len(v) != 3 || v[0].Value != "1" || v[2].Value != "3" {
		t.Errorf("MGET across slots in a pipeline = %v, %v", v, err)
	}
	if v, err := dbsize.Result(); err != nil || v < n {
		t.Errorf("DBSIZE in a pipeline = %d, %v", v, err)
	}
	if _, err := cross.Result(); !errors.Is(err, ErrCrossSlot) {
		t.Errorf("RPOPLPUSH across slots in a pipeline: %v", err)
	}
	// Reused.
	p.Reset()
	f := p.Get("pipe:5")
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(); err != nil || v != "5" {
		t.Errorf("reused pipeline: %q, %v", v, err)
	}
}

// A reused pipeline over every slot allocates nothing.
// Multi ... EndMulti inside a plain pipeline: the commands around it run
// as usual; the transaction runs as one unit on its slot's master; one
// whose keys span slots fails alone, before anything is sent.
func TestPipelineWithTransactions(t *testing.T) {
	c := newTestClient(t, sharedCluster(t), Options{})
	for _, k := range []string{"{pm}:a", "{pm}:b", "pm:x", "pm:y", "{other}:z"} {
		if _, err := c.Del(bg, k); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Pipeline()
	x := p.Set("pm:x", "before")
	multi := p.Multi()
	a := p.Incr("{pm}:a")
	b := p.IncrBy("{pm}:b", 5)
	getA := p.Get("{pm}:a")
	exec := p.EndMulti()
	y := p.Get("pm:x")
	p.Multi()
	crossA := p.Incr("{pm}:a")
	crossZ := p.Incr("{other}:z")
	crossExec := p.EndMulti()
	p.Multi()
	second := p.Incr("{pm}:b")
	secondExec := p.EndMulti()
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Result(); err != nil {
		t.Errorf("SET before the transaction: %v", err)
	}
	if _, err := multi.Result(); err != nil {
		t.Errorf("MULTI: %v", err)
	}
	if _, err := exec.Result(); err != nil {
		t.Errorf("EXEC: %v", err)
	}
	if v, err := a.Result(); err != nil || v != 1 {
		t.Errorf("INCR in the transaction = %d, %v", v, err)
	}
	if v, err := b.Result(); err != nil || v != 5 {
		t.Errorf("INCRBY in the transaction = %d, %v", v, err)
	}
	if v, err := getA.Result(); err != nil || v != "1" {
		t.Errorf("GET in the transaction = %q, %v", v, err)
	}
	if v, err := y.Result(); err != nil || v != "before" {
		t.Errorf("GET after the transaction = %q, %v", v, err)
	}
	for name, f := range map[string]interface{ Err() error }{"INCR {pm}:a": crossA, "INCR {other}:z": crossZ, "EXEC": crossExec} {
		if err := f.Err(); !errors.Is(err, fastredis.ErrCrossSlotTx) {
			t.Errorf("%s in a transaction across slots: %v, want ErrCrossSlotTx", name, err)
		}
	}
	if n, _ := c.Exists(bg, "{other}:z"); n != 0 {
		t.Error("the transaction across slots ran")
	}
	if v, err := second.Result(); err != nil || v != 6 {
		t.Errorf("INCR in the transaction after the refused one = %d, %v", v, err)
	}
	if _, err := secondExec.Result(); err != nil {
		t.Errorf("EXEC of the transaction after the refused one: %v", err)
	}
	// Run again: the same commands, new results.
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Result(); err != nil || v != 2 {
		t.Errorf("INCR in the transaction, second Exec = %d, %v", v, err)
	}
}

func TestPipelineAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "pa:" + strconv.Itoa(i)
		if err := c.Set(bg, keys[i], i); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Pipeline()
	dst := make([][]byte, len(keys))
	futs := make([]fastredis.Future[[]byte], 0, len(keys))
	run := func() {
		p.Reset()
		futs = futs[:0]
		for i, k := range keys {
			futs = append(futs, p.GetAppend(dst[i][:0], k))
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		for i, f := range futs {
			dst[i], _ = f.Result()
		}
	}
	run()
	if a := allocsPerRun(50, run); a != 0 {
		t.Errorf("a reused pipeline of 100 GETs over every slot: %v allocs per Exec, want 0", a)
	}
}

// A transaction reused allocates nothing; an MGET split over 100 slots
// allocates only its result (the slice and one string its values share).
func TestTxAndSplitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	c := newTestClient(t, sharedCluster(t), Options{})
	tx := c.TxPipeline()
	multi := func() {
		tx.Reset()
		for range 10 {
			tx.Incr("{ta}:n")
		}
		if err := tx.Exec(bg); err != nil {
			t.Fatal(err)
		}
	}
	multi()
	if a := allocsPerRun(50, multi); a != 0 {
		t.Errorf("a reused MULTI/EXEC of 10 INCRs: %v allocs per Exec, want 0", a)
	}
	keys := make([]string, 100)
	slots := map[int]bool{}
	for i := range keys {
		keys[i] = "ta:" + strconv.Itoa(i*7919)
		slots[Slot(keys[i])] = true
	}
	if len(slots) < 90 {
		t.Fatalf("the keys are in %d slots only", len(slots))
	}
	mget := func() {
		if _, err := c.MGet(bg, keys...); err != nil {
			t.Fatal(err)
		}
	}
	mget()
	if a := allocsPerRun(50, mget); a > 2 {
		t.Errorf("MGET of 100 keys in %d slots: %v allocs, want 2 (the result)", len(slots), a)
	}
}

// WATCH lends a connection on the watched keys' master; a conflict aborts
// the transaction as on one server; keys in two slots are refused.
func TestWatch(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	if err := c.Set(bg, "{w}:n", 1); err != nil {
		t.Fatal(err)
	}
	err := c.Watch(bg, func(tx *fastredis.Tx) error {
		n, err := tx.Get(bg, "{w}:n")
		if err != nil {
			return err
		}
		v, _ := strconv.Atoi(n)
		p := tx.TxPipeline()
		p.Set("{w}:n", v+1)
		return p.Exec(bg)
	}, "{w}:n")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(bg, "{w}:n"); v != "2" {
		t.Fatalf("after a watched increment: %q", v)
	}
	// A change between WATCH and EXEC aborts the transaction.
	err = c.Watch(bg, func(tx *fastredis.Tx) error {
		if err := c.Set(bg, "{w}:n", 100); err != nil { // another client's write
			return err
		}
		p := tx.TxPipeline()
		p.Set("{w}:n", 3)
		return p.Exec(bg)
	}, "{w}:n")
	if !errors.Is(err, fastredis.ErrTxFailed) {
		t.Fatalf("a watched key changed: %v, want ErrTxFailed", err)
	}
	if err := c.Watch(bg, func(*fastredis.Tx) error { return nil }, "{w}:n", "other"); !errors.Is(err, fastredis.ErrCrossSlotTx) {
		t.Fatalf("watching keys in two slots: %v", err)
	}
}

// MONITOR on a cluster watches every master.
func TestMonitor(t *testing.T) {
	rc := sharedCluster(t)
	c := newTestClient(t, rc, Options{})
	m, err := c.Monitor(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want := map[string]bool{}
	for i := 0; i < 30; i++ {
		k := "mon:" + strconv.Itoa(i)
		if err := c.Set(bg, k, i); err != nil {
			t.Fatal(err)
		}
		want[k] = true
	}
	nodes := map[string]bool{}
	for len(want) > 0 {
		select {
		case ev := <-m.Events():
			if len(ev.Args) == 3 && strings.EqualFold(ev.Args[0], "set") {
				if want[ev.Args[1]] {
					delete(want, ev.Args[1])
					nodes[ev.Node] = true
				}
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("MONITOR missed %d SETs", len(want))
		}
	}
	if len(nodes) != 3 {
		t.Errorf("events from %d masters, want 3", len(nodes))
	}
}
