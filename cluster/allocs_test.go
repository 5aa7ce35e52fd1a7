package cluster

// Allocation counts of the routed paths (run without -race by make test).

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
)

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
	// Through a reused Cmd, whose reply is its own buffer: nothing.
	var cmd fastredis.Cmd
	mgetCmd := func() {
		cmd.Reset("MGET")
		for _, k := range keys {
			cmd.Key(k)
		}
		if err := c.Exec(bg, &cmd); err != nil || cmd.Reply().Len() != len(keys) {
			t.Fatalf("MGET through a Cmd: %v, %d values", err, cmd.Reply().Len())
		}
	}
	mgetCmd()
	if a := allocsPerRun(50, mgetCmd); a != 0 {
		t.Errorf("MGET of 100 keys in %d slots through a reused Cmd: %v allocs, want 0", len(slots), a)
	}
}
