package fastredis

import (
	"sort"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func sorted(s []string, err error) ([]string, error) {
	sort.Strings(s)
	return s, err
}

func TestGroupSet(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("SADD SMEMBERS", func(t *testing.T) {
			eq(t, "SADD", int64(len(awkward)))(c.SAdd(bg, "s", awkward))
			eq(t, "SADD again", int64(1))(c.SAdd(bg, "s", awkward[0], "new"))
			want := append([]string{"new"}, awkward...)
			sort.Strings(want)
			eq(t, "SMEMBERS", want)(sorted(c.SMembers(bg, "s")))
			eq(t, "SMEMBERS missing", []string{})(c.SMembers(bg, "missing"))
			eq(t, "SCARD", int64(len(want)))(c.SCard(bg, "s"))
			eq(t, "SISMEMBER", true)(c.SIsMember(bg, "s", "nul\x00byte"))
			eq(t, "SISMEMBER not", false)(c.SIsMember(bg, "s", "nul"))
			eq(t, "SMISMEMBER", []bool{true, false, true})(c.SMIsMember(bg, "s", "", "nope", "\r\n"))
			eq(t, "SMISMEMBER missing key", []bool{false})(c.SMIsMember(bg, "missing", "x"))
			eq(t, "SREM", int64(2))(c.SRem(bg, "s", "new", "", "nope"))
			isErr[int64](t, "SADD without members", "ERR")(c.SAdd(bg, "s"))
		})
		t.Run("algebra", func(t *testing.T) {
			c.SAdd(bg, "a", "1", "2", "3", "4")
			c.SAdd(bg, "b", "3", "4", "5")
			c.SAdd(bg, "c", "4", "6")
			eq(t, "SINTER", []string{"4"})(sorted(c.SInter(bg, "a", "b", "c")))
			eq(t, "SINTER with missing", []string{})(c.SInter(bg, "a", "missing"))
			eq(t, "SINTERCARD", int64(2))(c.SInterCard(bg, nil, "a", "b"))
			eq(t, "SINTERCARD LIMIT", int64(1))(c.SInterCard(bg, &SInterCardOptions{Limit: 1}, "a", "b"))
			eq(t, "SUNION", []string{"1", "2", "3", "4", "5", "6"})(sorted(c.SUnion(bg, "a", "b", "c")))
			eq(t, "SDIFF", []string{"1", "2"})(sorted(c.SDiff(bg, "a", "b")))
			eq(t, "SINTERSTORE", int64(2))(c.SInterStore(bg, "ab", "a", "b"))
			eq(t, "SUNIONSTORE", int64(6))(c.SUnionStore(bg, "abc", "a", "b", "c"))
			eq(t, "SDIFFSTORE", int64(1))(c.SDiffStore(bg, "ba", "b", "a"))
			eq(t, "stored", []string{"5"})(c.SMembers(bg, "ba"))
			eq(t, "SMOVE", true)(c.SMove(bg, "a", "b", "1"))
			eq(t, "SMOVE missing member", false)(c.SMove(bg, "a", "b", "1"))
			isErr[int64](t, "SINTERCARD no keys", "ERR")(c.SInterCard(bg, nil))
		})
		t.Run("SPOP SRANDMEMBER", func(t *testing.T) {
			c.SAdd(bg, "p", "x", "y", "z")
			if m := val[string](t, "SPOP")(c.SPop(bg, "p")); m != "x" && m != "y" && m != "z" {
				t.Errorf("SPOP = %q", m)
			}
			if got := val[[]string](t, "SPOP COUNT")(c.SPopCount(bg, "p", 5)); len(got) != 2 {
				t.Errorf("SPOP 5 of 2 = %q", got)
			}
			isNil[string](t, "SPOP empty")(c.SPop(bg, "p"))
			isNil[[]byte](t, "SPOP append empty")(c.SPopAppend(bg, nil, "p"))
			eq(t, "SPOP COUNT empty", []string{})(c.SPopCount(bg, "p", 2))
			c.SAdd(bg, "r", "x", "y", "z")
			if m := val[string](t, "SRANDMEMBER")(c.SRandMember(bg, "r")); m != "x" && m != "y" && m != "z" {
				t.Errorf("SRANDMEMBER = %q", m)
			}
			eq(t, "SRANDMEMBER COUNT distinct", []string{"x", "y", "z"})(sorted(c.SRandMemberCount(bg, "r", 10)))
			if got := val[[]string](t, "SRANDMEMBER -10")(c.SRandMemberCount(bg, "r", -10)); len(got) != 10 {
				t.Errorf("SRANDMEMBER -10 gave %d", len(got))
			}
			isNil[string](t, "SRANDMEMBER missing")(c.SRandMember(bg, "missing"))
			eq(t, "SRANDMEMBER COUNT missing", []string{})(c.SRandMemberCount(bg, "missing", 3))
			eq(t, "SCARD untouched", int64(3))(c.SCard(bg, "r"))
		})
		t.Run("SSCAN", func(t *testing.T) {
			for i := 0; i < 30; i++ {
				c.SAdd(bg, "big", "m"+string(rune('a'+i%26))+string(rune('0'+i/26)))
			}
			n, cursor := 0, int64(0)
			for calls := 0; calls < 100; calls++ {
				page := val[ScanResult](t, "SSCAN")(c.SScan(bg, "big", cursor, SScanOptions{Match: "m*", Count: 7}))
				n += len(page.Elements)
				if cursor = page.Cursor; cursor == 0 {
					break
				}
			}
			if n < 30 {
				t.Errorf("SSCAN found %d members, want 30", n)
			}
		})
		t.Run("wrong type", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "str", "x"))
			isErr[int64](t, "SADD string", "WRONGTYPE")(c.SAdd(bg, "str", "x"))
			isErr[[]string](t, "SMEMBERS string", "WRONGTYPE")(c.SMembers(bg, "str"))
			isErr[[]bool](t, "SMISMEMBER string", "WRONGTYPE")(c.SMIsMember(bg, "str", "x"))
			isErr[string](t, "SPOP string", "WRONGTYPE")(c.SPop(bg, "str"))
		})
	})
}
