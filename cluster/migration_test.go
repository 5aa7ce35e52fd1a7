package cluster

// Redirections while slots move: MOVED, ASK and TRYAGAIN for single
// commands, pipelines and transactions, and the refresh storm they could
// cause.

import (
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
	to := otherMaster(rc, from)
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
	to := otherMaster(rc, from)
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
	to := otherMaster(rc, from)
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
	to := otherMaster(rc, from)
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
	to := otherMaster(rc, from)
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
	// The same inside a plain pipeline (Multi ... EndMulti), between
	// commands of other slots.
	p := c.Pipeline()
	around := p.Incr("around:1")
	p.Multi()
	inBlock := p.Incr(moved)
	end := p.EndMulti()
	after := p.Incr("around:2")
	if err := p.Exec(bg); err != nil {
		t.Fatalf("a pipeline with a transaction on a migrated key: %v", err)
	}
	if _, err := end.Result(); err != nil {
		t.Fatalf("EndMulti on a migrated key: %v", err)
	}
	if v, err := inBlock.Result(); err != nil || v < 3 {
		t.Fatalf("INCR of a migrated key in a pipeline's transaction = %d, %v", v, err)
	}
	if _, err := around.Result(); err != nil {
		t.Fatal(err)
	}
	if _, err := after.Result(); err != nil {
		t.Fatal(err)
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
