package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
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
