package fastredis

import (
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupGeneric(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("DEL EXISTS TYPE", func(t *testing.T) {
			noErr(t, "MSET", c.MSet(bg, "a", "1", "b\r\n", "2", "", "empty key"))
			eq(t, "EXISTS counts repeats", int64(4))(c.Exists(bg, "a", "a", "b\r\n", "", "missing"))
			eq(t, "TYPE string", "string")(c.Type(bg, "a"))
			eq(t, "TYPE missing", "none")(c.Type(bg, "missing"))
			eq(t, "TYPE append", []byte("string"))(c.TypeAppend(bg, nil, ""))
			eq(t, "DEL", int64(2))(c.Del(bg, "a", "", "missing"))
			eq(t, "UNLINK", int64(1))(c.Unlink(bg, "b\r\n"))
			eq(t, "TOUCH", int64(0))(c.Touch(bg, "a", "b\r\n"))
			isErr[int64](t, "DEL without keys", "ERR")(c.Del(bg))
		})
		t.Run("expiry", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "k", "v"))
			eq(t, "TTL without expiry", TTLNoExpiry)(c.TTL(bg, "k"))
			eq(t, "TTL missing", TTLNoKey)(c.TTL(bg, "missing"))
			eq(t, "PTTL missing", TTLNoKey)(c.PTTL(bg, "missing"))
			isNil[time.Time](t, "EXPIRETIME missing")(c.ExpireTime(bg, "missing"))
			eq(t, "EXPIRE XX without expiry", false)(c.Expire(bg, "k", 100*time.Second, ExpireOptions{Condition: ExpireXX}))
			eq(t, "EXPIRE NX", true)(c.Expire(bg, "k", 100*time.Second, ExpireOptions{Condition: ExpireNX}))
			eq(t, "EXPIRE NX again", false)(c.Expire(bg, "k", 200*time.Second, ExpireOptions{Condition: ExpireNX}))
			eq(t, "EXPIRE GT smaller", false)(c.Expire(bg, "k", 50*time.Second, ExpireOptions{Condition: ExpireGT}))
			eq(t, "EXPIRE LT smaller", true)(c.Expire(bg, "k", 50*time.Second, ExpireOptions{Condition: ExpireLT}))
			if ttl := val[time.Duration](t, "TTL")(c.TTL(bg, "k")); ttl <= 0 || ttl > 50*time.Second || ttl%time.Second != 0 {
				t.Errorf("TTL = %v", ttl)
			}
			eq(t, "EXPIRE missing", false)(c.Expire(bg, "missing", 10*time.Second))
			eq(t, "PEXPIRE", true)(c.PExpire(bg, "k", 80*time.Second))
			if ttl := val[time.Duration](t, "PTTL")(c.PTTL(bg, "k")); ttl <= 50*time.Second || ttl > 80*time.Second {
				t.Errorf("PTTL = %v", ttl)
			}
			at := time.Unix(time.Now().Add(time.Hour).Unix(), 0)
			eq(t, "EXPIREAT", true)(c.ExpireAt(bg, "k", at))
			eq(t, "EXPIRETIME", at)(c.ExpireTime(bg, "k"))
			eq(t, "PEXPIREAT", true)(c.PExpireAt(bg, "k", at.Add(5*time.Millisecond), PExpireAtOptions{Condition: ExpireGT}))
			eq(t, "PEXPIRETIME", at.Add(5*time.Millisecond))(c.PExpireTime(bg, "k"))
			eq(t, "PERSIST", true)(c.Persist(bg, "k"))
			eq(t, "PERSIST again", false)(c.Persist(bg, "k"))
			if _, err := c.ExpireTime(bg, "k"); !errors.Is(err, ErrNoExpiry) {
				t.Errorf("EXPIRETIME without an expiry: %v, want ErrNoExpiry", err)
			}
			eq(t, "EXPIRE in the past deletes", true)(c.Expire(bg, "k", -1*time.Second))
			eq(t, "gone", int64(0))(c.Exists(bg, "k"))
			isErr[bool](t, "EXPIRE NX and XX", "ERR")(c.Expire(bg, "missing", 10*time.Second, ExpireOptions{Condition: "NX XX"}))
		})
		t.Run("RENAME COPY MOVE", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "src", "v\x00"))
			noErr(t, "RENAME", c.Rename(bg, "src", "dst"))
			checkErr(t, "RENAME missing", "ERR", c.Rename(bg, "src", "dst"))
			noErr(t, "SET", c.Set(bg, "other", "o"))
			eq(t, "RENAMENX onto existing", false)(c.RenameNX(bg, "dst", "other"))
			eq(t, "RENAMENX", true)(c.RenameNX(bg, "dst", "src"))
			eq(t, "COPY", true)(c.Copy(bg, "src", "copy"))
			eq(t, "COPY onto existing", false)(c.Copy(bg, "src", "copy"))
			noErr(t, "SET", c.Set(bg, "src", "new"))
			eq(t, "COPY REPLACE", true)(c.Copy(bg, "src", "copy", CopyOptions{Replace: true}))
			eq(t, "copied", "new")(c.Get(bg, "copy"))
			db1 := int64(1)
			eq(t, "COPY DB 1", true)(c.Copy(bg, "src", "copy", CopyOptions{DB: &db1}))
			db0 := int64(0)
			eq(t, "COPY DB 0 (a pointer to zero is sent)", false)(c.Copy(bg, "src", "copy", CopyOptions{DB: &db0}))
			eq(t, "MOVE to a db holding the key", false)(c.Move(bg, "copy", 1))
			eq(t, "MOVE", true)(c.Move(bg, "other", 1))
			eq(t, "moved away", int64(0))(c.Exists(bg, "other"))
		})
		t.Run("SCAN KEYS RANDOMKEY", func(t *testing.T) {
			noErr(t, "FLUSHDB", c.FlushDB(bg))
			isNil[string](t, "RANDOMKEY on an empty db")(c.RandomKey(bg))
			want := []string{}
			for i := 0; i < 30; i++ {
				k := "scan:" + strconv.Itoa(i)
				noErr(t, "SET", c.Set(bg, k, "v"))
				want = append(want, k)
			}
			eq(t, "RPUSH", int64(1))(c.RPush(bg, "scan:list", "x"))
			noErr(t, "SET", c.Set(bg, "other", "v"))
			var got []string
			cursor := int64(0)
			for calls := 0; ; calls++ {
				page := val[ScanResult](t, "SCAN")(c.Scan(bg, cursor, ScanOptions{Match: "scan:*", Count: 5, Type: "string"}))
				got = append(got, page.Elements...)
				if cursor = page.Cursor; cursor == 0 || calls > 100 {
					break
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			got = dedupeStrings(got)
			if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
				t.Errorf("SCAN MATCH scan:* TYPE string found %d keys, want %d", len(got), len(want))
			}
			keys := val[[]string](t, "KEYS")(c.Keys(bg, "scan:1*"))
			if len(keys) != 11 {
				t.Errorf("KEYS scan:1* = %v", keys)
			}
			eq(t, "KEYS none", []string{})(c.Keys(bg, "nothing:*"))
			if k := val[string](t, "RANDOMKEY")(c.RandomKey(bg)); k == "" {
				t.Error("RANDOMKEY is empty")
			}
			eq(t, "DBSIZE", int64(32))(c.DBSize(bg))
		})
		t.Run("OBJECT", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "int", "12345"))
			noErr(t, "SET", c.Set(bg, "str", "short"))
			eq(t, "OBJECT ENCODING int", "int")(c.ObjectEncoding(bg, "int"))
			eq(t, "OBJECT ENCODING embstr", "embstr")(c.ObjectEncoding(bg, "str"))
			eq(t, "OBJECT ENCODING append", []byte("embstr"))(c.ObjectEncodingAppend(bg, nil, "str"))
			isNil[string](t, "OBJECT ENCODING missing")(c.ObjectEncoding(bg, "missing"))
			if n := val[int64](t, "OBJECT REFCOUNT")(c.ObjectRefCount(bg, "str")); n < 1 {
				t.Errorf("OBJECT REFCOUNT = %d", n)
			}
			if n := val[time.Duration](t, "OBJECT IDLETIME")(c.ObjectIdleTime(bg, "str")); n < 0 || n%time.Second != 0 {
				t.Errorf("OBJECT IDLETIME = %v", n)
			}
			isErr[int64](t, "OBJECT FREQ without an LFU policy", "ERR")(c.ObjectFreq(bg, "str"))
			if h := val[[]string](t, "OBJECT HELP")(c.ObjectHelp(bg)); len(h) == 0 {
				t.Error("OBJECT HELP is empty")
			}
		})
		t.Run("DUMP RESTORE", func(t *testing.T) {
			for i, v := range awkward {
				k := "d" + strconv.Itoa(i)
				noErr(t, "SET", c.Set(bg, k, v))
				dump := val[string](t, "DUMP")(c.Dump(bg, k))
				buf := val[[]byte](t, "DUMP append")(c.DumpAppend(bg, nil, k))
				if string(buf) != dump {
					t.Error("DUMP and DumpAppend differ")
				}
				checkErr(t, "RESTORE onto existing", "BUSYKEY", c.Restore(bg, k, 0, dump))
				noErr(t, "RESTORE REPLACE with TTL", c.Restore(bg, k, 100000, dump, RestoreOptions{Replace: true, IdleTime: 10 * time.Second}))
				eq(t, "restored", v)(c.Get(bg, k))
				if ttl := val[time.Duration](t, "PTTL")(c.PTTL(bg, k)); ttl <= 0 {
					t.Errorf("restored PTTL = %v", ttl)
				}
			}
			isNil[string](t, "DUMP missing")(c.Dump(bg, "missing"))
			checkErr(t, "RESTORE garbage", "ERR", c.Restore(bg, "x", 0, "not a dump"))
		})
		t.Run("SORT", func(t *testing.T) {
			eq(t, "RPUSH", int64(4))(c.RPush(bg, "l", "3", "1", "10", "2"))
			eq(t, "SORT", []NullString{{"1", true}, {"2", true}, {"3", true}, {"10", true}})(c.Sort(bg, "l"))
			eq(t, "SORT DESC LIMIT", []NullString{{"3", true}, {"2", true}})(c.Sort(bg, "l", SortOptions{Order: Desc, Limit: &Limit{Offset: 1, Count: 2}}))
			eq(t, "SORT ALPHA", []NullString{{"1", true}, {"10", true}, {"2", true}, {"3", true}})(c.Sort(bg, "l", SortOptions{Alpha: true}))
			noErr(t, "MSET weights", c.MSet(bg, "w_1", "30", "w_2", "20", "w_3", "10", "o_1", "one", "o_3", "three"))
			// w_10 is missing: weight 0, first.
			eq(t, "SORT BY GET", []NullString{{"10", true}, {}, {"3", true}, {"three", true}, {"2", true}, {}, {"1", true}, {"one", true}})(
				c.Sort(bg, "l", SortOptions{By: "w_*", Get: []string{"#", "o_*"}}))
			eq(t, "SORT BY nosort", []NullString{{"3", true}, {"1", true}, {"10", true}, {"2", true}})(c.Sort(bg, "l", SortOptions{By: "nosort"}))
			eq(t, "SORT STORE", int64(4))(c.SortStore(bg, "l", "sorted", SortOptions{Order: Desc}))
			eq(t, "stored", []string{"10", "3", "2", "1"})(c.LRange(bg, "sorted", 0, -1))
			eq(t, "SORT_RO", []NullString{{"10", true}, {"3", true}, {"2", true}, {"1", true}})(c.SortRO(bg, "l", SortROOptions{Order: Desc}))
			eq(t, "SORT missing", []NullString{})(c.Sort(bg, "missing"))
			noErr(t, "SET", c.Set(bg, "str", "x"))
			isErr[[]NullString](t, "SORT a string", "WRONGTYPE")(c.Sort(bg, "str"))
			eq(t, "RPUSH", int64(1))(c.RPush(bg, "words", "abc"))
			isErr[[]NullString](t, "SORT words numerically", "ERR")(c.Sort(bg, "words"))
		})
		t.Run("WAIT", func(t *testing.T) {
			eq(t, "WAIT without replicas", int64(0))(c.Wait(bg, 0, 10*time.Millisecond))
		})
	})
}

func dedupeStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
