package cluster

// Faults under load: a slot migrated, a manual failover, a master killed;
// the scan and the blocking commands through a failover. Each test starts
// a cluster of its own. Their figures (calls, errors, writes lost,
// recovery time) are logged; run with -v to see them.

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

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

// otherMaster returns a master of rc other than from.
func otherMaster(rc *redistest.Cluster, from *redistest.ClusterNode) *redistest.ClusterNode {
	for _, m := range rc.Masters() {
		if m.Addr != from.Addr {
			return m
		}
	}
	return nil
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
	to := otherMaster(rc, from)
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
