package fastredis

import (
	"errors"
	"sort"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupHash(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("HSET HGET HGETALL", func(t *testing.T) {
			var fvs []FieldValue
			want := map[string]string{}
			for i, v := range awkward {
				f := "f\r\n" + strconv.Itoa(i)
				fvs = append(fvs, FieldValue{Field: f, Value: v})
				want[f] = v
			}
			eq(t, "HSET", int64(len(awkward)))(c.HSet(bg, "h", fvs))
			eq(t, "HSET again: no new fields", int64(0))(c.HSet(bg, "h", fvs[:2]))
			for _, fv := range fvs {
				eq(t, "HGET", fv.Value)(c.HGet(bg, "h", fv.Field))
				eq(t, "HSTRLEN", int64(len(fv.Value)))(c.HStrLen(bg, "h", fv.Field))
			}
			eq(t, "HGET append", []byte(">"+awkward[1]))(c.HGetAppend(bg, []byte(">"), "h", fvs[1].Field))
			isNil[string](t, "HGET missing field")(c.HGet(bg, "h", "nope"))
			isNil[string](t, "HGET missing key")(c.HGet(bg, "missing", "f"))
			eq(t, "HGETALL", want)(c.HGetAll(bg, "h"))
			eq(t, "HGETALL missing", map[string]string{})(c.HGetAll(bg, "missing"))
			eq(t, "HLEN", int64(len(awkward)))(c.HLen(bg, "h"))
			eq(t, "HSTRLEN missing", int64(0))(c.HStrLen(bg, "h", "nope"))
			keys := val[[]string](t, "HKEYS")(c.HKeys(bg, "h"))
			vals := val[[]string](t, "HVALS")(c.HVals(bg, "h"))
			if len(keys) != len(awkward) || len(vals) != len(awkward) {
				t.Errorf("HKEYS, HVALS: %d, %d", len(keys), len(vals))
			}
			eq(t, "HMGET", []NullString{{awkward[1], true}, {}, {awkward[0], true}})(c.HMGet(bg, "h", fvs[1].Field, "nope", fvs[0].Field))
			eq(t, "HMGET missing key", []NullString{{}, {}})(c.HMGet(bg, "missing", "a", "b"))
			eq(t, "HEXISTS", true)(c.HExists(bg, "h", fvs[0].Field))
			eq(t, "HSETNX existing", false)(c.HSetNX(bg, "h", fvs[0].Field, "x"))
			eq(t, "HSETNX new", true)(c.HSetNX(bg, "h", "new", "x"))
			noErr(t, "HMSET", c.HMSet(bg, "h", FieldValue{"m1", "1"}, FieldValue{"m2", "2"}))
			eq(t, "HDEL", int64(2))(c.HDel(bg, "h", "m1", "m2", "nope"))
			// Refused before anything is sent: the server would say ERR.
			if _, err := c.HSet(bg, "h"); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("HSET without pairs: err = %v, want ErrInvalidArgument", err)
			}
		})
		t.Run("HINCRBY", func(t *testing.T) {
			eq(t, "HINCRBY new", int64(-5))(c.HIncrBy(bg, "n", "i", -5))
			eq(t, "HINCRBY", int64(9223372036854775802))(c.HIncrBy(bg, "n", "i", 9223372036854775807))
			isErr[int64](t, "HINCRBY overflow", "ERR")(c.HIncrBy(bg, "n", "i", 10))
			eq(t, "HINCRBYFLOAT", 1.5)(c.HIncrByFloat(bg, "n", "f", 1.5))
			eq(t, "HINCRBYFLOAT again", 1.0)(c.HIncrByFloat(bg, "n", "f", -0.5))
			eq(t, "HSET", int64(1))(c.HSet(bg, "n", FieldValue{"s", "abc"}))
			isErr[int64](t, "HINCRBY text", "ERR")(c.HIncrBy(bg, "n", "s", 1))
			isErr[float64](t, "HINCRBYFLOAT text", "ERR")(c.HIncrByFloat(bg, "n", "s", 1))
		})
		t.Run("HRANDFIELD", func(t *testing.T) {
			eq(t, "HSET", int64(3))(c.HSet(bg, "r", FieldValue{"a", "1"}, FieldValue{"b", "2"}, FieldValue{"c", "3"}))
			if f := val[string](t, "HRANDFIELD")(c.HRandField(bg, "r")); f != "a" && f != "b" && f != "c" {
				t.Errorf("HRANDFIELD = %q", f)
			}
			isNil[string](t, "HRANDFIELD missing")(c.HRandField(bg, "missing"))
			isNil[[]byte](t, "HRANDFIELD append missing")(c.HRandFieldAppend(bg, nil, "missing"))
			got := val[[]string](t, "HRANDFIELD COUNT")(c.HRandFieldCount(bg, "r", 5))
			sort.Strings(got)
			eq(t, "HRANDFIELD COUNT distinct", []string{"a", "b", "c"})(got, nil)
			if got := val[[]string](t, "HRANDFIELD negative")(c.HRandFieldCount(bg, "r", -7)); len(got) != 7 {
				t.Errorf("HRANDFIELD -7 gave %d fields", len(got))
			}
			eq(t, "HRANDFIELD COUNT missing key", []string{})(c.HRandFieldCount(bg, "missing", 3))
			fvs := val[[]FieldValue](t, "HRANDFIELD WITHVALUES")(c.HRandFieldWithValues(bg, "r", -4))
			if len(fvs) != 4 {
				t.Errorf("HRANDFIELD -4 WITHVALUES = %v", fvs)
			}
			for _, fv := range fvs {
				if want := map[string]string{"a": "1", "b": "2", "c": "3"}[fv.Field]; fv.Value != want {
					t.Errorf("HRANDFIELD WITHVALUES pair %+v", fv)
				}
			}
		})
		t.Run("HSCAN", func(t *testing.T) {
			for i := 0; i < 40; i++ {
				c.HSet(bg, "big", FieldValue{"field:" + strconv.Itoa(i), strconv.Itoa(i)}, FieldValue{"other:" + strconv.Itoa(i), "x"})
			}
			got := map[string]string{}
			cursor := int64(0)
			for calls := 0; calls < 100; calls++ {
				page := val[ScanResult](t, "HSCAN")(c.HScan(bg, "big", cursor, HScanOptions{Match: "field:*", Count: 10}))
				if len(page.Elements)%2 != 0 {
					t.Fatalf("HSCAN elements are not pairs: %q", page.Elements)
				}
				for i := 0; i < len(page.Elements); i += 2 {
					got[page.Elements[i]] = page.Elements[i+1]
				}
				if cursor = page.Cursor; cursor == 0 {
					break
				}
			}
			if len(got) != 40 || got["field:7"] != "7" {
				t.Errorf("HSCAN MATCH found %d fields", len(got))
			}
			eq(t, "HSCAN missing", ScanResult{Elements: []string{}})(c.HScan(bg, "missing", 0))
		})
		t.Run("wrong type", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "s", "x"))
			isErr[int64](t, "HSET string", "WRONGTYPE")(c.HSet(bg, "s", FieldValue{"f", "v"}))
			isErr[string](t, "HGET string", "WRONGTYPE")(c.HGet(bg, "s", "f"))
			isErr[map[string]string](t, "HGETALL string", "WRONGTYPE")(c.HGetAll(bg, "s"))
			isErr[[]FieldValue](t, "HRANDFIELD string", "WRONGTYPE")(c.HRandFieldWithValues(bg, "s", 1))
			isErr[ScanResult](t, "HSCAN string", "WRONGTYPE")(c.HScan(bg, "s", 0))
		})
	})
}
