package redistest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests that only read share one cluster of three masters with a
// replica each, started by the first of them and stopped by TestMain.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
	took    time.Duration
}

func sharedCluster(t *testing.T) *Cluster {
	t.Helper()
	shared.once.Do(func() {
		start := time.Now()
		shared.cluster, shared.err = NewCluster(ClusterOptions{ReplicasPerMaster: 1})
		shared.took = time.Since(start)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cluster
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		shared.cluster.Close()
	}
	os.Exit(code)
}

var nodeIDPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestClusterTopology(t *testing.T) {
	c := sharedCluster(t)
	t.Logf("3 masters + 3 replicas ready in %v", shared.took)
	nodes := c.Nodes()
	if len(nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(nodes))
	}
	if got, want := c.Masters(), nodes[:3]; !slices.Equal(got, want) {
		t.Errorf("Masters() = %v, want %v", got, want)
	}
	if got, want := c.Replicas(), nodes[3:]; !slices.Equal(got, want) {
		t.Errorf("Replicas() = %v, want %v", got, want)
	}
	ids := map[string]bool{}
	for _, n := range nodes {
		if !nodeIDPattern.MatchString(n.ID()) || ids[n.ID()] {
			t.Errorf("node %s: ID() = %q: not a fresh node id", n.Addr, n.ID())
		}
		ids[n.ID()] = true
		if c.Node(n.Addr) != n {
			t.Errorf("Node(%q) = %v", n.Addr, c.Node(n.Addr))
		}
		if n.Hostname() != "" {
			t.Errorf("node %s: Hostname() = %q without AnnounceHostnames", n.Addr, n.Hostname())
		}
	}
	if c.Node("127.0.0.1:1") != nil {
		t.Error("Node of an unknown address is not nil")
	}

	shards := c.Shards()
	wantSlots := [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}
	if len(shards) != 3 {
		t.Fatalf("Shards() = %v, want 3", shards)
	}
	for i, s := range shards {
		if s.Master != nodes[i] || !slices.Equal(s.Replicas, []*ClusterNode{nodes[3+i]}) ||
			len(s.Slots) != 1 || s.Slots[0] != wantSlots[i] {
			t.Errorf("shard %d: %v %v %v, want %v %v %v", i, s.Slots, s.Master, s.Replicas, wantSlots[i:i+1], nodes[i], nodes[3+i])
		}
		if c.SlotOwner(s.Slots[0][0]) != nodes[i] || c.SlotOwner(s.Slots[0][1]) != nodes[i] {
			t.Errorf("SlotOwner(%d) = %v, want %v", s.Slots[0][0], c.SlotOwner(s.Slots[0][0]), nodes[i])
		}
	}

	// Every node lists every replica in CLUSTER SLOTS: Redis 7.0 leaves
	// out replicas that have replicated nothing yet.
	for _, n := range nodes {
		slots := dial(t, "tcp", n.Addr).must(t, "CLUSTER", "SLOTS").([]any)
		if len(slots) != 3 {
			t.Fatalf("CLUSTER SLOTS on %s: %v", n.Addr, slots)
		}
		for _, r := range slots {
			r := r.([]any)
			i := slices.Index(wantSlots, [2]int{int(r[0].(int64)), int(r[1].(int64))})
			if i < 0 || len(r) != 4 || fmt.Sprint(r[2].([]any)[1]) != strconv.Itoa(nodes[i].Port) ||
				fmt.Sprint(r[3].([]any)[1]) != strconv.Itoa(nodes[3+i].Port) {
				t.Errorf("CLUSTER SLOTS on %s: range %v", n.Addr, r)
			}
		}
	}

	// A key on the wrong node is MOVED to its master.
	key := "foo"
	owner := c.SlotOwner(c.KeySlot(key))
	other := nodes[(slices.Index(nodes, owner)+1)%3]
	want := fmt.Sprintf("MOVED %d %s", KeySlot(key), owner.Addr)
	dial(t, "tcp", other.Addr).wantReply(t, nil, want, "GET", key)

	if u, err := url.Parse(c.URL()); err != nil || u.Host != nodes[0].Addr || len(u.Query()["addr"]) != 5 {
		t.Errorf("URL() = %q", c.URL())
	}
	if c.TLSURL() != "" || c.ClientTLSConfig() != nil || c.TLSAddrs() != nil {
		t.Error("TLS addresses or config without ClusterOptions.TLS")
	}
	if shared.took > 3*time.Second {
		t.Logf("slow: the cluster took %v to be ready (target: 3s)", shared.took)
	}
}

func TestKeySlot(t *testing.T) {
	c := sharedCluster(t)
	cl := dial(t, "tcp", c.Addrs()[0])
	for _, key := range []string{"", "foo", "123456789", "{user1000}.following", "{}x", "a{}b{c}", "{{x}}", "{x", "x}", "ключ"} {
		if got, want := KeySlot(key), cl.must(t, "CLUSTER", "KEYSLOT", key); int64(got) != want {
			t.Errorf("KeySlot(%q) = %d, CLUSTER KEYSLOT says %d", key, got, want)
		}
	}
	if KeySlot("foo") != 12182 || KeySlot("123456789") != 0x31c3 {
		t.Errorf("KeySlot: foo %d, 123456789 %d", KeySlot("foo"), KeySlot("123456789"))
	}
}

func TestSlotTag(t *testing.T) {
	// Every slot has a short decimal tag, so SlotTag always ends.
	seen := make([]bool, ClusterSlots)
	left, i := ClusterSlots, 0
	for ; left > 0 && i < 1e7; i++ {
		if s := crc16(strconv.Itoa(i)) % ClusterSlots; !seen[s] {
			seen[s] = true
			left--
		}
	}
	if left > 0 {
		t.Fatalf("%d slots have no decimal tag below %d", left, i)
	}
	for _, slot := range []int{0, 1, 12182, ClusterSlots - 1} {
		if tag := SlotTag(slot); KeySlot(tag+"x") != slot || KeySlot(tag) != slot {
			t.Errorf("SlotTag(%d) = %q, whose slot is %d", slot, tag, KeySlot(tag))
		}
	}
	if SlotTag(-1) != "" || SlotTag(ClusterSlots) != "" {
		t.Error("SlotTag of an invalid slot is not empty")
	}
}

// TestClusterFailover swaps a master and its replica by hand, then crashes
// a master, sees its replica take over and the old master rejoin as a
// replica.
func TestClusterFailover(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{ReplicasPerMaster: 1})
	nodes := c.Nodes()

	start := time.Now()
	nodes[3].Failover(t)
	t.Logf("manual failover took %v", time.Since(start))
	if nodes[3].Role() != "master" || nodes[0].Role() != "replica" {
		t.Fatalf("after Failover: new master %s, old master %s", nodes[3].Role(), nodes[0].Role())
	}
	if c.SlotOwner(0) != nodes[3] {
		t.Errorf("SlotOwner(0) = %v, want %v", c.SlotOwner(0), nodes[3])
	}
	if s := c.Shards()[0]; s.Master != nodes[3] || !slices.Equal(s.Replicas, []*ClusterNode{nodes[0]}) {
		t.Errorf("shard 0 after Failover: master %v, replicas %v", s.Master, s.Replicas)
	}

	// A crash: the replica takes over once the others mark the master failed.
	master, replica := nodes[1], nodes[4]
	slot := c.Shards()[1].Slots[0][0]
	start = time.Now()
	master.Kill()
	c.WaitHealthy(t)
	t.Logf("crash failover took %v", time.Since(start))
	if replica.Role() != "master" || c.SlotOwner(slot) != replica {
		t.Fatalf("after the crash: %s is %s, slot %d on %v", replica.Addr, replica.Role(), slot, c.SlotOwner(slot))
	}
	if !slices.Contains(c.Masters(), replica) || slices.Contains(c.Masters(), master) || slices.Contains(c.Replicas(), master) {
		t.Errorf("after the crash: Masters() = %v, Replicas() = %v", c.Masters(), c.Replicas())
	}

	start = time.Now()
	master.Restart(t)
	c.WaitHealthy(t)
	t.Logf("the old master rejoined in %v", time.Since(start))
	if master.Role() != "replica" {
		t.Errorf("restarted old master is a %s, want replica", master.Role())
	}
	if s := c.Shards()[1]; s.Master != replica || !slices.Equal(s.Replicas, []*ClusterNode{master}) {
		t.Errorf("shard 1 after the restart: master %v, replicas %v", s.Master, s.Replicas)
	}

	// Failover refuses a master.
	err := replica.failover(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "not a replica") {
		t.Errorf("Failover of a master: %v", err)
	}
}

// TestClusterMigration stops a migration half-way to see ASK and TRYAGAIN,
// then finishes it to see MOVED.
func TestClusterMigration(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{})
	const slot = 12182 // "foo"
	a, b, absent := SlotTag(slot)+"a", SlotTag(slot)+"b", SlotTag(slot)+"absent"
	src := c.SlotOwner(slot)
	dst := c.Masters()[0]
	if src == nil || src == dst {
		t.Fatalf("slot %d on %v, which should not be the first master %v", slot, src, dst)
	}
	srcConn, dstConn := dial(t, "tcp", src.Addr), dial(t, "tcp", dst.Addr)
	srcConn.must(t, "SET", a, "1")
	srcConn.must(t, "SET", b, "2")

	m := c.BeginMigration(t, slot, dst)
	if m.From != src || m.To != dst || m.Slot != slot {
		t.Errorf("migration %d from %v to %v", m.Slot, m.From, m.To)
	}
	ask := fmt.Sprintf("ASK %d %s", slot, dst.Addr)
	srcConn.wantReply(t, nil, ask, "GET", absent)
	srcConn.wantReply(t, "1", "", "GET", a)
	if n := m.MoveKeys(t, 1); n != 1 {
		t.Fatalf("MoveKeys(1) moved %d keys", n)
	}
	movedKey, stayed := a, b
	if v, _ := srcConn.do("EXISTS", a); v == int64(1) {
		movedKey, stayed = b, a
	}
	srcConn.wantReply(t, nil, ask, "GET", movedKey)
	srcConn.wantReply(t, nil, "TRYAGAIN", "MGET", a, b)
	dstConn.must(t, "ASKING")
	dstConn.wantReply(t, nil, "TRYAGAIN", "MGET", a, b)
	dstConn.must(t, "ASKING")
	if v := dstConn.must(t, "EXISTS", movedKey); v != int64(1) {
		t.Errorf("after MoveKeys, %s is not on the target", movedKey)
	}
	if c.SlotOwner(slot) != src {
		t.Errorf("SlotOwner(%d) half-way = %v, want %v", slot, c.SlotOwner(slot), src)
	}

	m.Finish(t)
	moved := fmt.Sprintf("MOVED %d %s", slot, dst.Addr)
	srcConn.wantReply(t, nil, moved, "GET", stayed)
	dstConn.wantReply(t, []any{"1", "2"}, "", "MGET", a, b)
	for _, n := range c.Nodes() {
		if v, err := n.view(t.Context()); err != nil || v.owner(slot) != dst.id {
			t.Errorf("%s: slot %d owner %q (%v), want %s", n.Addr, slot, v.owner(slot), err, dst.id)
		}
	}

	// And back in one step.
	c.MigrateSlot(t, slot, src)
	dstConn.wantReply(t, nil, fmt.Sprintf("MOVED %d %s", slot, src.Addr), "GET", a)
	srcConn.wantReply(t, []any{"1", "2"}, "", "MGET", a, b)

	// A migration to the owner itself is refused.
	if _, err := c.beginMigration(t.Context(), slot, src); err == nil {
		t.Error("BeginMigration to the owner: no error")
	}
}

func TestClusterPassword(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{Masters: 1, ReplicasPerMaster: 1, Password: "s3cret",
		Users: []User{{Name: "alice", Password: "wonder"}}})
	for _, n := range c.Nodes() {
		cl := dial(t, "tcp", n.Addr)
		cl.wantReply(t, nil, "NOAUTH", "CLUSTER", "INFO")
		cl.wantReply(t, "OK", "", "AUTH", "s3cret")
		cl.wantReply(t, "PONG", "", "PING")
		cl.wantReply(t, "OK", "", "AUTH", "alice", "wonder")
	}
	if r := c.Nodes()[1].Role(); r != "replica" {
		t.Errorf("second node is %q, want replica (masterauth)", r)
	}
	if u, _ := url.Parse(c.URL()); u == nil || u.User.String() != ":s3cret" {
		t.Errorf("URL() = %q", c.URL())
	}
}

func TestClusterAnnounceHostnames(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{Masters: 2, AnnounceHostnames: true})
	for _, n := range c.Nodes() {
		if want := "node" + strconv.Itoa(n.Port) + ".redis.test"; n.Hostname() != want {
			t.Errorf("Hostname() = %q, want %q", n.Hostname(), want)
		}
		if hp := n.Hostname() + ":" + strconv.Itoa(n.Port); c.Node(hp) != n {
			t.Errorf("Node(%q) = %v", hp, c.Node(hp))
		}
	}
	cl := dial(t, "tcp", c.Addrs()[0])
	for _, r := range cl.must(t, "CLUSTER", "SLOTS").([]any) {
		master := r.([]any)[2].([]any)
		n := c.SlotOwner(int(r.([]any)[0].(int64)))
		if master[0] != n.Hostname() || master[1] != int64(n.Port) {
			t.Errorf("CLUSTER SLOTS names %v, want %s:%d", master[:2], n.Hostname(), n.Port)
		}
	}
	key := "foo"
	owner := c.SlotOwner(KeySlot(key))
	other := c.Nodes()[0]
	if other == owner {
		other = c.Nodes()[1]
	}
	dial(t, "tcp", other.Addr).wantReply(t, nil, fmt.Sprintf("MOVED %d %s:%d", KeySlot(key), owner.Hostname(), owner.Port), "GET", key)
}

func TestClusterTLS(t *testing.T) {
	t.Parallel()
	c, err := NewCluster(ClusterOptions{Masters: 2, ReplicasPerMaster: 1, TLS: true})
	if err != nil && strings.Contains(err.Error(), "built with TLS support") {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.TLSAddrs()) != 4 || c.ClientTLSConfig() == nil {
		t.Fatalf("TLSAddrs() = %v", c.TLSAddrs())
	}
	if u, _ := url.Parse(c.TLSURL()); u == nil || u.Scheme != "rediss" || u.Host != c.TLSAddrs()[0] {
		t.Errorf("TLSURL() = %q", c.TLSURL())
	}
	n := c.Nodes()[1]
	cl, err := dialTLS(t, n.TLSAddr, c.ClientTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	// TLS clients are told TLS ports.
	slots := cl.must(t, "CLUSTER", "SLOTS").([]any)
	for _, r := range slots {
		r := r.([]any)
		owner := c.SlotOwner(int(r[0].(int64)))
		if port := r[2].([]any)[1]; port != int64(owner.TLSPort) {
			t.Errorf("CLUSTER SLOTS over TLS names port %v for %s, want %d", port, owner.Addr, owner.TLSPort)
		}
		if len(r) != 4 {
			t.Errorf("CLUSTER SLOTS over TLS: range %v has no replica", r)
		}
	}
	// MIGRATE between the nodes goes over TLS too.
	slot := KeySlot("foo")
	owner := c.SlotOwner(slot)
	to := c.Masters()[0]
	if to == owner {
		to = c.Masters()[1]
	}
	dial(t, "tcp", owner.Addr).must(t, "SET", "foo", "bar")
	c.MigrateSlot(t, slot, to)
	dial(t, "tcp", to.Addr).wantReply(t, "bar", "", "GET", "foo")
}

// A cluster that cannot start leaves no process behind and says why.
func TestClusterStartFailure(t *testing.T) {
	t.Parallel()
	_, err := NewCluster(ClusterOptions{Masters: 2, Config: []string{"no-such-directive yes"}})
	if err == nil || !strings.Contains(err.Error(), "no-such-directive") {
		t.Errorf("NewCluster with a bad directive: %v", err)
	}
	_, err = NewCluster(ClusterOptions{Binary: "/nonexistent/redis-server"})
	if !errors.Is(err, ErrNotInstalled) {
		t.Errorf("NewCluster without a binary: %v", err)
	}
	_, err = NewCluster(ClusterOptions{Masters: -1})
	if err == nil {
		t.Error("NewCluster with -1 masters: no error")
	}
}

// A cluster that fails half-way, its nodes running, stops them all.
func TestClusterStartTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := newCluster(ClusterOptions{Masters: 2, ReplicasPerMaster: 1}, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// Too short for the 2 s that masters wait before the cluster is up.
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	err = c.start(ctx)
	if err == nil || !strings.Contains(err.Error(), "gave up waiting for") || !strings.Contains(err.Error(), "---- node 3") {
		t.Errorf("start with a short deadline: %.300v", err)
	}
	if pids := processesIn(t, dir); len(pids) != 4 {
		t.Errorf("%d processes running in %s before Close, want 4", len(pids), dir)
	}
	c.Close()
	if pids := processesIn(t, dir); len(pids) > 0 {
		t.Errorf("processes left running in %s: %v", dir, pids)
	}
}

// processesIn lists the processes whose working directory is in dir, on
// Linux (elsewhere it skips the test). Redis rewrites its command line, so
// that cannot be used.
func processesIn(t *testing.T, dir string) []string {
	t.Helper()
	cwds, err := filepath.Glob("/proc/[0-9]*/cwd")
	if err != nil || len(cwds) == 0 {
		t.Skip("no /proc to list processes in")
	}
	var pids []string
	for _, p := range cwds {
		cwd, err := os.Readlink(p)
		if err == nil && strings.HasPrefix(cwd, dir+string(filepath.Separator)) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}
