package fastredis

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

type scanUser struct {
	Name    string    `redis:"name"`
	Age     int       `redis:"age"`
	Score   float64   `redis:"score"`
	Admin   bool      `redis:"admin"`
	Created time.Time `redis:"created"`
	Avatar  []byte    `redis:"avatar"`
	Note    string    `redis:"note,omitempty"`
	Visits  *int64    `redis:"visits"`
	Cached  string    // untagged: never read or written
}

// eachScanClient runs fn on RESP2 and RESP3, each with a client without
// and one with a KeyPrefix, against one server.
func eachScanClient(t *testing.T, fn func(t *testing.T, c *Client)) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		for _, prefix := range []string{"", "app:"} {
			t.Run("RESP"+strconv.Itoa(proto)+"/prefix="+prefix, func(t *testing.T) {
				c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto, KeyPrefix: prefix})
				if err := c.FlushAll(bg); err != nil {
					t.Fatal(err)
				}
				fn(t, c)
			})
		}
	}
}

func TestStructScanHash(t *testing.T) {
	eachScanClient(t, func(t *testing.T, c *Client) {
		visits := int64(3)
		in := scanUser{
			Name: awkward[2], Age: 36, Score: 1.5, Admin: true,
			Created: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC), Avatar: []byte(awkward[5] + "\xff"),
			Visits: &visits, Cached: "not sent",
		}
		eq(t, "HSetStruct", int64(7))(c.HSetStruct(bg, "user:1", &in))
		eq(t, "HSetStruct by value, again", int64(0))(c.HSetStruct(bg, "user:1", in))
		eq(t, "stored as text", map[string]string{
			"name": awkward[2], "age": "36", "score": "1.5", "admin": "1",
			"created": "2024-05-06T07:08:09.00000001Z", "avatar": awkward[5] + "\xff", "visits": "3",
		})(c.HGetAll(bg, "user:1"))

		out := scanUser{Note: "untouched", Cached: "untouched"}
		noErr(t, "HGetAllScan", c.HGetAllScan(bg, "user:1", &out))
		want := in
		want.Note, want.Cached = "untouched", "untouched"
		if !reflect.DeepEqual(out, want) {
			t.Errorf("HGetAllScan:\n got %+v\nwant %+v", out, want)
		}
		if out.Visits == in.Visits {
			t.Error("HGetAllScan reused the pointer it was given")
		}

		// Missing hash: Nil, dst untouched.
		var none scanUser
		if err := c.HGetAllScan(bg, "nope", &none); !errors.Is(err, Nil) || !reflect.DeepEqual(none, scanUser{}) {
			t.Errorf("HGetAllScan missing: %+v, %v", none, err)
		}

		// HMGET asks for the struct's fields only; missing ones stay.
		eq(t, "HSET partial", int64(3))(c.HSet(bg, "user:2", FieldValue{"name", "Bo"}, FieldValue{"age", "7"}, FieldValue{"other", "x"}))
		part := scanUser{Score: 9}
		noErr(t, "HMGetScan", c.HMGetScan(bg, "user:2", &part))
		if part.Name != "Bo" || part.Age != 7 || part.Score != 9 || part.Visits != nil {
			t.Errorf("HMGetScan partial: %+v", part)
		}
		if err := c.HMGetScan(bg, "nope", &none); !errors.Is(err, Nil) {
			t.Errorf("HMGetScan missing: %v", err)
		}

		// Bad data in the hash names the field; wrong types are server errors.
		eq(t, "HSET bad age", int64(0))(c.HSet(bg, "user:2", FieldValue{"age", "seven"}))
		for name, err := range map[string]error{
			"HGetAllScan": c.HGetAllScan(bg, "user:2", &part),
			"HMGetScan":   c.HMGetScan(bg, "user:2", &part),
		} {
			if err == nil || err.Error() != `fastredis: field Age (int): strconv.ParseInt: parsing "seven": invalid syntax` {
				t.Errorf("%s of a bad age: %v", name, err)
			}
		}
		noErr(t, "SET", c.Set(bg, "str", "x"))
		checkErr(t, "HGetAllScan of a string", "WRONGTYPE", c.HGetAllScan(bg, "str", &part))
		if _, err := c.HSetStruct(bg, "user:3", &struct{ A int }{}); err == nil {
			t.Error("HSetStruct with no tagged field: no error")
		}
		if err := c.HGetAllScan(bg, "user:1", out); err == nil {
			t.Error("HGetAllScan into a struct value: no error")
		}
	})
}

type scanConfig struct {
	Host    string        `redis:"host"`
	Port    uint16        `redis:"port"`
	Timeout time.Duration `redis:"timeout"`
	Addr    netip.Addr    `redis:"addr"`
}

func TestStructScanMGet(t *testing.T) {
	eachScanClient(t, func(t *testing.T, c *Client) {
		noErr(t, "MSET", c.MSet(bg, "cfg:host", "db.local", "cfg:port", "5432", "cfg:addr", "10.1.2.3"))
		cfg := scanConfig{Timeout: time.Second}
		noErr(t, "MGetScan", c.MGetScan(bg, "cfg:", &cfg))
		want := scanConfig{Host: "db.local", Port: 5432, Timeout: time.Second, Addr: netip.MustParseAddr("10.1.2.3")}
		if cfg != want {
			t.Errorf("MGetScan: %+v, want %+v", cfg, want)
		}
		if err := c.MGetScan(bg, "nothing:", &cfg); !errors.Is(err, Nil) {
			t.Errorf("MGetScan of missing keys: %v", err)
		}
		noErr(t, "SET", c.Set(bg, "cfg:port", "99999"))
		if err := c.MGetScan(bg, "cfg:", &cfg); err == nil || !strings.Contains(err.Error(), "field Port (uint16)") {
			t.Errorf("MGetScan of a port out of range: %v", err)
		}

		// The same from MGet's result, with keys of any name.
		vals := val[[]NullString](t, "MGET")(c.MGet(bg, "cfg:host", "missing"))
		var two scanConfig
		noErr(t, "ScanValues", ScanValues(&two, []string{"host", "port"}, vals))
		if two.Host != "db.local" || two.Port != 0 {
			t.Errorf("ScanValues: %+v", two)
		}
	})
}

type scanEvent struct {
	Kind   string    `redis:"kind"`
	User   int64     `redis:"user"`
	At     time.Time `redis:"at"`
	Amount float32   `redis:"amount,omitempty"`
}

func TestStructScanStream(t *testing.T) {
	eachScanClient(t, func(t *testing.T, c *Client) {
		at := time.Unix(1700000000, 5).UTC()
		events := []scanEvent{{"login", 1, at, 0}, {"buy", 2, at.Add(time.Hour), 9.99}}
		for i, e := range events {
			fields, err := StructFields(e)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "XADD", strconv.Itoa(i+1)+"-0")(c.XAdd(bg, "events", strconv.Itoa(i+1)+"-0", nil, fields))
		}
		msgs := val[[]XMessage](t, "XRANGE")(c.XRange(bg, "events", "-", "+"))
		if len(msgs) != 2 || len(msgs[0].Fields) != 3 {
			t.Fatalf("XRANGE: %+v", msgs)
		}
		for i, m := range msgs {
			var e scanEvent
			noErr(t, "XMessage.Scan", m.Scan(&e))
			if !e.At.Equal(events[i].At) || e.Kind != events[i].Kind || e.User != events[i].User || e.Amount != events[i].Amount {
				t.Errorf("entry %s: %+v, want %+v", m.ID, e, events[i])
			}
		}
	})
}

func TestStructScanPipeline(t *testing.T) {
	eachScanClient(t, func(t *testing.T, c *Client) {
		for _, tx := range []bool{false, true} {
			p := c.Pipeline()
			if tx {
				p = c.TxPipeline()
			}
			in := scanConfig{Host: "h", Port: 1, Timeout: time.Minute, Addr: netip.MustParseAddr("::1")}
			set := p.HSetStruct("cfg", &in)
			var all, some, keys scanConfig
			getAll := p.HGetAllScan("cfg", &all)
			getSome := p.HMGetScan("cfg", &some)
			p.MSet("k:host", "from keys")
			getKeys := p.MGetScan("k:", &keys)
			missing := p.HGetAllScan("nope", &scanConfig{})
			p.Del("cfg")
			if err := p.Exec(bg); err != nil {
				t.Fatalf("tx=%v: Exec: %v", tx, err)
			}
			if n, err := set.Result(); err != nil || n != 4 {
				t.Errorf("tx=%v: HSetStruct: %d, %v", tx, n, err)
			}
			if all != (scanConfig{}) {
				t.Errorf("tx=%v: dst filled before the Future was read: %+v", tx, all)
			}
			noErr(t, "HGetAllScan future", getAll.Err())
			noErr(t, "HMGetScan future", getSome.Err())
			noErr(t, "MGetScan future", getKeys.Err())
			if all != in || some != in || keys.Host != "from keys" {
				t.Errorf("tx=%v: %+v, %+v, %+v", tx, all, some, keys)
			}
			if err := missing.Err(); !errors.Is(err, Nil) {
				t.Errorf("tx=%v: HGetAllScan of a missing hash: %v", tx, err)
			}
		}

		// A bad dst fails its own Future; the others run (and a
		// transaction with it does not).
		p := c.Pipeline()
		bad := p.HGetAllScan("cfg", scanConfig{})
		badSet := p.HSetStruct("cfg", 42)
		ok := p.Set("after", "1")
		noErr(t, "Exec", p.Exec(bg))
		if bad.Err() == nil || badSet.Err() == nil || ok.Err() != nil {
			t.Errorf("bad dst: %v, %v; next: %v", bad.Err(), badSet.Err(), ok.Err())
		}
		tp := c.TxPipeline()
		tp.Set("tx", "1")
		tp.HMGetScan("cfg", &struct{}{})
		if err := tp.Exec(bg); err == nil {
			t.Error("transaction with a failed HMGetScan ran")
		}
		isNil[string](t, "GET tx")(c.Get(bg, "tx"))
	})
}

// Reading into a struct of numbers allocates nothing, and one of strings
// one allocation per string; writing allocates nothing.
func TestStructScanAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	ctx := context.Background()
	type numbers struct {
		A int64     `redis:"a"`
		B float64   `redis:"b"`
		C bool      `redis:"c"`
		D uint8     `redis:"d"`
		T time.Time `redis:"t"`
	}
	n := numbers{A: -1, B: 2.5, C: true, D: 9, T: time.Unix(1700000000, 0).UTC()}
	u := scanUser{Name: "Ada", Age: 36, Created: n.T, Avatar: []byte("png")}
	var dn numbers
	var du scanUser
	for _, tc := range []struct {
		name string
		want float64
		fn   func() error
	}{
		{"HSetStruct numbers", 0, func() error { _, err := c.HSetStruct(ctx, "n", &n); return err }},
		{"HSetStruct user", 0, func() error { _, err := c.HSetStruct(ctx, "u", &u); return err }},
		{"HGetAllScan numbers", 0, func() error { return c.HGetAllScan(ctx, "n", &dn) }},
		{"HMGetScan numbers", 0, func() error { return c.HMGetScan(ctx, "n", &dn) }},
		{"HGetAllScan user (a string and a []byte)", 2, func() error { return c.HGetAllScan(ctx, "u", &du) }},
	} {
		if err := tc.fn(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if allocs := testing.AllocsPerRun(200, func() { must(t, tc.fn()) }); allocs != tc.want {
			t.Errorf("%s: %v allocs per call, want %v", tc.name, allocs, tc.want)
		}
	}
	if dn != n {
		t.Errorf("numbers: %+v, want %+v", dn, n)
	}
}

func BenchmarkStructScan(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	c, err := NewClient(Options{Addr: srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	u := scanUser{Name: "Ada Lovelace", Age: 36, Score: 99.5, Admin: true, Created: time.Unix(1700000000, 0).UTC(), Avatar: []byte("png")}
	if _, err := c.HSetStruct(ctx, "bench:user", &u); err != nil {
		b.Fatal(err)
	}
	var dst scanUser
	for _, bc := range []struct {
		name string
		fn   func() error
	}{
		{"HGetAllScan", func() error { return c.HGetAllScan(ctx, "bench:user", &dst) }},
		{"HGetAll+ScanMap", func() error {
			m, err := c.HGetAll(ctx, "bench:user")
			if err == nil {
				err = ScanMap(&dst, m)
			}
			return err
		}},
		{"HMGetScan", func() error { return c.HMGetScan(ctx, "bench:user", &dst) }},
		{"HSetStruct", func() error { _, err := c.HSetStruct(ctx, "bench:user", &u); return err }},
		{"HGetAll (map, for scale)", func() error { _, err := c.HGetAll(ctx, "bench:user"); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStructScanDecode measures the scan alone, without the round
// trip: a parsed HGETALL reply (RESP3 map) into the struct.
func BenchmarkStructScanDecode(b *testing.B) {
	fields, err := StructFields(scanUser{Name: "Ada Lovelace", Age: 36, Score: 99.5, Admin: true,
		Created: time.Unix(1700000000, 0).UTC(), Avatar: []byte("png")})
	if err != nil {
		b.Fatal(err)
	}
	buf := resp.AppendMapHeader(nil, len(fields))
	for _, fv := range fields {
		buf = resp.AppendBulkString(resp.AppendBulkString(buf, fv.Field), fv.Value)
	}
	var rd resp.Reader
	v, _, err := rd.Parse(buf)
	if err != nil {
		b.Fatal(err)
	}
	var dst scanUser
	sv, s, err := structValue(&dst, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.scanPairs(sv, v); err != nil {
			b.Fatal(err)
		}
	}
}
