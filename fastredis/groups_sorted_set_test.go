package fastredis

import (
	"math"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupSortedSet(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("ZADD options", func(t *testing.T) {
			eq(t, "ZADD", int64(3))(c.ZAdd(bg, "z", nil, Z{1, "a"}, Z{2, "b\r\n"}, Z{3, ""}))
			eq(t, "ZADD NX existing", int64(0))(c.ZAdd(bg, "z", &ZAddOptions{Condition: NX}, Z{10, "a"}))
			eq(t, "ZSCORE unchanged", 1.0)(c.ZScore(bg, "z", "a"))
			eq(t, "ZADD XX new", int64(0))(c.ZAdd(bg, "z", &ZAddOptions{Condition: XX}, Z{10, "new"}))
			isNil[float64](t, "ZSCORE not added")(c.ZScore(bg, "z", "new"))
			eq(t, "ZADD XX CH", int64(1))(c.ZAdd(bg, "z", &ZAddOptions{Condition: XX, CH: true}, Z{5, "a"}))
			eq(t, "ZADD GT lower", int64(0))(c.ZAdd(bg, "z", &ZAddOptions{Comparison: GT, CH: true}, Z{4, "a"}))
			eq(t, "ZADD LT lower", int64(1))(c.ZAdd(bg, "z", &ZAddOptions{Comparison: LT, CH: true}, Z{4, "a"}))
			eq(t, "ZADD infinities", int64(2))(c.ZAdd(bg, "z", nil, Z{math.Inf(-1), "lo"}, Z{math.Inf(1), "hi"}))
			eq(t, "ZSCORE -inf", math.Inf(-1))(c.ZScore(bg, "z", "lo"))
			eq(t, "ZSCORE +inf", math.Inf(1))(c.ZScore(bg, "z", "hi"))
			eq(t, "ZADD INCR", 6.5)(c.ZAddIncr(bg, "z", nil, Z{2.5, "a"}))
			isNil[float64](t, "ZADD NX INCR existing")(c.ZAddIncr(bg, "z", &ZAddOptions{Condition: NX}, Z{1, "a"}))
			isErr[int64](t, "ZADD NX XX", "ERR")(c.ZAdd(bg, "z", &ZAddOptions{Condition: "NX XX"}, Z{1, "a"}))
			isErr[int64](t, "ZADD NaN", "ERR")(c.ZAdd(bg, "z", nil, Z{math.NaN(), "a"}))
			isErr[float64](t, "ZADD INCR two members", "ERR")(c.ZAddIncr(bg, "z", nil, Z{1, "a"}, Z{1, "b"}))
			eq(t, "ZCARD", int64(5))(c.ZCard(bg, "z"))
		})
		t.Run("ZRANGE", func(t *testing.T) {
			c.ZAdd(bg, "r", nil, Z{1, "a"}, Z{2, "b"}, Z{3, "c"}, Z{4, "d"}, Z{5, "e"})
			eq(t, "ZRANGE by rank", []string{"a", "b", "c"})(c.ZRange(bg, "r", "0", "2"))
			eq(t, "ZRANGE REV", []string{"e", "d"})(c.ZRange(bg, "r", "0", "1", ZRangeOptions{Rev: true}))
			eq(t, "ZRANGE BYSCORE exclusive", []string{"b", "c"})(c.ZRange(bg, "r", "(1", "3", ZRangeOptions{SortBy: ByScore}))
			eq(t, "ZRANGE BYSCORE LIMIT", []string{"c", "d"})(c.ZRange(bg, "r", "-inf", "+inf", ZRangeOptions{SortBy: ByScore, Limit: &Limit{Offset: 2, Count: 2}}))
			eq(t, "ZRANGE BYSCORE REV", []string{"e", "d", "c"})(c.ZRange(bg, "r", "+inf", "3", ZRangeOptions{SortBy: ByScore, Rev: true}))
			eq(t, "ZRANGE BYLEX", []string{"b", "c"})(c.ZRange(bg, "r", "[b", "(d", ZRangeOptions{SortBy: ByLex}))
			eq(t, "ZRANGE WITHSCORES", []ZMember{{"d", 4}, {"e", 5}})(c.ZRangeWithScores(bg, "r", "-2", "-1"))
			eq(t, "ZRANGE BYSCORE REV LIMIT WITHSCORES", []ZMember{{"d", 4}})(c.ZRangeWithScores(bg, "r", "+inf", "-inf",
				ZRangeOptions{SortBy: ByScore, Rev: true, Limit: &Limit{Offset: 1, Count: 1}}))
			eq(t, "ZRANGE missing", []string{})(c.ZRange(bg, "missing", "0", "-1"))
			eq(t, "ZRANGE WITHSCORES missing", []ZMember{})(c.ZRangeWithScores(bg, "missing", "0", "-1"))
			isErr[[]string](t, "ZRANGE LIMIT without BYSCORE", "ERR")(c.ZRange(bg, "r", "0", "1", ZRangeOptions{Limit: &Limit{0, 1}}))
			eq(t, "ZRANGEBYSCORE", []string{"a", "b"})(c.ZRangeByScore(bg, "r", "-inf", "(3"))
			eq(t, "ZRANGEBYSCORE WITHSCORES LIMIT", []ZMember{{"b", 2}})(c.ZRangeByScoreWithScores(bg, "r", "1", "5", ZRangeByScoreOptions{Limit: &Limit{1, 1}}))
			eq(t, "ZREVRANGEBYSCORE", []string{"e"})(c.ZRevRangeByScore(bg, "r", "+inf", "(4"))
			eq(t, "ZREVRANGE WITHSCORES", []ZMember{{"e", 5}})(c.ZRevRangeWithScores(bg, "r", 0, 0))
			eq(t, "ZRANGEBYLEX", []string{"a", "b"})(c.ZRangeByLex(bg, "r", "-", "[b"))
			eq(t, "ZREVRANGEBYLEX", []string{"e", "d"})(c.ZRevRangeByLex(bg, "r", "+", "[d"))
			eq(t, "ZRANGESTORE", int64(2))(c.ZRangeStore(bg, "stored", "r", "4", "5", ZRangeStoreOptions{SortBy: ByScore}))
			eq(t, "stored", []ZMember{{"d", 4}, {"e", 5}})(c.ZRangeWithScores(bg, "stored", "0", "-1"))
			eq(t, "ZCOUNT", int64(5))(c.ZCount(bg, "r", "-inf", "+inf"))
			eq(t, "ZCOUNT exclusive", int64(3))(c.ZCount(bg, "r", "(1", "(5"))
			eq(t, "ZLEXCOUNT", int64(5))(c.ZLexCount(bg, "r", "-", "+"))
		})
		t.Run("scores ranks", func(t *testing.T) {
			c.ZAdd(bg, "s", nil, Z{1.5, "a"}, Z{-2, "b"}, Z{1e300, "c"})
			eq(t, "ZSCORE", 1.5)(c.ZScore(bg, "s", "a"))
			isNil[float64](t, "ZSCORE missing member")(c.ZScore(bg, "s", "nope"))
			isNil[float64](t, "ZSCORE missing key")(c.ZScore(bg, "missing", "a"))
			eq(t, "ZMSCORE", []NullFloat{{1.5, true}, {}, {1e300, true}})(c.ZMScore(bg, "s", "a", "nope", "c"))
			eq(t, "ZMSCORE missing key", []NullFloat{{}})(c.ZMScore(bg, "missing", "a"))
			eq(t, "ZINCRBY", 4.0)(c.ZIncrBy(bg, "s", 2.5, "a"))
			eq(t, "ZINCRBY new", -0.5)(c.ZIncrBy(bg, "s", -0.5, "new"))
			eq(t, "ZRANK", int64(2))(c.ZRank(bg, "s", "a"))
			eq(t, "ZREVRANK", int64(1))(c.ZRevRank(bg, "s", "a"))
			isNil[int64](t, "ZRANK missing")(c.ZRank(bg, "s", "nope"))
			if serverVersion(t, c) >= 702 {
				eq(t, "ZRANK WITHSCORE", RankScore{Rank: 2, Score: 4})(c.ZRankWithScore(bg, "s", "a"))
				eq(t, "ZREVRANK WITHSCORE", RankScore{Rank: 0, Score: 1e300})(c.ZRevRankWithScore(bg, "s", "c"))
				isNil[RankScore](t, "ZRANK WITHSCORE missing")(c.ZRankWithScore(bg, "s", "nope"))
			} else {
				isErr[RankScore](t, "ZRANK WITHSCORE before Redis 7.2", "ERR")(c.ZRankWithScore(bg, "s", "a"))
			}
			isErr[float64](t, "ZINCRBY on a string", "WRONGTYPE")(func() (float64, error) {
				c.Set(bg, "str", "x")
				return c.ZIncrBy(bg, "str", 1, "a")
			}())
		})
		t.Run("pop", func(t *testing.T) {
			c.ZAdd(bg, "p", nil, Z{1, "a"}, Z{2, "b"}, Z{3, "c"}, Z{4, "d"})
			eq(t, "ZPOPMIN", []ZMember{{"a", 1}})(c.ZPopMin(bg, "p", 1))
			eq(t, "ZPOPMAX 2", []ZMember{{"d", 4}, {"c", 3}})(c.ZPopMax(bg, "p", 2))
			eq(t, "ZPOPMIN 0", []ZMember{})(c.ZPopMin(bg, "p", 0))
			eq(t, "ZPOPMIN missing", []ZMember{})(c.ZPopMin(bg, "missing", 3))
			c.ZAdd(bg, "q", nil, Z{10, "x"}, Z{20, "y"})
			eq(t, "ZMPOP", KeyZMembers{Key: "q", Members: []ZMember{{"y", 20}, {"x", 10}}})(c.ZMPop(bg, []string{"missing", "q"}, ZMax, ZMPopOptions{Count: 5}))
			isNil[KeyZMembers](t, "ZMPOP empty")(c.ZMPop(bg, []string{"q"}, ZMin))
			eq(t, "BZPOPMIN", KeyZMember{Key: "p", Member: "b", Score: 2})(c.BZPopMin(bg, []string{"missing", "p"}, time.Second))
			start := time.Now()
			isNil[KeyZMember](t, "BZPOPMAX timeout")(c.BZPopMax(bg, []string{"p"}, 50*time.Millisecond))
			if time.Since(start) < 40*time.Millisecond {
				t.Error("BZPOPMAX returned before its timeout")
			}
			isNil[KeyZMembers](t, "BZMPOP timeout")(c.BZMPop(bg, 50*time.Millisecond, []string{"p"}, ZMin))
			c.ZAdd(bg, "p", nil, Z{-1, "z"})
			eq(t, "BZMPOP", KeyZMembers{Key: "p", Members: []ZMember{{"z", -1}}})(c.BZMPop(bg, time.Second, []string{"p"}, ZMin))
		})
		t.Run("ZRANDMEMBER", func(t *testing.T) {
			c.ZAdd(bg, "rm", nil, Z{1, "a"}, Z{2, "b"})
			if m := val[string](t, "ZRANDMEMBER")(c.ZRandMember(bg, "rm")); m != "a" && m != "b" {
				t.Errorf("ZRANDMEMBER = %q", m)
			}
			isNil[string](t, "ZRANDMEMBER missing")(c.ZRandMember(bg, "missing"))
			eq(t, "ZRANDMEMBER COUNT", []string{"a", "b"})(sorted(c.ZRandMemberCount(bg, "rm", 5)))
			ms := val[[]ZMember](t, "ZRANDMEMBER WITHSCORES")(c.ZRandMemberWithScores(bg, "rm", -5))
			if len(ms) != 5 {
				t.Errorf("ZRANDMEMBER -5 WITHSCORES = %v", ms)
			}
			for _, m := range ms {
				if (m.Member == "a" && m.Score != 1) || (m.Member == "b" && m.Score != 2) {
					t.Errorf("ZRANDMEMBER WITHSCORES pair %+v", m)
				}
			}
		})
		t.Run("ZUNIONSTORE and friends", func(t *testing.T) {
			c.ZAdd(bg, "u1", nil, Z{1, "a"}, Z{2, "b"})
			c.ZAdd(bg, "u2", nil, Z{3, "b"}, Z{4, "c"})
			eq(t, "ZUNIONSTORE", int64(3))(c.ZUnionStore(bg, "out", nil, "u1", "u2"))
			eq(t, "sum", []ZMember{{"a", 1}, {"c", 4}, {"b", 5}})(c.ZRangeWithScores(bg, "out", "0", "-1"))
			eq(t, "ZUNIONSTORE WEIGHTS AGGREGATE MAX", int64(3))(c.ZUnionStore(bg, "out", &ZUnionStoreOptions{Weights: []float64{2, 0.5}, Aggregate: AggregateMax}, "u1", "u2"))
			eq(t, "weighted max", []ZMember{{"a", 2}, {"c", 2}, {"b", 4}})(c.ZRangeWithScores(bg, "out", "0", "-1"))
			eq(t, "ZINTERSTORE MIN", int64(1))(c.ZInterStore(bg, "out", &ZInterStoreOptions{Aggregate: AggregateMin}, "u1", "u2"))
			eq(t, "min", []ZMember{{"b", 2}})(c.ZRangeWithScores(bg, "out", "0", "-1"))
			isErr[int64](t, "ZUNIONSTORE WEIGHTS count mismatch", "ERR")(c.ZUnionStore(bg, "out", &ZUnionStoreOptions{Weights: []float64{1}}, "u1", "u2"))
			eq(t, "ZUNION", []string{"a", "c", "b"})(c.ZUnion(bg, nil, "u1", "u2"))
			eq(t, "ZUNION WITHSCORES", []ZMember{{"a", 1}, {"c", 4}, {"b", 5}})(c.ZUnionWithScores(bg, nil, "u1", "u2"))
			eq(t, "ZINTER WITHSCORES WEIGHTS", []ZMember{{"b", 2*10 + 3}})(c.ZInterWithScores(bg, &ZInterOptions{Weights: []float64{10, 1}}, "u1", "u2"))
			eq(t, "ZINTERCARD", int64(1))(c.ZInterCard(bg, nil, "u1", "u2"))
			eq(t, "ZDIFF", []string{"a"})(c.ZDiff(bg, "u1", "u2"))
			eq(t, "ZDIFF WITHSCORES", []ZMember{{"c", 4}})(c.ZDiffWithScores(bg, "u2", "u1"))
			eq(t, "ZDIFFSTORE", int64(1))(c.ZDiffStore(bg, "out", "u1", "u2"))
		})
		t.Run("remove scan", func(t *testing.T) {
			c.ZAdd(bg, "d", nil, Z{1, "a"}, Z{2, "b"}, Z{3, "c"}, Z{4, "d"}, Z{5, "e"})
			eq(t, "ZREM", int64(1))(c.ZRem(bg, "d", "a", "nope"))
			eq(t, "ZREMRANGEBYSCORE", int64(1))(c.ZRemRangeByScore(bg, "d", "(1", "2"))
			eq(t, "ZREMRANGEBYRANK", int64(1))(c.ZRemRangeByRank(bg, "d", -1, -1))
			eq(t, "ZREMRANGEBYLEX", int64(1))(c.ZRemRangeByLex(bg, "d", "[c", "[c"))
			eq(t, "left", []string{"d"})(c.ZRange(bg, "d", "0", "-1"))
			page := val[ScanResult](t, "ZSCAN")(c.ZScan(bg, "d", 0, ZScanOptions{Match: "*"}))
			eq(t, "ZSCAN", ScanResult{Cursor: 0, Elements: []string{"d", "4"}})(page, nil)
		})
		t.Run("wrong type", func(t *testing.T) {
			c.Set(bg, "str", "x")
			isErr[int64](t, "ZADD string", "WRONGTYPE")(c.ZAdd(bg, "str", nil, Z{1, "a"}))
			isErr[[]ZMember](t, "ZRANGE WITHSCORES string", "WRONGTYPE")(c.ZRangeWithScores(bg, "str", "0", "-1"))
			isErr[[]ZMember](t, "ZPOPMIN string", "WRONGTYPE")(c.ZPopMin(bg, "str", 1))
			isErr[[]NullFloat](t, "ZMSCORE string", "WRONGTYPE")(c.ZMScore(bg, "str", "a"))
		})
	})
}
