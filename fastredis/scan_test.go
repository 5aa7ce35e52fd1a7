package fastredis

import (
	"context"
	"errors"
	"iter"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// A scan over 100k keys returns each at least once.
func TestScanIterAllKeys(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	const n = 100_000
	p := c.Pipeline()
	for i := range n {
		p.Set("key:"+strconv.Itoa(i), "v")
		if p.Len() == 1000 {
			if err := p.Exec(bg); err != nil {
				t.Fatal(err)
			}
			p.Reset()
		}
	}
	c.SAdd(bg, "not-a-string", "m") // filtered out by TYPE
	seen := make(map[string]bool, n)
	for k, err := range c.ScanIter(bg, ScanOptions{Match: "key:*", Count: 1000, Type: "string"}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	if len(seen) != n {
		t.Fatalf("saw %d distinct keys, want %d", len(seen), n)
	}
	for i := range n {
		if !seen["key:"+strconv.Itoa(i)] {
			t.Fatalf("key:%d never returned", i)
		}
	}
}

func TestScanIterCollections(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		binary := "bin\x00\xff\r\n"
		var fields []FieldValue
		var members []Z
		var setMembers []string
		for i := range 500 {
			s := strconv.Itoa(i)
			fields = append(fields, FieldValue{Field: "f" + s, Value: "v" + s})
			members = append(members, Z{Member: "m" + s, Score: float64(i) / 2})
			setMembers = append(setMembers, "s"+s)
		}
		fields = append(fields, FieldValue{Field: binary, Value: binary})
		setMembers = append(setMembers, binary)
		c.HSet(bg, "h", fields)
		c.ZAdd(bg, "z", nil, members...)
		c.SAdd(bg, "s", setMembers)

		gotH := map[string]string{}
		for fv, err := range c.HScanIter(bg, "h", HScanOptions{Count: 50}) {
			if err != nil {
				t.Fatal(err)
			}
			gotH[fv.Field] = fv.Value
		}
		if len(gotH) != len(fields) || gotH["f7"] != "v7" || gotH[binary] != binary {
			t.Errorf("HSCAN: %d fields, f7=%q, binary=%q", len(gotH), gotH["f7"], gotH[binary])
		}
		gotZ := map[string]float64{}
		for m, err := range c.ZScanIter(bg, "z", ZScanOptions{Match: "m1*"}) {
			if err != nil {
				t.Fatal(err)
			}
			gotZ[m.Member] = m.Score
		}
		// m1, m10-m19, m100-m199: 111 members.
		if len(gotZ) != 111 || gotZ["m15"] != 7.5 {
			t.Errorf("ZSCAN MATCH m1*: %d members, m15=%v", len(gotZ), gotZ["m15"])
		}
		gotS := map[string]bool{}
		for m, err := range c.SScanIter(bg, "s") {
			if err != nil {
				t.Fatal(err)
			}
			gotS[m] = true
		}
		if len(gotS) != len(setMembers) || !gotS[binary] {
			t.Errorf("SSCAN: %d members, binary %v", len(gotS), gotS[binary])
		}
	})
}

// countingClient counts the SCAN round trips a client makes.
func scanCalls(t *testing.T, c *Client) int {
	return commandCalls(t, c, "scan")[0]
}

func TestScanIterStopsEarly(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	p := c.Pipeline()
	for i := range 1000 {
		p.Set("k"+strconv.Itoa(i), "v")
	}
	if err := p.Exec(bg); err != nil {
		t.Fatal(err)
	}
	before := scanCalls(t, c)
	n := 0
	for _, err := range c.ScanIter(bg, ScanOptions{Count: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 5 {
			break
		}
	}
	if calls := scanCalls(t, c) - before; calls != 1 {
		t.Errorf("breaking out after 5 keys made %d SCAN calls, want 1", calls)
	}

	// Paused and resumed with iter.Pull2.
	next, stop := iter.Pull2(c.ScanIter(bg, ScanOptions{Count: 100}))
	k1, err1, ok1 := next()
	k2, err2, ok2 := next()
	stop()
	if !ok1 || !ok2 || err1 != nil || err2 != nil || k1 == k2 {
		t.Errorf("pulled %q %v %v, %q %v %v", k1, err1, ok1, k2, err2, ok2)
	}
	if _, _, ok := next(); ok {
		t.Error("a stopped iterator went on")
	}
}

func TestScanIterError(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	c.Set(bg, "str", "v")
	errs := 0
	for _, err := range c.HScanIter(bg, "str") { // WRONGTYPE
		var e *Error
		if !errors.As(err, &e) || e.Prefix != "WRONGTYPE" {
			t.Errorf("HSCAN of a string: %v", err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("%d values after the error, want exactly the error", errs)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	for _, err := range c.ScanIter(ctx) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
	}
}
