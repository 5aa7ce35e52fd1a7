package fastredis

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// Tests of the generated command methods: this file has the helpers the
// groups_*_test.go files share, checks of the index and decoders, and a
// benchmark of generated methods; each groups_<group>_test.go runs one
// command group against a real server, on RESP2 and RESP3.

var bg = context.Background()

// eachProtocol starts one server and runs fn with a RESP2 client, then a
// RESP3 one, on an emptied server.
func eachProtocol(t *testing.T, opts redistest.Options, fn func(t *testing.T, c *Client)) {
	t.Helper()
	srv := redistest.Start(t, opts)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto, Password: opts.Password})
			if err := c.FlushAll(bg); err != nil {
				t.Fatal(err)
			}
			fn(t, c)
		})
	}
}

// eq checks a (value, error) result: eq(t, "GET k", "v")(c.Get(ctx, "k")).
func eq[T any](t *testing.T, what string, want T) func(got T, err error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
}

// val returns a result's value, failing the test on an error.
func val[T any](t *testing.T, what string) func(got T, err error) T {
	t.Helper()
	return func(got T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return got
	}
}

// isNil checks that a result is the Nil error.
func isNil[T any](t *testing.T, what string) func(got T, err error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		if !errors.Is(err, Nil) {
			t.Errorf("%s: got %#v, %v; want Nil", what, got, err)
		}
	}
}

// isErr checks that a result is a server error with prefix (and the
// command's name).
func isErr[T any](t *testing.T, what, prefix string) func(got T, err error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		checkErr(t, what, prefix, err)
	}
}

func checkErr(t *testing.T, what, prefix string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Prefix != prefix || e.Command == "" {
		t.Errorf("%s: err = %v, want a %s *Error naming the command", what, err, prefix)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// serverVersion returns the server's major*100+minor (702 for 7.2).
func serverVersion(t *testing.T, c *Client) int {
	t.Helper()
	info := val[string](t, "INFO server")(c.Info(bg, "server"))
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "redis_version:"); ok {
			parts := strings.Split(v, ".")
			major, _ := strconv.Atoi(parts[0])
			minor := 0
			if len(parts) > 1 {
				minor, _ = strconv.Atoi(parts[1])
			}
			return major*100 + minor
		}
	}
	t.Fatal("no redis_version in INFO")
	return 0
}

// Awkward values every group stores somewhere.
var awkward = []string{"", "plain", "crlf\r\nin the middle", "nul\x00byte", "\r\n", strings.Repeat("x", 70000)}

// TestCommandIndex checks the generated index against the methods of
// *Client: every listed method exists, once.
func TestCommandIndex(t *testing.T) {
	typ := reflect.TypeOf(&Client{})
	seen := map[string]bool{}
	commands := map[string]bool{}
	for _, cm := range commandMethods {
		if seen[cm.Method] {
			t.Errorf("method %s listed twice", cm.Method)
		}
		seen[cm.Method] = true
		commands[cm.Command] = true
		m, ok := typ.MethodByName(cm.Method)
		if !ok {
			t.Errorf("%s (%s) is not a method of *Client", cm.Method, cm.Command)
			continue
		}
		if m.Type.NumIn() < 2 || m.Type.In(1) != reflect.TypeOf((*context.Context)(nil)).Elem() {
			t.Errorf("%s does not take a context first", cm.Method)
		}
		if last := m.Type.Out(m.Type.NumOut() - 1); last != reflect.TypeOf((*error)(nil)).Elem() {
			t.Errorf("%s does not return an error last", cm.Method)
		}
	}
	sentinel := reflect.TypeOf(&SentinelClient{})
	for _, cm := range sentinelCommandMethods {
		commands[cm.Command] = true
		if _, ok := sentinel.MethodByName(cm.Method); !ok {
			t.Errorf("%s (%s) is not a method of *SentinelClient", cm.Method, cm.Command)
		}
	}
	if len(sentinelCommandMethods) < 15 {
		t.Errorf("only %d SENTINEL commands have methods", len(sentinelCommandMethods))
	}
	for _, s := range skippedCommands {
		if commands[s.Command] {
			t.Errorf("%s is both skipped and generated", s.Command)
		}
		if s.Reason == "" {
			t.Errorf("%s is skipped without a reason", s.Command)
		}
	}
	if len(commands) < 300 {
		t.Errorf("only %d commands have methods", len(commands))
	}
	t.Logf("%d methods for %d commands; %d commands skipped", len(commandMethods), len(commands), len(skippedCommands))
}

// parse parses one RESP value for the decoder tests.
func parse(t *testing.T, s string) resp.Value {
	t.Helper()
	var rd resp.Reader
	v, _, err := rd.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// TestDecoders runs the decoders on both protocols' shapes and on replies
// they must refuse.
func TestDecoders(t *testing.T) {
	zm := []ZMember{{"a", 1.5}, {"b\r\n", math.Inf(1)}}
	eq(t, "zmembers RESP2 flat", zm)(decodeZMembers(parse(t, "*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$3\r\nb\r\n\r\n$3\r\ninf\r\n")))
	eq(t, "zmembers RESP3 pairs", zm)(decodeZMembers(parse(t, "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$3\r\nb\r\n\r\n,inf\r\n")))
	eq(t, "zmembers empty", []ZMember{})(decodeZMembers(parse(t, "*0\r\n")))
	if _, err := decodeZMembers(parse(t, "*3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n")); err == nil {
		t.Error("zmembers: odd flat list accepted")
	}
	if _, err := decodeZMembers(parse(t, "*2\r\n$1\r\na\r\n$3\r\nxyz\r\n")); err == nil {
		t.Error("zmembers: a score that is not a number accepted")
	}
	fv := []FieldValue{{"f", "v"}, {"", "\x00"}}
	eq(t, "fieldValues map", fv)(decodeFieldValues(parse(t, "%2\r\n$1\r\nf\r\n$1\r\nv\r\n$0\r\n\r\n$1\r\n\x00\r\n")))
	eq(t, "fieldValues pairs", fv)(decodeFieldValues(parse(t, "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$0\r\n\r\n$1\r\n\x00\r\n")))
	eq(t, "scan", ScanResult{Cursor: 17, Elements: []string{"k1", "k2"}})(decodeScan(parse(t, "*2\r\n$2\r\n17\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n")))
	if _, err := decodeScan(parse(t, ":1\r\n")); err == nil {
		t.Error("scan: integer accepted")
	}
	msgs := []XMessage{{ID: "1-0", Fields: []FieldValue{{"a", "1"}}}, {ID: "2-0"}}
	eq(t, "xmessages", msgs)(decodeXMessages(parse(t, "*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n_\r\n")))
	streams := []XStream{{Stream: "s", Messages: msgs}, {Stream: "t", Messages: []XMessage{}}}
	eq(t, "xstreams RESP3 map", streams)(decodeXStreams(parse(t, "%2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n_\r\n$1\r\nt\r\n*0\r\n")))
	eq(t, "xstreams RESP2 array", streams)(decodeXStreams(parse(t, "*2\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n$-1\r\n*2\r\n$1\r\nt\r\n*0\r\n")))
	// Cut from shared backing arrays, the slices must not spill into each
	// other when a caller appends.
	got := val[[]XMessage](t, "xmessages")(decodeXMessages(parse(t, "*2\r\n*2\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\n2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n")))
	_ = append(got[0].Fields, FieldValue{"x", "y"})
	if got[1].Fields[0].Field != "b" {
		t.Error("appending to one message's fields changed the next message")
	}
	eq(t, "keyElements", KeyElements{Key: "k", Elements: []string{"a", "b"}})(decodeKeyElements(parse(t, "*2\r\n$1\r\nk\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")))
	eq(t, "keyZMembers", KeyZMembers{Key: "k", Members: []ZMember{{"a", 2}}})(decodeKeyZMembers(parse(t, "*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n")))
	eq(t, "keyZMember", KeyZMember{Key: "k", Member: "a", Score: -3})(decodeKeyZMember(parse(t, "*3\r\n$1\r\nk\r\n$1\r\na\r\n,-3\r\n")))
	eq(t, "rankScore", RankScore{Rank: 2, Score: 0.5})(decodeRankScore(parse(t, "*2\r\n:2\r\n$3\r\n0.5\r\n")))
	eq(t, "nullFloats", []NullFloat{{1, true}, {}})(decodeNullFloats(parse(t, "*2\r\n,1\r\n_\r\n")))
	eq(t, "nullInts", []NullInt64{{-1, true}, {}})(decodeNullInts(parse(t, "*2\r\n:-1\r\n$-1\r\n")))
	eq(t, "ints", []int64{math.MaxInt64, math.MinInt64})(decodeInts(parse(t, "*2\r\n:9223372036854775807\r\n:-9223372036854775808\r\n")))
	eq(t, "stringInts", map[string]int64{"a": 1, "b": 0})(decodeStringInts(parse(t, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:0\r\n")))
	eq(t, "geoLocations", []GeoLocation{{Member: "a", Dist: 1.5, Hash: 7, Longitude: 13, Latitude: 38}, {Member: "b"}})(
		decodeGeoLocations(parse(t, "*2\r\n*4\r\n$1\r\na\r\n$3\r\n1.5\r\n:7\r\n*2\r\n$2\r\n13\r\n$2\r\n38\r\n$1\r\nb\r\n")))
	eq(t, "geoPos", []GeoPos{{1, 2, true}, {}})(decodeGeoPos(parse(t, "*2\r\n*2\r\n,1\r\n,2\r\n*-1\r\n")))
	eq(t, "xpendingSummary empty", XPendingSummary{})(decodeXPendingSummary(parse(t, "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n")))
	eq(t, "clientInfos", []ClientInfo{{{"id", "3"}, {"name", ""}, {"cmd", "client|list"}}, {{"id", "4"}}})(
		decodeClientInfos(parse(t, "$32\r\nid=3 name= cmd=client|list\nid=4\n\r\n")))
	eq(t, "clientInfo", ClientInfo{{"id", "7"}, {"flags", "N"}})(decodeClientInfo(parse(t, "=17\r\ntxt:id=7 flags=N\n\r\n")))
	eq(t, "time", int64(1700000000123456))(func() (int64, error) {
		tm, err := decodeTime(parse(t, "*2\r\n$10\r\n1700000000\r\n$6\r\n123456\r\n"))
		return tm.UnixMicro(), err
	}())
}

// BenchmarkCommandsGenerated measures generated methods beyond the
// hand-picked ones of BenchmarkCommands: options structs and the decoders.
// Each allocates only what it returns (see the allocs column).
func BenchmarkCommandsGenerated(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	members := make([]Z, 10)
	for i := range members {
		members[i] = Z{Member: "m" + strconv.Itoa(i), Score: float64(i)}
	}
	if _, err := c.ZAdd(bg, "bench:z", nil, members...); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := c.XAdd(bg, "bench:s", "*", nil, FieldValue{"f", "v"}, FieldValue{"g", "w"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Set(bg, "bench:k", "v"); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 64)
	limit := &Limit{Offset: 0, Count: 5}
	for _, w := range []struct {
		name string
		run  func() error
	}{
		// 0 allocs: options on the stack, status and integer replies.
		{"SET/EX+XX", func() error {
			err := c.Set(bg, "bench:k", "v", SetOptions{TTL: 100 * time.Second, Condition: XX})
			return err
		}},
		{"ZADD/GT+CH", func() error {
			_, err := c.ZAdd(bg, "bench:z", &ZAddOptions{Comparison: GT, CH: true}, Z{Member: "m1", Score: 1})
			return err
		}},
		{"ZSCORE", func() error { _, err := c.ZScore(bg, "bench:z", "m5"); return err }},
		{"LPOS/missing", func() error {
			_, err := c.LPos(bg, "bench:z:none", "x", LPosOptions{Rank: -1})
			if errors.Is(err, Nil) {
				err = nil
			}
			return err
		}},
		{"GETEX/append", func() error {
			var err error
			buf, err = c.GetExAppend(bg, buf[:0], "bench:k", GetExOptions{TTL: 100 * time.Second})
			return err
		}},
		// Decoders: 2 allocs (the slice and one string arena) and up.
		{"ZRANGE/WITHSCORES+LIMIT", func() error {
			_, err := c.ZRangeWithScores(bg, "bench:z", "-inf", "+inf", ZRangeOptions{SortBy: ByScore, Limit: limit})
			return err
		}},
		{"XRANGE/10", func() error { _, err := c.XRange(bg, "bench:s", "-", "+"); return err }},
		{"SCAN", func() error { _, err := c.Scan(bg, 0, ScanOptions{Count: 10}); return err }},
	} {
		b.Run("cmd="+w.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := w.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestGeneratedKeyPrefix checks that generated methods prefix their key
// arguments (and SORT's patterns), and nothing else.
func TestGeneratedKeyPrefix(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	raw := newTestClient(t, Options{Addr: srv.Addr})
	c := newTestClient(t, Options{Addr: srv.Addr, KeyPrefix: "p:"})
	noErr(t, "SET", c.Set(bg, "a", "not-a-key"))
	noErr(t, "MSET", c.MSet(bg, "b", "1", "w_1", "2"))
	c.ZAdd(bg, "z1", nil, Z{1, "m"})
	eq(t, "ZUNIONSTORE", int64(1))(c.ZUnionStore(bg, "zu", nil, "z1", "missing"))
	c.Eval(bg, "return redis.call('SET', KEYS[1], ARGV[1])", []string{"scripted"}, "argv-not-a-key")
	c.RPush(bg, "list", "1")
	eq(t, "SORT BY GET STORE", int64(2))(c.SortStore(bg, "list", "sorted", SortOptions{By: "w_*", Get: []string{"#", "w_*"}}))
	eq(t, "sorted", []string{"1", "2"})(c.LRange(bg, "sorted", 0, -1))
	c.XAdd(bg, "s", "1-0", nil, FieldValue{"f", "v"})
	eq(t, "XREAD", "s")(func() (string, error) {
		r, err := c.XRead(bg, []string{"s"}, []string{"0"})
		if err != nil || len(r) != 1 {
			return "", err
		}
		return strings.TrimPrefix(r[0].Stream, "p:"), nil
	}())
	eq(t, "COPY", true)(c.Copy(bg, "a", "a2"))
	eq(t, "GET through the prefix", "not-a-key")(c.Get(bg, "a2"))
	keys := val[[]string](t, "KEYS p:*")(c.Keys(bg, "p:*")) // patterns are not prefixed
	eq(t, "every key prefixed", []string{"p:a", "p:a2", "p:b", "p:list", "p:s", "p:scripted", "p:sorted", "p:w_1", "p:z1", "p:zu"})(sorted(keys, nil))
	eq(t, "nothing unprefixed", []string{})(raw.Keys(bg, "[^p]*"))
	page := val[ScanResult](t, "SCAN MATCH")(c.Scan(bg, 0, ScanOptions{Match: "p:a*", Count: 100}))
	if len(page.Elements) != 2 {
		t.Errorf("SCAN MATCH p:a* = %v (patterns are not prefixed)", page.Elements)
	}
}
