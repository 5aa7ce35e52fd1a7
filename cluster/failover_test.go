package cluster

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

// These tests each start a cluster of their own: they fail nodes over, kill
// them and move slots. Their figures (calls, errors, writes lost, recovery
// time) are logged; run with -v to see them.

// tagsOf returns hash tags whose slots the given master serves, and tags
// spread over every master.
func tagsFor(rc *redistest.Cluster, owner *redistest.ClusterNode, n int) []string {
	var out []string
	for i := 0; len(out) < n && i < 100000; i++ {
		tag := "t" + strconv.Itoa(i)
		if owner == nil || rc.SlotOwner(Slot(tag)).Addr == owner.Addr {
			out = append(out, tag)
		}
	}
	return out
}

func TestMovedAfterMigration(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3})
	var moved atomic.Int64
	c := newTestClient(t, rc, Options{OnEvent: func(e Event) {
		if e.Type == EventRedirected && e.Reason == "MOVED" {
			moved.Add(1)
		}
	}})
	const key = "{mig}:k"
	slot := Slot(key)
	if err := c.Set(bg, key, "v"); err != nil {
		t.Fatal(err)
	}
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
			break
		}
	}
	m := rc.BeginMigration(t, slot, to)
	m.MoveKeys(t, 0)
	m.Finish(t)
	// The client's map is stale: MOVED, followed at once and patched.
	if v, err := c.Get(bg, key); err != nil || v != "v" {
		t.Fatalf("GET after the slot moved = %q, %v", v, err)
	}
	if moved.Load() != 1 {
		t.Fatalf("%d MOVED redirections, want 1", moved.Load())
	}
	if v, err := c.Get(bg, key); err != nil || v != "v" {
		t.Fatalf("GET again = %q, %v", v, err)
	}
	if moved.Load() != 1 {
		t.Errorf("the slot was not patched: %d MOVED after the second GET", moved.Load())
	}
}

// Half-way through a migration: ASK for moved keys, TRYAGAIN for a
// multi-key command whose keys are split, retried until the migration ends.
func TestAskAndTryAgain(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 2})
	var asks atomic.Int64
	c := newTestClient(t, rc, Options{OnEvent: func(e Event) {
		if e.Type == EventRedirected && e.Reason == "ASK" {
			asks.Add(1)
		}
	}})
	keys := []string{"{ask}:1", "{ask}:2", "{ask}:3", "{ask}:4"}
	for _, k := range keys {
		if err := c.Set(bg, k, k); err != nil {
			t.Fatal(err)
		}
	}
	slot := Slot(keys[0])
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
		}
	}
	mig := rc.BeginMigration(t, slot, to)
	if n := mig.MoveKeys(t, 2); n != 2 {
		t.Fatalf("moved %d keys", n)
	}
	for _, k := range keys {
		if v, err := c.Get(bg, k); err != nil || v != k {
			t.Fatalf("GET %s mid-migration = %q, %v", k, v, err)
		}
	}
	if asks.Load() != 2 {
		t.Errorf("%d ASK redirections for 2 moved keys", asks.Load())
	}
	// MGET of keys on both sides: TRYAGAIN until the migration is done.
	done := make(chan error, 1)
	go func() {
		got, err := c.MGet(bg, keys...)
		if err == nil && (len(got) != 4 || got[0].Value != keys[0] || got[3].Value != keys[3]) {
			err = errors.New("wrong values")
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("MGET across a half-migrated slot returned before the migration ended: %v", err)
	case <-time.After(200 * time.Millisecond): // it keeps retrying TRYAGAIN
	}
	// Past the budget, the error says so and names the last redirection.
	short := newTestClient(t, rc, Options{MaxRedirects: 2})
	if _, err := short.MGet(bg, keys...); !errors.Is(err, ErrMaxRedirects) || !strings.Contains(err.Error(), "TRYAGAIN") {
		t.Errorf("MGET mid-migration with MaxRedirects 2: %v, want ErrMaxRedirects naming TRYAGAIN", err)
	}
	mig.Finish(t)
	if err := <-done; err != nil {
		t.Fatalf("MGET after the migration: %v", err)
	}
}

// Moving a slot whose keys are being written: no command fails, no
// acknowledged write is lost.
func TestReshardUnderLoad(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3})
	c := newTestClient(t, rc, Options{})
	hot := "t0"
	tags := append([]string{hot}, tagsFor(rc, nil, 8)...)
	l := startLoad(c, 64, tags)
	l.awaitCalls(t, 2000)
	slot := Slot(hot)
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
		}
	}
	mig := rc.BeginMigration(t, slot, to)
	for mig.MoveKeys(t, 10) > 0 {
		l.awaitCalls(t, 200)
	}
	mig.Finish(t)
	l.awaitCalls(t, 2000)
	lost := l.finish(t, newTestClient(t, rc, Options{}))
	t.Logf("reshard under load: %d calls, %d errors, %d bad reads, %d acknowledged writes lost", l.calls.Load(), l.errs.Load(), l.badRead.Load(), lost)
	if l.errs.Load() != 0 || lost != 0 || l.badRead.Load() != 0 {
		t.Fatalf("reshard under load: %d errors (first: %v), %d lost, %d bad reads", l.errs.Load(), l.firstErr, lost, l.badRead.Load())
	}
}

// CLUSTER FAILOVER on a replica under load: no command fails, no
// acknowledged write is lost.
func TestManualFailoverUnderLoad(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1})
	c := newTestClient(t, rc, Options{})
	l := startLoad(c, 64, tagsFor(rc, nil, 12))
	l.awaitCalls(t, 2000)
	replica := rc.Replicas()[0]
	replica.Failover(t)
	l.awaitCalls(t, 4000)
	lost := l.finish(t, newTestClient(t, rc, Options{}))
	t.Logf("manual failover under load: %d calls, %d errors, %d bad reads, %d acknowledged writes lost", l.calls.Load(), l.errs.Load(), l.badRead.Load(), lost)
	if l.errs.Load() != 0 || lost != 0 || l.badRead.Load() != 0 {
		t.Fatalf("manual failover under load: %d errors (first: %v), %d lost, %d bad reads", l.errs.Load(), l.firstErr, lost, l.badRead.Load())
	}
}

// kill -9 of a master under load: every call returns; calls without a
// deadline succeed once the replica has taken over; the client serves the
// slots again soon after the cluster says ok; the killed master, restarted,
// rejoins as a replica and the client picks it up.
func TestKillMasterUnderLoad(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	victim := rc.Masters()[0]
	tags := tagsFor(rc, victim, 4)
	l := startLoad(c, 64, append(tags, tagsFor(rc, nil, 8)...))
	l.watchTags = map[string]bool{}
	for _, tag := range tags {
		l.watchTags[tag] = true
	}
	l.awaitCalls(t, 2000)

	killed := time.Now()
	l.watchFrom.Store(killed.UnixNano())
	victim.Kill()
	// The cluster is ok again when a surviving node says so (after it has
	// noticed the failure: before that it says ok too).
	survivor := nodeClient(t, rc.Masters()[1].Addr)
	var okAt time.Time
	sawFail := false
	for okAt.IsZero() {
		info, err := survivor.ClusterInfo(bg)
		switch {
		case err != nil:
		case strings.Contains(info, "cluster_state:fail"):
			sawFail = true
		case sawFail && strings.Contains(info, "cluster_state:ok"):
			okAt = time.Now()
		}
		if time.Since(killed) > 30*time.Second {
			t.Fatal("the cluster did not recover within 30s")
		}
		if okAt.IsZero() {
			time.Sleep(5 * time.Millisecond) // polling the server's state: it announces nothing
		}
	}
	rc.WaitHealthy(t)
	l.awaitCalls(t, 2000)
	lost := l.finish(t, newTestClient(t, rc, Options{}))
	served := time.Unix(0, l.servedAt.Load())
	t.Logf("kill -9 of a master under load (64 goroutines): %d calls, %d errors (first: %v), %d acknowledged writes lost (asynchronous replication); "+
		"cluster_state:ok %v after the kill; first write to the killed master's slots served %v after the kill, %v after cluster_state:ok",
		l.calls.Load(), l.errs.Load(), l.firstErr, lost, okAt.Sub(killed).Round(time.Millisecond),
		served.Sub(killed).Round(time.Millisecond), served.Sub(okAt).Round(time.Millisecond))
	if l.servedAt.Load() == 0 {
		t.Fatal("no write to the killed master's slots succeeded after the kill")
	}
	if served.Sub(okAt) > time.Second {
		t.Errorf("serving again %v after cluster_state:ok, want within 1s", served.Sub(okAt))
	}
	if l.errs.Load() != 0 {
		t.Errorf("%d calls without a deadline failed (first: %v)", l.errs.Load(), l.firstErr)
	}

	// The killed master comes back as a replica and is picked up.
	victim.Restart(t)
	rc.WaitHealthy(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		found := false
		for _, sh := range c.Topology() {
			for _, n := range sh[1:] {
				if n.Addr == victim.Addr {
					found = true
				}
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted master is not a replica in the client's topology: %v", c.Topology())
		}
		c.requestRefresh("test")
		time.Sleep(50 * time.Millisecond) // the replica shows in CLUSTER SHARDS once linked: polled
	}
}

// 256 callers all getting MOVED at once cause a bounded number of
// refreshes.
func TestRefreshStorm(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 2})
	var moved atomic.Int64
	c := newTestClient(t, rc, Options{RefreshInterval: -1, OnEvent: func(e Event) {
		if e.Type == EventRedirected && e.Reason == "MOVED" {
			moved.Add(1)
		}
	}})
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = "{storm}:" + strconv.Itoa(i)
		if err := c.Set(bg, keys[i], i); err != nil {
			t.Fatal(err)
		}
	}
	slot := Slot(keys[0])
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
		}
	}
	// Move the slot behind the client's back: every caller then hits the
	// old owner at once.
	mig := rc.BeginMigration(t, slot, to)
	mig.MoveKeys(t, 0)
	mig.Finish(t)
	before := c.refreshes.Load()
	start := time.Now()
	// One batch of 256 GETs: every one of them gets MOVED (the batch was
	// written before the first reply patched the slot)...
	p := c.Pipeline()
	for _, k := range keys {
		p.Get(k)
	}
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	// ... and 256 goroutines at once.
	var wg sync.WaitGroup
	var failed atomic.Int64
	release := make(chan struct{})
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			if _, err := c.Get(bg, k); err != nil {
				failed.Add(1)
			}
		}()
	}
	close(release)
	wg.Wait()
	// The refreshes asked for run after MinRefreshInterval: wait for them
	// by asking for one more, which the refresher coalesces.
	took := time.Since(start)
	c.requestRefresh("test")
	for c.refreshes.Load() == before {
		time.Sleep(10 * time.Millisecond) // the refresher runs on its own schedule: polled
	}
	refreshes := c.refreshes.Load() - before
	t.Logf("refresh storm: 256 GETs of a slot that moved (a pipeline, then 256 goroutines): %d MOVED, %d refreshes (one in flight at a time, at most one per %v); GETs took %v; %d failed",
		moved.Load(), refreshes, c.opts.MinRefreshInterval, took.Round(time.Millisecond), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d GETs failed", failed.Load())
	}
	if moved.Load() < int64(len(keys)) {
		t.Errorf("only %d MOVED: the storm did not happen", moved.Load())
	}
	if limit := int64(took/c.opts.MinRefreshInterval) + 2; refreshes > limit {
		t.Errorf("%d refreshes in %v: more than one per MinRefreshInterval (%v)", refreshes, took, c.opts.MinRefreshInterval)
	}
}

// Nodes announced by host name the client cannot resolve: NATMapper maps
// every announced address, including MOVED's.
func TestNATMap(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, AnnounceHostnames: true})
	var mapped atomic.Int64
	c := newTestClient(t, rc, Options{NATMapper: func(addr string) string {
		host, port, _ := strings.Cut(addr, ":")
		if strings.HasSuffix(host, ".redis.test") {
			mapped.Add(1)
			return "127.0.0.1:" + port
		}
		return addr
	}})
	for i := 0; i < 100; i++ {
		if err := c.Set(bg, "nat:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	if mapped.Load() == 0 {
		t.Fatal("no announced address was mapped: are host names announced?")
	}
	for _, sh := range c.Topology() {
		if !strings.HasPrefix(sh[0].Addr, "127.0.0.1:") {
			t.Errorf("an unmapped node: %v", sh[0])
		}
	}
	// Without the map, the client cannot reach the announced names.
	_, err := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{DialTimeout: time.Second}, RefreshInterval: -1})
	if err == nil {
		cl, _ := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{DialTimeout: time.Second}})
		defer cl.Close()
		ctx, cancel := context.WithTimeout(bg, time.Second)
		defer cancel()
		if err := cl.Set(ctx, "nat:x", 1); err == nil {
			t.Error("a client without NATMap reached nodes announced as unresolvable host names")
		}
	}
}

// Per-node credentials: Credentials is asked for each node's address.
func TestCredentialsPerNode(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, Password: "s3cret"})
	var mu sync.Mutex
	asked := map[string]bool{}
	c := newTestClient(t, rc, Options{Credentials: func(addr string) (string, string) {
		mu.Lock()
		asked[addr] = true
		mu.Unlock()
		return "", "s3cret"
	}})
	for i := 0; i < 50; i++ {
		if err := c.Set(bg, "cred:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	if n != 3 {
		t.Errorf("Credentials asked for %d addresses, want the 3 masters", n)
	}
	_, err := NewClient(Options{Addrs: rc.Addrs()[:1], NodeOptions: fastredis.Options{Password: "wrong"}})
	if err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestTLSCluster(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, TLS: true})
	c := newTestClient(t, rc, Options{Addrs: rc.TLSAddrs()[:1], NodeOptions: fastredis.Options{TLSConfig: rc.ClientTLSConfig()}})
	for i := 0; i < 50; i++ {
		k := "tls:" + strconv.Itoa(i)
		if err := c.Set(bg, k, i); err != nil {
			t.Fatal(err)
		}
	}
	tlsAddrs := map[string]bool{}
	for _, a := range rc.TLSAddrs() {
		tlsAddrs[a] = true
	}
	for _, sh := range c.Topology() {
		if !tlsAddrs[sh[0].Addr] {
			t.Errorf("node %s is not a TLS address", sh[0].Addr)
		}
	}
}

// A cluster scan of 100,000 keys with kill -9 of a master midway sees
// every key: the shard being scanned is scanned again on its new master.
func TestScanThroughFailover(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	const n = 100000
	p := c.Pipeline()
	for i := 0; i < n; i += 1000 {
		p.Reset()
		for j := i; j < i+1000; j++ {
			p.Set("{k"+strconv.Itoa(j%997)+"}:"+strconv.Itoa(j), j)
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
	}
	rc.WaitHealthy(t) // the replicas have every key before one is promoted
	seen := make(map[string]bool, n)
	killed := false
	for k, err := range c.ScanIter(bg, fastredis.ScanOptions{Count: 500}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
		if len(seen) == n/2 && !killed {
			killed = true
			// Kill the master being scanned: the one that has this key.
			rc.SlotOwner(Slot(k)).Kill()
		}
	}
	if len(seen) != n {
		t.Fatalf("a scan with a master killed midway saw %d of %d keys", len(seen), n)
	}
	t.Logf("scan of %d keys through a kill -9 failover: every key seen", n)
}

// A pipeline while a slot it touches migrates: ASK and then MOVED per
// command, every command answered once, none applied twice.
func TestPipelineDuringMigration(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 2})
	var asks, moves atomic.Int64
	c := newTestClient(t, rc, Options{OnEvent: func(e Event) {
		if e.Type == EventRedirected {
			if e.Reason == "ASK" {
				asks.Add(1)
			} else {
				moves.Add(1)
			}
		}
	}})
	const n = 40
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "{pm}:" + strconv.Itoa(i)
		if err := c.Set(bg, keys[i], i); err != nil {
			t.Fatal(err)
		}
	}
	slot := Slot(keys[0])
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
		}
	}
	run := func(round int) {
		t.Helper()
		p := c.Pipeline()
		incrs := make([]fastredis.Future[int64], n)
		others := make([]fastredis.Future[fastredis.OK], n)
		for i, k := range keys {
			incrs[i] = p.Incr(k)
			others[i] = p.Set("other:"+strconv.Itoa(i), round) // other slots, other node
		}
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			v, err := incrs[i].Result()
			if err != nil || v != int64(i+round) {
				t.Fatalf("round %d: INCR %s = %d, %v; want %d (applied once)", round, keys[i], v, err, i+round)
			}
			if _, err := others[i].Result(); err != nil {
				t.Fatal(err)
			}
		}
	}
	mig := rc.BeginMigration(t, slot, to)
	mig.MoveKeys(t, n/2)
	run(1) // half the keys moved: ASK for those
	mig.Finish(t)
	run(2) // the slot moved: MOVED, then the patched map
	run(3)
	t.Logf("pipeline during a migration: %d ASK, %d MOVED", asks.Load(), moves.Load())
	if asks.Load() == 0 || moves.Load() == 0 {
		t.Errorf("%d ASK and %d MOVED: the migration was not seen", asks.Load(), moves.Load())
	}
	for i, k := range keys {
		v, err := c.Get(bg, k)
		if err != nil || v != strconv.Itoa(i+3) {
			t.Fatalf("%s = %q, %v after 3 increments", k, v, err)
		}
	}
}

// Transactions: keys of one slot, sent as a unit to its master; refused
// before sending across slots; through a migration (ASK: ASKING before
// MULTI; keys on both sides: TRYAGAIN until it ends) they still commit.
func TestTransactions(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 2})
	c := newTestClient(t, rc, Options{})
	tx := c.TxPipeline()
	a := tx.Incr("{tx}:a")
	b := tx.IncrBy("{tx}:b", 10)
	if err := tx.Exec(bg); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Result(); err != nil || v != 1 {
		t.Fatalf("INCR in a transaction = %d, %v", v, err)
	}
	if v, err := b.Result(); err != nil || v != 10 {
		t.Fatalf("INCRBY in a transaction = %d, %v", v, err)
	}
	cross := c.TxPipeline()
	cross.Incr("{tx}:a")
	cross.Incr("elsewhere")
	if err := cross.Exec(bg); !errors.Is(err, fastredis.ErrCrossSlotTx) {
		t.Fatalf("a transaction across slots: %v, want ErrCrossSlotTx", err)
	}
	if v, _ := c.Get(bg, "{tx}:a"); v != "1" {
		t.Fatalf("the refused transaction ran: {tx}:a = %q", v)
	}

	slot := Slot("{tx}:a")
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
		}
	}
	if err := c.Set(bg, "{tx}:moved", 100); err != nil {
		t.Fatal(err)
	}
	mig := rc.BeginMigration(t, slot, to)
	mig.MoveKeys(t, 1) // one of the slot's keys moves
	moved, stay := "", ""
	for _, k := range []string{"{tx}:a", "{tx}:b", "{tx}:moved"} {
		if n, err := nodeClient(t, from.Addr).Exists(bg, k); err != nil || n == 0 {
			moved = k
		} else {
			stay = k
		}
	}
	if moved == "" || stay == "" {
		t.Fatalf("no key moved, or all did (moved %q, stayed %q)", moved, stay)
	}
	before, _ := c.Get(bg, stay)
	t.Logf("half-migrated slot: %s is on the importing node", moved)
	// All keys on the importing side: ASK, then ASKING + MULTI there.
	one := c.TxPipeline()
	incr := one.Incr(moved)
	if err := one.Exec(bg); err != nil {
		t.Fatalf("a transaction on a migrated key: %v", err)
	}
	if v, err := incr.Result(); err != nil || v < 2 {
		t.Fatalf("INCR of a migrated key in a transaction = %d, %v", v, err)
	}
	// Keys on both sides: TRYAGAIN until the migration ends.
	done := make(chan error, 1)
	both := c.TxPipeline()
	x := both.Incr(stay)
	y := both.Incr(moved)
	go func() { done <- both.Exec(bg) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a transaction over both sides of a migration: %v", err)
		}
	case <-time.After(300 * time.Millisecond):
		mig.Finish(t)
		if err := <-done; err != nil {
			t.Fatalf("a transaction over both sides, after the migration: %v", err)
		}
	}
	if v, err := x.Result(); err != nil || strconv.FormatInt(v-1, 10) != before {
		t.Fatalf("INCR %s = %d, %v (was %s)", stay, v, err, before)
	}
	if _, err := y.Result(); err != nil {
		t.Fatalf("INCR %s = %v", moved, err)
	}
}

// A BLPOP whose master is killed is sent again to the new master, and gets
// what is pushed there.
func TestBlockingResentAfterKill(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	const key = "{blk}:q"
	victim := rc.SlotOwner(Slot(key))
	// A script run before the crash, by EVALSHA (loaded with EVAL on NOSCRIPT).
	script := fastredis.NewScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1)
	if n, err := c.RunScriptInt(bg, script, []string{"{blk}:n"}, 2); err != nil || n != 2 {
		t.Fatalf("script before the crash = %d, %v", n, err)
	}
	type popped struct {
		v   []string
		err error
	}
	done := make(chan popped, 1)
	go func() {
		v, err := c.BLPop(bg, []string{key}, 0) // no deadline, no timeout
		done <- popped{v, err}
	}()
	// Wait until the BLPOP blocks on the victim.
	admin := nodeClient(t, victim.Addr)
	for {
		info, err := admin.Info(bg, "clients")
		if err == nil && strings.Contains(info, "blocked_clients:1") {
			break
		}
		time.Sleep(5 * time.Millisecond) // the server announces nothing: polled
	}
	admin.Close()
	victim.Kill()
	rc.WaitHealthy(t)
	// The new master serves the slot; push once the BLPOP is blocked there.
	owner := nodeClient(t, rc.SlotOwner(Slot(key)).Addr)
	for {
		info, err := owner.Info(bg, "clients")
		if err == nil && strings.Contains(info, "blocked_clients:1") {
			break
		}
		select {
		case p := <-done:
			t.Fatalf("BLPOP returned before anything was pushed: %v, %v", p.v, p.err)
		default:
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := c.RPush(bg, key, "after-failover"); err != nil {
		t.Fatal(err)
	}
	p := <-done
	if p.err != nil || len(p.v) != 2 || p.v[1] != "after-failover" {
		t.Fatalf("BLPOP across a failover = %v, %v", p.v, p.err)
	}
	// The new master never saw the script: EVALSHA gets NOSCRIPT, EVAL runs it.
	if n, err := c.RunScriptInt(bg, script, []string{"{blk}:n"}, 3); err != nil || n < 3 {
		t.Fatalf("EVALSHA after the failover = %d, %v", n, err)
	}
}

// A subscriber moves to another node, resubscribed, when its node dies.
func TestSubscriberMovesOnFailure(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	ps, err := c.Subscribe(bg, "news")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := c.Publish(bg, "news", "first"); err != nil {
		t.Fatal(err)
	}
	if m := <-ps.Messages(); m.Payload != "first" {
		t.Fatalf("got %+v", m)
	}
	var on *redistest.ClusterNode
	for _, n := range rc.Masters() {
		r, err := nodeClient(t, n.Addr).PubSubNumSub(bg, "news")
		if err == nil && r["news"] == 1 {
			on = n
		}
	}
	if on == nil {
		t.Fatal("no master has the subscription")
	}
	on.Kill()
	rc.WaitHealthy(t)
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no message reached the subscriber after its node died")
		}
		if _, err := c.Publish(bg, "news", "after-"+strconv.Itoa(i)); err != nil {
			continue
		}
		select {
		case m := <-ps.Messages():
			if !strings.HasPrefix(m.Payload, "after-") {
				t.Fatalf("got %+v", m)
			}
			return
		case <-time.After(100 * time.Millisecond): // resubscribing: publish again
		}
	}
}

// A shard subscription follows its slot through a migration and a master
// crash: after each resubscription the messages published arrive exactly
// once and in order; the messages lost in each gap are reported.
func TestShardSubscriptionFollowsSlot(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	const ch = "{shard}:news"
	ps, err := c.SSubscribe(bg, ch)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	seq := 0
	// publishUntilReceived publishes numbered messages until one arrives,
	// then checks that the next 50 arrive in order, exactly once; it
	// returns how many were published before the first arrived (lost in
	// the gap).
	publishUntilReceived := func(phase string) int {
		t.Helper()
		first := seq
		deadline := time.Now().Add(30 * time.Second)
		got := -1
		for got < 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no message arrived", phase)
			}
			if _, err := c.SPublish(bg, ch, strconv.Itoa(seq)); err == nil {
				seq++
			}
			select {
			case m := <-ps.Messages():
				got, _ = strconv.Atoi(m.Payload)
			case <-time.After(50 * time.Millisecond): // resubscribing: publish again
			}
		}
		// Drain what came after the first arrival, then 50 more in order.
		for done := false; !done; {
			select {
			case m := <-ps.Messages():
				n, _ := strconv.Atoi(m.Payload)
				if n != got+1 {
					t.Fatalf("%s: message %d after %d", phase, n, got)
				}
				got = n
			default:
				done = true
			}
		}
		for i := 0; i < 50; i++ {
			if _, err := c.SPublish(bg, ch, strconv.Itoa(seq)); err != nil {
				t.Fatal(err)
			}
			seq++
			select {
			case m := <-ps.Messages():
				n, _ := strconv.Atoi(m.Payload)
				if n != got+1 {
					t.Fatalf("%s: message %d after %d (lost or repeated)", phase, n, got)
				}
				got = n
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: message %d did not arrive", phase, seq-1)
			}
		}
		return got - first - 50 - (seq - 1 - got)
	}
	if lost := publishUntilReceived("start"); lost != 0 {
		t.Fatalf("%d messages lost before any fault", lost)
	}
	slot := Slot(ch)
	from := rc.SlotOwner(slot)
	var to *redistest.ClusterNode
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			to = m
			break
		}
	}
	mig := rc.BeginMigration(t, slot, to)
	mig.Finish(t)
	lostMigration := publishUntilReceived("after the slot migrated")
	owner := rc.SlotOwner(slot)
	owner.Kill()
	rc.WaitHealthy(t)
	lostCrash := publishUntilReceived("after the master was killed")
	t.Logf("shard subscription: messages published while resubscribing, never received: %d after the slot migrated, %d after its master was killed; none repeated or out of order", lostMigration, lostCrash)
}
