package fastredis

import (
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupStream(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("XADD XRANGE XLEN", func(t *testing.T) {
			eq(t, "XADD id", "1-1")(c.XAdd(bg, "s", "1-1", nil, FieldValue{"f\r\n", "v\x00"}, FieldValue{"", ""}))
			id := val[string](t, "XADD *")(c.XAdd(bg, "s", "*", nil, FieldValue{"n", "2"}))
			if id == "" || id == "*" {
				t.Fatalf("XADD * = %q", id)
			}
			isErr[string](t, "XADD an old ID", "ERR")(c.XAdd(bg, "s", "1-0", nil, FieldValue{"x", "y"}))
			isNil[string](t, "XADD NOMKSTREAM missing")(c.XAdd(bg, "nostream", "*", &XAddOptions{NoMkStream: true}, FieldValue{"a", "b"}))
			eq(t, "no stream made", int64(0))(c.Exists(bg, "nostream"))
			eq(t, "XLEN", int64(2))(c.XLen(bg, "s"))
			eq(t, "XLEN missing", int64(0))(c.XLen(bg, "missing"))
			all := []XMessage{
				{ID: "1-1", Fields: []FieldValue{{"f\r\n", "v\x00"}, {"", ""}}},
				{ID: id, Fields: []FieldValue{{"n", "2"}}},
			}
			eq(t, "XRANGE", all)(c.XRange(bg, "s", "-", "+"))
			eq(t, "XRANGE COUNT", all[:1])(c.XRange(bg, "s", "-", "+", XRangeOptions{Count: 1}))
			eq(t, "XRANGE exclusive", all[1:])(c.XRange(bg, "s", "(1-1", "+"))
			eq(t, "XREVRANGE", []XMessage{all[1], all[0]})(c.XRevRange(bg, "s", "+", "-"))
			eq(t, "XRANGE missing", []XMessage{})(c.XRange(bg, "missing", "-", "+"))
			isErr[[]XMessage](t, "XRANGE bad ID", "ERR")(c.XRange(bg, "s", "nope", "+"))
		})
		t.Run("XADD trimming XTRIM", func(t *testing.T) {
			for i := 1; i <= 10; i++ {
				c.XAdd(bg, "t", strconv.Itoa(i)+"-0", nil, FieldValue{"i", strconv.Itoa(i)})
			}
			eq(t, "XADD MAXLEN =", "11-0")(c.XAdd(bg, "t", "11-0", &XAddOptions{Trim: &XAddTrim{Strategy: XTrimMaxLen, Operator: XTrimExact, Threshold: "5"}}, FieldValue{"i", "11"}))
			eq(t, "XLEN after MAXLEN 5", int64(5))(c.XLen(bg, "t"))
			zero := int64(0)
			eq(t, "XADD MINID ~ LIMIT 0", "12-0")(c.XAdd(bg, "t", "12-0", &XAddOptions{Trim: &XAddTrim{Strategy: XTrimMinID, Operator: XTrimApprox, Threshold: "9", Limit: &zero}}, FieldValue{"i", "12"}))
			n := val[int64](t, "XLEN")(c.XLen(bg, "t")) // ~ trims whole nodes, or nothing
			eq(t, "XTRIM MAXLEN", n-2)(c.XTrim(bg, "t", XTrimMaxLen, "2"))
			eq(t, "left", []XMessage{{ID: "11-0", Fields: []FieldValue{{"i", "11"}}}, {ID: "12-0", Fields: []FieldValue{{"i", "12"}}}})(c.XRange(bg, "t", "-", "+"))
			eq(t, "XTRIM MINID =", int64(1))(c.XTrim(bg, "t", XTrimMinID, "12", XTrimOptions{Operator: XTrimExact}))
			isErr[int64](t, "XTRIM LIMIT without ~", "ERR")(c.XTrim(bg, "t", XTrimMaxLen, "0", XTrimOptions{Limit: &zero}))
			eq(t, "XDEL", int64(1))(c.XDel(bg, "t", "12-0", "99-0"))
		})
		t.Run("groups", func(t *testing.T) {
			noErr(t, "XGROUP CREATE MKSTREAM", c.XGroupCreate(bg, "g", "grp", "$", XGroupCreateOptions{MkStream: true}))
			checkErr(t, "XGROUP CREATE twice", "BUSYGROUP", c.XGroupCreate(bg, "g", "grp", "$"))
			checkErr(t, "XGROUP CREATE missing stream", "ERR", c.XGroupCreate(bg, "missing", "grp", "0"))
			c.XAdd(bg, "g", "1-0", nil, FieldValue{"a", "1"})
			c.XAdd(bg, "g", "2-0", nil, FieldValue{"b", "2"})
			c.XAdd(bg, "g", "3-0", nil, FieldValue{"c", "3"})
			got := val[[]XStream](t, "XREADGROUP")(c.XReadGroup(bg, "grp", "alice", []string{"g"}, []string{">"}, XReadGroupOptions{Count: 2}))
			eq(t, "XREADGROUP", []XStream{{Stream: "g", Messages: []XMessage{
				{ID: "1-0", Fields: []FieldValue{{"a", "1"}}}, {ID: "2-0", Fields: []FieldValue{{"b", "2"}}},
			}}})(got, nil)
			eq(t, "XREADGROUP bob", []XStream{{Stream: "g", Messages: []XMessage{{ID: "3-0", Fields: []FieldValue{{"c", "3"}}}}}})(
				c.XReadGroup(bg, "grp", "bob", []string{"g"}, []string{">"}))
			isNil[[]XStream](t, "XREADGROUP BLOCK times out")(c.XReadGroup(bg, "grp", "bob", []string{"g"}, []string{">"}, XReadGroupOptions{Block: 50 * time.Millisecond}))
			eq(t, "XPENDING", XPendingSummary{Count: 3, Lower: "1-0", Upper: "3-0", Consumers: []XPendingConsumer{{"alice", 2}, {"bob", 1}}})(c.XPending(bg, "g", "grp"))
			ext := val[[]XPendingEntry](t, "XPENDING extended")(c.XPendingExt(bg, "g", "grp", "-", "+", 10, XPendingExtOptions{Consumer: "alice"}))
			if len(ext) != 2 || ext[0].ID != "1-0" || ext[0].Consumer != "alice" || ext[0].Deliveries != 1 || ext[0].Idle < 0 {
				t.Errorf("XPENDING - + 10 alice = %+v", ext)
			}
			eq(t, "XPENDING IDLE (none that old)", []XPendingEntry{})(c.XPendingExt(bg, "g", "grp", "-", "+", 10, XPendingExtOptions{Idle: time.Hour}))
			eq(t, "XACK", int64(1))(c.XAck(bg, "g", "grp", "1-0", "9-9"))
			// Delete a pending message: XREADGROUP of the history gives it no fields.
			eq(t, "XDEL", int64(1))(c.XDel(bg, "g", "2-0"))
			eq(t, "XREADGROUP history", []XStream{{Stream: "g", Messages: []XMessage{{ID: "2-0"}}}})(
				c.XReadGroup(bg, "grp", "alice", []string{"g"}, []string{"0"}))
			eq(t, "XCLAIM", []XMessage{{ID: "3-0", Fields: []FieldValue{{"c", "3"}}}})(c.XClaim(bg, "g", "grp", "alice", 0, nil, "3-0"))
			retry := int64(0)
			eq(t, "XCLAIM JUSTID", []string{"3-0"})(c.XClaimJustID(bg, "g", "grp", "bob", 0, &XClaimOptions{RetryCount: &retry, Force: true}, "3-0"))
			ac := val[Reply](t, "XAUTOCLAIM")(c.XAutoClaim(bg, "g", "grp", "alice", 0, "0", XAutoClaimOptions{Count: 10}))
			if len(ac.Elems) != 3 {
				t.Errorf("XAUTOCLAIM = %+v", ac)
			}
			eq(t, "XGROUP CREATECONSUMER", int64(1))(c.XGroupCreateConsumer(bg, "g", "grp", "carol"))
			consumers := val[Reply](t, "XINFO CONSUMERS")(c.XInfoConsumers(bg, "g", "grp"))
			if len(consumers.Elems) != 3 {
				t.Errorf("XINFO CONSUMERS: %d consumers", len(consumers.Elems))
			}
			eq(t, "XGROUP DELCONSUMER", int64(0))(c.XGroupDelConsumer(bg, "g", "grp", "carol"))
			groups := val[Reply](t, "XINFO GROUPS")(c.XInfoGroups(bg, "g"))
			if len(groups.Elems) != 1 {
				t.Errorf("XINFO GROUPS = %+v", groups)
			}
			noErr(t, "XGROUP SETID", c.XGroupSetID(bg, "g", "grp", "0", XGroupSetIDOptions{EntriesRead: &retry}))
			eq(t, "XGROUP DESTROY", int64(1))(c.XGroupDestroy(bg, "g", "grp"))
			eq(t, "XGROUP DESTROY again", int64(0))(c.XGroupDestroy(bg, "g", "grp"))
		})
		t.Run("XINFO STREAM XSETID", func(t *testing.T) {
			c.XAdd(bg, "i", "5-0", nil, FieldValue{"a", "1"})
			info := val[Reply](t, "XINFO STREAM")(c.XInfoStream(bg, "i"))
			m := map[string]Reply{}
			for j := 0; j+1 < len(info.Elems); j += 2 {
				m[info.Elems[j].Str] = info.Elems[j+1]
			}
			if m["length"].Int != 1 || m["last-generated-id"].Str != "5-0" {
				t.Errorf("XINFO STREAM = %+v", info)
			}
			full := val[Reply](t, "XINFO STREAM FULL")(c.XInfoStream(bg, "i", XInfoStreamOptions{Full: &XInfoStreamFull{Count: 5}}))
			if len(full.Elems) == 0 {
				t.Error("XINFO STREAM FULL is empty")
			}
			isErr[Reply](t, "XINFO STREAM missing", "ERR")(c.XInfoStream(bg, "missing"))
			noErr(t, "XSETID", c.XSetID(bg, "i", "9-0"))
			checkErr(t, "XSETID backwards", "ERR", c.XSetID(bg, "i", "1-0"))
		})
		t.Run("XREAD", func(t *testing.T) {
			c.XAdd(bg, "r1", "1-0", nil, FieldValue{"a", "1"})
			c.XAdd(bg, "r2", "1-0", nil, FieldValue{"b", "2"})
			eq(t, "XREAD two streams", []XStream{
				{Stream: "r1", Messages: []XMessage{{ID: "1-0", Fields: []FieldValue{{"a", "1"}}}}},
				{Stream: "r2", Messages: []XMessage{{ID: "1-0", Fields: []FieldValue{{"b", "2"}}}}},
			})(c.XRead(bg, []string{"r1", "r2"}, []string{"0", "0"}))
			start := time.Now()
			isNil[[]XStream](t, "XREAD BLOCK times out")(c.XRead(bg, []string{"r1"}, []string{"$"}, XReadOptions{Block: 50 * time.Millisecond, Count: 1}))
			if time.Since(start) < 40*time.Millisecond {
				t.Error("XREAD BLOCK returned early")
			}
			isNil[[]XStream](t, "XREAD nothing new")(c.XRead(bg, []string{"r1"}, []string{"1-0"}))
			isErr[[]XStream](t, "XREAD unbalanced", "ERR")(c.XRead(bg, []string{"r1", "r2"}, []string{"0"}))
		})
		t.Run("wrong type", func(t *testing.T) {
			c.Set(bg, "str", "x")
			isErr[string](t, "XADD string", "WRONGTYPE")(c.XAdd(bg, "str", "*", nil, FieldValue{"a", "b"}))
			isErr[[]XMessage](t, "XRANGE string", "WRONGTYPE")(c.XRange(bg, "str", "-", "+"))
			isErr[[]XStream](t, "XREAD string", "WRONGTYPE")(c.XRead(bg, []string{"str"}, []string{"0"}))
		})
	})
}
