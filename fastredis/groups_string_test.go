package fastredis

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupString(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("SET GET values", func(t *testing.T) {
			for i, v := range awkward {
				k := "k\r\n" + strconv.Itoa(i)
				noErr(t, "SET", c.Set(bg, k, v))
				eq(t, "GET", v)(c.Get(bg, k))
				eq(t, "GET append", []byte("pre:"+v))(c.GetAppend(bg, []byte("pre:"), k))
				eq(t, "STRLEN", int64(len(v)))(c.StrLen(bg, k))
			}
			isNil[string](t, "GET missing")(c.Get(bg, "missing"))
			isNil[[]byte](t, "GET append missing")(c.GetAppend(bg, nil, "missing"))
			eq(t, "STRLEN missing", int64(0))(c.StrLen(bg, "missing"))
		})
		t.Run("SET options", func(t *testing.T) {
			noErr(t, "SET NX new", c.Set(bg, "nx", "1", SetOptions{Condition: NX}))
			isNil[struct{}](t, "SET NX existing")(struct{}{}, c.Set(bg, "nx", "2", SetOptions{Condition: NX}))
			isNil[struct{}](t, "SET XX missing")(struct{}{}, c.Set(bg, "xx", "1", SetOptions{Condition: XX}))
			noErr(t, "SET XX existing", c.Set(bg, "nx", "3", SetOptions{Condition: XX}))
			eq(t, "GET after XX", "3")(c.Get(bg, "nx"))

			noErr(t, "SET EX", c.Set(bg, "ex", "v", SetOptions{TTL: 100 * time.Second}))
			if ttl := val[time.Duration](t, "TTL")(c.TTL(bg, "ex")); ttl <= 0 || ttl > 100*time.Second {
				t.Errorf("TTL after EX 100 = %v", ttl)
			}
			noErr(t, "SET PX", c.Set(bg, "px", "v", SetOptions{TTL: 100000 * time.Millisecond}))
			if ttl := val[time.Duration](t, "PTTL")(c.PTTL(bg, "px")); ttl <= 0 || ttl > 100*time.Second {
				t.Errorf("PTTL after PX = %v", ttl)
			}
			at := time.Now().Add(time.Hour)
			noErr(t, "SET EXAT", c.Set(bg, "exat", "v", SetOptions{ExpireAt: time.Unix(at.Unix(), 0)}))
			eq(t, "EXPIRETIME", time.Unix(at.Unix(), 0))(c.ExpireTime(bg, "exat"))
			noErr(t, "SET PXAT", c.Set(bg, "pxat", "v", SetOptions{ExpireAt: time.UnixMilli(at.UnixMilli())}))
			eq(t, "PEXPIRETIME", time.UnixMilli(at.UnixMilli()))(c.PExpireTime(bg, "pxat"))
			noErr(t, "SET KEEPTTL", c.Set(bg, "ex", "w", SetOptions{KeepTTL: true}))
			if ttl := val[time.Duration](t, "TTL")(c.TTL(bg, "ex")); ttl <= 0 {
				t.Errorf("TTL after KEEPTTL = %v, want kept", ttl)
			}
			noErr(t, "SET without KEEPTTL", c.Set(bg, "ex", "x"))
			eq(t, "TTL cleared", TTLNoExpiry)(c.TTL(bg, "ex"))
			checkErr(t, "SET EX negative", "ERR", c.Set(bg, "ex", "x", SetOptions{TTL: -5 * time.Second}))
			checkErr(t, "SET TTL and ExpireAt", "ERR", c.Set(bg, "ex", "x", SetOptions{TTL: 5 * time.Second, ExpireAt: time.Now().Add(time.Hour)}))

			eq(t, "SET GET", "x")(c.SetGet(bg, "ex", "y"))
			isNil[string](t, "SET GET missing")(c.SetGet(bg, "new", "y"))
			eq(t, "SET GET value", "y")(c.Get(bg, "new"))
			eq(t, "SET NX GET existing", "y")(c.SetGet(bg, "new", "z", SetOptions{Condition: NX}))
			eq(t, "not overwritten", "y")(c.Get(bg, "new"))
			eq(t, "SET GET append", []byte("y"))(c.SetGetAppend(bg, nil, "new", "\x00", SetOptions{TTL: 10 * time.Second}))
			eq(t, "binary value", "\x00")(c.Get(bg, "new"))
		})
		t.Run("GETEX GETDEL", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "g", "v\r\n"))
			eq(t, "GETEX EX", "v\r\n")(c.GetEx(bg, "g", GetExOptions{TTL: 50 * time.Second}))
			if ttl := val[time.Duration](t, "TTL")(c.TTL(bg, "g")); ttl <= 0 || ttl > 50*time.Second {
				t.Errorf("TTL after GETEX EX = %v", ttl)
			}
			eq(t, "GETEX PERSIST", "v\r\n")(c.GetEx(bg, "g", GetExOptions{Persist: true}))
			eq(t, "TTL after PERSIST", TTLNoExpiry)(c.TTL(bg, "g"))
			eq(t, "GETEX plain append", []byte("v\r\n"))(c.GetExAppend(bg, nil, "g"))
			isNil[string](t, "GETEX missing")(c.GetEx(bg, "missing", GetExOptions{TTL: 5 * time.Millisecond}))
			eq(t, "GETDEL", "v\r\n")(c.GetDel(bg, "g"))
			isNil[string](t, "GETDEL again")(c.GetDel(bg, "g"))
			eq(t, "EXISTS", int64(0))(c.Exists(bg, "g"))
		})
		t.Run("APPEND GETRANGE SETRANGE", func(t *testing.T) {
			eq(t, "APPEND new", int64(5))(c.Append(bg, "s", "hello"))
			eq(t, "APPEND", int64(8))(c.Append(bg, "s", "\r\n!"))
			eq(t, "GETRANGE", "ell")(c.GetRange(bg, "s", 1, 3))
			eq(t, "GETRANGE negative", "\r\n!")(c.GetRange(bg, "s", -3, -1))
			eq(t, "GETRANGE missing", "")(c.GetRange(bg, "missing", 0, 10))
			eq(t, "GETRANGE append", []byte("hello"))(c.GetRangeAppend(bg, nil, "s", 0, 4))
			eq(t, "SETRANGE past the end", int64(12))(c.SetRange(bg, "s", 10, "XY"))
			eq(t, "zero padded", "hello\r\n!\x00\x00XY")(c.Get(bg, "s"))
			isErr[int64](t, "SETRANGE negative offset", "ERR")(c.SetRange(bg, "s", -1, "x"))
			eq(t, "SUBSTR", "he")(c.SubStr(bg, "s", 0, 1))
		})
		t.Run("counters", func(t *testing.T) {
			eq(t, "INCR new", int64(1))(c.Incr(bg, "n"))
			eq(t, "INCRBY", int64(-9))(c.IncrBy(bg, "n", -10))
			eq(t, "DECR", int64(-10))(c.Decr(bg, "n"))
			eq(t, "DECRBY", int64(0))(c.DecrBy(bg, "n", -10))
			eq(t, "INCRBYFLOAT", 10.5)(c.IncrByFloat(bg, "f", 10.5))
			eq(t, "INCRBYFLOAT negative", 0.25)(c.IncrByFloat(bg, "f", -10.25))
			noErr(t, "SET max", c.Set(bg, "max", strconv.FormatInt(math.MaxInt64, 10)))
			isErr[int64](t, "INCR past MaxInt64", "ERR")(c.Incr(bg, "max"))
			eq(t, "INCRBY MinInt64+1 from max", int64(-1))(c.IncrBy(bg, "max", math.MinInt64))
			noErr(t, "SET min", c.Set(bg, "min", strconv.FormatInt(math.MinInt64, 10)))
			isErr[int64](t, "DECR past MinInt64", "ERR")(c.Decr(bg, "min"))
			eq(t, "INCR from MinInt64", int64(math.MinInt64+1))(c.Incr(bg, "min"))
			noErr(t, "SET text", c.Set(bg, "text", "abc"))
			isErr[int64](t, "INCR text", "ERR")(c.Incr(bg, "text"))
			isErr[float64](t, "INCRBYFLOAT text", "ERR")(c.IncrByFloat(bg, "text", 1))
		})
		t.Run("MSET MSETNX MGET", func(t *testing.T) {
			noErr(t, "MSET", c.MSet(bg, "a", "1", "b", "", "c\x00", "\r\n"))
			eq(t, "MGET", []NullString{{"1", true}, {"", true}, {}, {"\r\n", true}})(c.MGet(bg, "a", "b", "missing", "c\x00"))
			eq(t, "MSETNX with an existing key", false)(c.MSetNX(bg, "a", "2", "d", "4"))
			isNil[string](t, "MSETNX set nothing")(c.Get(bg, "d"))
			eq(t, "MSETNX new keys", true)(c.MSetNX(bg, "d", "4", "e", "5"))
			eq(t, "MGET after MSETNX", []NullString{{"4", true}, {"5", true}})(c.MGet(bg, "d", "e"))
			// Refused before anything is sent: the server would say ERR.
			if _, err := c.MSetNX(bg); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("MSETNX without pairs: err = %v, want ErrInvalidArgument", err)
			}
		})
		t.Run("LCS", func(t *testing.T) {
			noErr(t, "MSET", c.MSet(bg, "key1", "ohmytext", "key2", "mynewtext"))
			eq(t, "LCS", "mytext")(c.LCS(bg, "key1", "key2"))
			eq(t, "LCS append", []byte(">mytext"))(c.LCSAppend(bg, []byte(">"), "key1", "key2"))
			eq(t, "LCS LEN", int64(6))(c.LCSLen(bg, "key1", "key2"))
			eq(t, "LCS missing keys", "")(c.LCS(bg, "nokey1", "nokey2"))
			r := val[Reply](t, "LCS IDX")(c.LCSIdx(bg, "key1", "key2", LCSIdxOptions{MinMatchLen: 4, WithMatchLen: true}))
			if len(r.Elems) != 4 || r.Elems[0].Str != "matches" || r.Elems[2].Str != "len" || r.Elems[3].Int != 6 {
				t.Errorf("LCS IDX = %+v", r)
			}
			if len(r.Elems[1].Elems) != 1 {
				t.Errorf("LCS IDX MINMATCHLEN 4: %d matches, want 1", len(r.Elems[1].Elems))
			}
		})
		t.Run("deprecated forms", func(t *testing.T) {
			noErr(t, "SETEX", c.SetEx(bg, "se", 100*time.Second, "v"))
			if ttl := val[time.Duration](t, "TTL")(c.TTL(bg, "se")); ttl <= 0 {
				t.Errorf("SETEX TTL = %v", ttl)
			}
			noErr(t, "PSETEX", c.PSetEx(bg, "pse", 100*time.Second, "v"))
			eq(t, "SETNX new", true)(c.SetNX(bg, "snx", "1"))
			eq(t, "SETNX existing", false)(c.SetNX(bg, "snx", "2"))
			eq(t, "GETSET", "1")(c.GetSet(bg, "snx", "3"))
			isNil[string](t, "GETSET missing")(c.GetSet(bg, "gsnew", "3"))
			checkErr(t, "SETEX 0", "ERR", c.SetEx(bg, "se", 0, "v"))
		})
		t.Run("wrong type", func(t *testing.T) {
			eq(t, "LPUSH", int64(1))(c.LPush(bg, "list", "x"))
			isErr[string](t, "GET list", "WRONGTYPE")(c.Get(bg, "list"))
			isErr[[]byte](t, "GET append list", "WRONGTYPE")(c.GetAppend(bg, nil, "list"))
			isErr[int64](t, "APPEND list", "WRONGTYPE")(c.Append(bg, "list", "x"))
			isErr[int64](t, "INCR list", "WRONGTYPE")(c.Incr(bg, "list"))
			isErr[string](t, "SET GET list", "WRONGTYPE")(c.SetGet(bg, "list", "x"))
			noErr(t, "SET over a list", c.Set(bg, "list", "now a string"))
		})
	})
}
