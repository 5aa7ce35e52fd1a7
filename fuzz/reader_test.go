package fuzz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// readerConfig makes Readers with one set of limits.
type readerConfig struct {
	name string
	new  func() *resp.Reader
}

func readerConfigs() []readerConfig {
	cs := []readerConfig{{name: "default", new: func() *resp.Reader { return new(resp.Reader) }}}
	for _, l := range limitSets {
		cs = append(cs, readerConfig{name: l.name, new: func() *resp.Reader {
			return &resp.Reader{MaxBulkLen: l.maxBulk, MaxAggregateLen: l.maxAgg, MaxDepth: l.maxDepth}
		}})
	}
	return cs
}

func FuzzReader(f *testing.F) {
	var all strings.Builder
	for i, s := range seeds {
		f.Add([]byte(s.data), []byte{byte(i), 1, 0, 3})
		all.WriteString(s.data)
	}
	f.Add([]byte(all.String()), []byte{5, 0, 17, 1})
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n+OK\r\n"), []byte{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, c := range readerConfigs() {
			checkReader(t, c, data, cuts)
			for _, in := range generated(data) {
				checkReader(t, c, in, cuts)
			}
		}
	})
}

// parseOnce parses data with r, checks what Parse returned, and returns it as
// a result, with Need() when incomplete.
func parseOnce(t *testing.T, r *resp.Reader, data []byte) (result, int) {
	t.Helper()
	v, n, err := r.Parse(data)
	if err != nil {
		checkError(t, data, err)
		if err == resp.ErrIncomplete {
			if r.Need() <= len(data) {
				t.Fatalf("Parse(%q): ErrIncomplete but Need() = %d", data, r.Need())
			}
			return result{err: err}, r.Need()
		}
		if r.Need() != 0 {
			t.Fatalf("Parse(%q): Need() = %d after %v", data, r.Need(), err)
		}
		return result{err: err}, 0
	}
	if n <= 0 || n > len(data) {
		t.Fatalf("Parse(%q) consumed %d bytes", data, n)
	}
	if r.Need() != 0 {
		t.Fatalf("Parse(%q): Need() = %d after a complete value", data, r.Need())
	}
	checkAccessors(t, v)
	return result{tree: treeOf(v).render(), n: n}, 0
}

func checkReader(t *testing.T, c readerConfig, data, cuts []byte) {
	r := c.new()
	whole, wholeNeed := parseOnce(t, r, data)

	// The Reader is reusable after any outcome, and Reset drops a value in
	// progress.
	if len(data) > 1 {
		r.Reset()
		if _, need := parseOnce(t, r, data[:len(data)/2]); need > 0 {
			r.Reset()
		}
		if again, _ := parseOnce(t, r, data); !sameResult(again, whole) {
			t.Fatalf("%s: Parse(%q) after Reset: %v; fresh: %v", c.name, data, again, whole)
		}
	}

	// Fed in chunks, the reader must give the same result.
	byteSize := 1 + len(data)/4096
	feeds := []struct {
		name    string
		size    func(step int) int
		patient bool // call Parse only once Need() bytes are there
		copies  bool // pass a fresh copy of the prefix on each call
	}{
		{"one byte at a time", func(int) int { return byteSize }, true, false},
		{"cuts, copies", cutSizes(cuts, 1+len(data)/256), true, true},
		{"cuts, impatient", cutSizes(cuts, 0), false, false},
	}
	for _, feed := range feeds {
		got, gotNeed := feedChunks(t, c.new(), data, feed.size, feed.patient, feed.copies, whole)
		if msg := compareChunked(whole, wholeNeed, got, gotNeed, len(data)); msg != "" {
			t.Fatalf("%s, %s: %s\ninput %q\nwhole:   %v (need %d)\nchunked: %v (need %d)",
				c.name, feed.name, msg, data, whole, wholeNeed, got, gotNeed)
		}
	}

	checkPipelined(t, c, data, cuts)
}

// cutSizes derives chunk sizes from the bytes of cuts, at least min each
// (min 0 allows empty chunks, which repeat a call with the same input).
func cutSizes(cuts []byte, min int) func(int) int {
	zeros := 0
	return func(step int) int {
		if len(cuts) == 0 {
			return max(min, 1)
		}
		n := max(min, int(cuts[step%len(cuts)]))
		if n == 0 {
			if zeros++; zeros > 2 {
				zeros, n = 0, 1
			}
		}
		return n
	}
}

// feedChunks parses data as if it arrived in chunks of the given sizes, with
// the resume contract of resp.Reader: each call passes the same buffer,
// extended. whole is the result of parsing data in one call.
func feedChunks(t *testing.T, r *resp.Reader, data []byte, size func(int) int, patient, copies bool, whole result) (result, int) {
	t.Helper()
	k := 0
	for step := 0; ; step++ {
		if step > 0 {
			if k == len(data) {
				return result{err: resp.ErrIncomplete}, r.Need()
			}
			k = min(len(data), k+size(step-1))
		}
		if patient && k < r.Need() {
			continue
		}
		buf := data[:k]
		if copies {
			buf = bytes.Clone(buf)
		}
		needBefore := r.Need()
		res, need := parseOnce(t, r, buf)
		if res.err != resp.ErrIncomplete {
			return res, 0
		}
		if k < needBefore && need != needBefore {
			t.Fatalf("Parse(%q) with fewer than Need() = %d bytes changed Need() to %d", buf, needBefore, need)
		}
		if whole.err == nil && need > whole.n {
			t.Fatalf("Parse(%q): Need() = %d, but the value is complete at %d bytes (input %q)", buf, need, whole.n, data)
		}
	}
}

// sameResult reports whether two parses agree: the same value and length, or
// the same kind of error at the same offset.
func sameResult(a, b result) bool {
	if (a.err == nil) != (b.err == nil) {
		return false
	}
	if a.err == nil {
		return a.tree == b.tree && a.n == b.n
	}
	return errKind(a.err) == errKind(b.err) && errOffset(a.err) == errOffset(b.err)
}

// compareChunked compares a chunked parse with the whole one, and returns
// what is wrong, or "".
func compareChunked(whole result, wholeNeed int, got result, gotNeed, dataLen int) string {
	if !sameResult(whole, got) {
		return "results differ"
	}
	if whole.err == resp.ErrIncomplete && wholeNeed != gotNeed {
		return "Need() differs"
	}
	return ""
}

// checkPipelined parses a sequence of values from data, as replies to
// pipelined commands arrive: all in one buffer, and as a connection receives
// them in chunks.
func checkPipelined(t *testing.T, c readerConfig, data, cuts []byte) {
	// One buffer. One Reader parses every value, even after an error.
	r := c.new()
	var values []result
	var end result // the outcome that ended the sequence; zero: clean end
	endNeed := 0
	for off := 0; off < len(data); {
		res, need := parseOnce(t, r, data[off:])
		if res.err != nil {
			end, endNeed = res, need
			break
		}
		// The value parses the same on its own.
		alone, _ := parseOnce(t, c.new(), data[off:off+res.n])
		if !sameResult(alone, res) {
			t.Fatalf("%s: value at %d: %v in the stream, %v on its own (input %q)", c.name, off, res, alone, data)
		}
		values = append(values, res)
		off += res.n
		if off > len(data) {
			t.Fatalf("%s: offsets add up to %d of %d bytes", c.name, off, len(data))
		}
	}

	// A connection: chunks arrive and every complete value is consumed.
	r = c.new()
	size := cutSizes(cuts, 1+len(data)/1024)
	var got []result
	var gotEnd result
	gotNeed := 0
	start, k := 0, 0
feed:
	for step := 0; ; step++ {
		for k > start && k-start >= r.Need() {
			res, need := parseOnce(t, r, data[start:k])
			if res.err == resp.ErrIncomplete {
				if i := len(got); i < len(values) && need > values[i].n {
					t.Fatalf("%s: Need() = %d for value %d of %d bytes (input %q)", c.name, need, i, values[i].n, data)
				}
				break
			}
			if res.err != nil {
				gotEnd = res
				break feed
			}
			got = append(got, res)
			start += res.n
		}
		if k == len(data) {
			if start < len(data) {
				gotEnd, gotNeed = result{err: resp.ErrIncomplete}, r.Need()
			}
			break
		}
		k = min(len(data), k+size(step))
	}

	describe := func() string {
		return fmt.Sprintf("input %q\none buffer: %v then %v\nconnection: %v then %v", data, values, end, got, gotEnd)
	}
	if len(got) != len(values) {
		t.Fatalf("%s: pipelined values differ\n%s", c.name, describe())
	}
	for i := range got {
		if !sameResult(got[i], values[i]) {
			t.Fatalf("%s: pipelined value %d differs\n%s", c.name, i, describe())
		}
	}
	if (end.err == nil) != (gotEnd.err == nil) {
		t.Fatalf("%s: pipelined streams end differently\n%s", c.name, describe())
	}
	if end.err != nil {
		if msg := compareChunked(end, endNeed, gotEnd, gotNeed, len(data)-start); msg != "" {
			t.Fatalf("%s: pipelined streams end differently: %s\n%s", c.name, msg, describe())
		}
	}
}

// TestEagerErrorsAreConsistent pins two fixed reader inconsistencies: an
// error the reader reports as soon as it is visible must also be reported
// by a reader that has already said ErrIncomplete (Need must not skip past
// it), and '.' where no streamed aggregate is open is an error at once.
func TestEagerErrorsAreConsistent(t *testing.T) {
	parseFresh := func(in string) error {
		var r resp.Reader
		_, _, err := r.Parse([]byte(in))
		return err
	}
	for _, tc := range []struct{ first, then string }{
		{"_", "_x"},
		{"#", "#x"},
		{"=10\r\n", "=10\r\nabcX"},
		{"=10\r\nab", "=10\r\nabcX"},
	} {
		var r resp.Reader
		if _, _, err := r.Parse([]byte(tc.first)); err != resp.ErrIncomplete {
			t.Fatalf("Parse(%q) = %v, want ErrIncomplete", tc.first, err)
		}
		if len(tc.then) < r.Need() {
			t.Errorf("after Parse(%q), Need() = %d skips the error in %q", tc.first, r.Need(), tc.then)
			continue
		}
		_, _, got := r.Parse([]byte(tc.then))
		if want := parseFresh(tc.then); errKind(got) != errKind(want) || errKind(want) != "syntax" {
			t.Errorf("Parse(%q): fresh %v, after Parse(%q) %v", tc.then, want, tc.first, got)
		}
	}
	for _, in := range []string{".", "*1\r\n.", "%?\r\n+k\r\n."} {
		if err := parseFresh(in); errKind(err) != "syntax" {
			t.Errorf("Parse(%q) = %v, want a syntax error at once", in, err)
		}
	}
}

func TestZeroValueAccessors(t *testing.T) {
	checkAccessors(t, resp.Value{})
}
