package main

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

func TestParseTemplate(t *testing.T) {
	got, err := parseTemplate("hset  h:__key__  __key__ f __value__ x__value__y__key__")
	if err != nil {
		t.Fatal(err)
	}
	want := []tmplArg{
		{lit: "hset"},
		{lit: "h:__key__", parts: []tmplPart{{lit: "h:"}, {ph: phKey}}},
		{whole: phKey},
		{lit: "f"},
		{whole: phValue},
		{lit: "x__value__y__key__", parts: []tmplPart{{lit: "x"}, {ph: phValue}, {lit: "y"}, {ph: phKey}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseTemplate:\n got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"", "   ", "__value__", "x__key__ a"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%q) succeeded", bad)
		}
	}
}

func TestMakeKeysAndValue(t *testing.T) {
	w := &workload{prefix: "p:"}
	if k := string(w.appendKey([]byte("x"), 11)); k != "xp:11" {
		t.Errorf("appendKey: %q", k)
	}
	v := makeValue(70)
	if len(v) != 70 || string(v[:12]) != "0123456789ab" || string(makeValue(70)) != string(v) {
		t.Errorf("makeValue: %q", v)
	}
}

func TestKindOfFollowsTheRatio(t *testing.T) {
	w := &workload{setW: 1, getW: 3, names: []string{"SET", "GET"}}
	var n [2]int
	for i := range int64(400) {
		n[w.kindOf(i)]++
	}
	if n[kindSet] != 100 || n[kindGet] != 300 {
		t.Errorf("1:3 over 400 requests: %d SETs, %d GETs", n[kindSet], n[kindGet])
	}
}

func TestZipfPickerIsSkewed(t *testing.T) {
	cfg, err := parseFlags([]string{"-key-dist", "zipf", "-keys", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := w.newPicker(0)
	hits := make([]int, w.keys)
	for range 100_000 {
		k := p.next()
		if k < 0 || k >= w.keys {
			t.Fatalf("key index %d out of range", k)
		}
		hits[k]++
	}
	if hits[0] < 10*hits[500] || hits[0] < 1000 {
		t.Errorf("zipf: key 0 hit %d times, key 500 %d times", hits[0], hits[500])
	}
}

// TestRequestPathDoesNotAllocate checks loadgen's own share of a request:
// choosing the kind and the key, building the Cmd, recording the outcome.
func TestRequestPathDoesNotAllocate(t *testing.T) {
	for _, args := range [][]string{
		{"-ratio", "1:1"},
		{"-key-dist", "zipf"},
		{"-command", "HSET h:__key__ f:__value__ __key__ __value__ x"},
	} {
		cfg, err := parseFlags(args)
		if err != nil {
			t.Fatal(err)
		}
		w, err := newWorkload(cfg)
		if err != nil {
			t.Fatal(err)
		}
		stats := newSlotStats(w.kinds())
		picker := w.newPicker(1)
		var (
			cmd     fastredis.Cmd
			scratch []byte
			n       int64
		)
		errServer := errors.New("ERR boom")
		base := time.Now()
		step := func() {
			kind := w.kindOf(n)
			w.build(&cmd, kind, picker.next(), &scratch)
			var err error
			switch n % 3 {
			case 1:
				err = fastredis.Nil
			case 2:
				err = errServer
			}
			due := base.Add(time.Duration(n) * time.Millisecond)
			sent := due.Add(time.Duration(n % 500))
			stats.record(kind, n%2 == 0, timing{due: due, sent: sent, done: sent.Add(time.Duration(100_000 + n%1000))}, err)
			n++
		}
		for range 100 {
			step() // grows the buffers and the histogram levels
		}
		if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
			t.Errorf("%v: %v allocations per request", args, allocs)
		}
	}
}
