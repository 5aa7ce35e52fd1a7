package cluster

// Pipelines, transactions and WATCH on a cluster.

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
)

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

// A command split by slot after others in the same pipeline is routed by
// its own arguments: the commands grouped before it once overwrote its
// parsed arguments, and MGET went whole to one node (CROSSSLOT).
func TestPipelineSplitAfterGroup(t *testing.T) {
	c := newTestClient(t, sharedCluster(t), Options{})
	keys := []string{"psg:1", "psg:2", "psg:3", "psg:4"}
	for _, k := range keys {
		if err := c.Set(bg, k, k); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Pipeline()
	for round := range 3 {
		p.Reset()
		for i := range 20 {
			p.Get("psg:" + strconv.Itoa(i%4+1))
		}
		mget := p.MGet(keys...)
		if err := p.Exec(bg); err != nil {
			t.Fatal(err)
		}
		v, err := mget.Result()
		if err != nil || len(v) != 4 || v[0].Value != "psg:1" || v[3].Value != "psg:4" {
			t.Fatalf("round %d: MGET across slots after 20 GETs = %v, %v", round, v, err)
		}
	}
}
