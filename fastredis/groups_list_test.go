package fastredis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupList(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("push range", func(t *testing.T) {
			eq(t, "RPUSH", int64(len(awkward)))(c.RPush(bg, "l", awkward))
			eq(t, "LRANGE", awkward)(c.LRange(bg, "l", 0, -1))
			eq(t, "LPUSH", int64(len(awkward)+2))(c.LPush(bg, "l", "b", "a"))
			eq(t, "LRANGE head", []string{"a", "b", ""})(c.LRange(bg, "l", 0, 2))
			eq(t, "LRANGE out of range", []string{})(c.LRange(bg, "l", 100, 200))
			eq(t, "LRANGE missing", []string{})(c.LRange(bg, "missing", 0, -1))
			eq(t, "LLEN", int64(len(awkward)+2))(c.LLen(bg, "l"))
			eq(t, "LINDEX", "crlf\r\nin the middle")(c.LIndex(bg, "l", 4))
			eq(t, "LINDEX append", []byte("a"))(c.LIndexAppend(bg, nil, "l", 0))
			isNil[string](t, "LINDEX out of range")(c.LIndex(bg, "l", 1000))
			eq(t, "LPUSHX missing", int64(0))(c.LPushX(bg, "missing", "x"))
			eq(t, "RPUSHX", int64(len(awkward)+3))(c.RPushX(bg, "l", "z"))
			isErr[int64](t, "LPUSH without elements", "ERR")(c.LPush(bg, "l"))
		})
		t.Run("LPOS", func(t *testing.T) {
			eq(t, "RPUSH", int64(8))(c.RPush(bg, "p", "a", "b", "c", "1", "2", "3", "c", "c"))
			eq(t, "LPOS", int64(2))(c.LPos(bg, "p", "c"))
			eq(t, "LPOS RANK 2", int64(6))(c.LPos(bg, "p", "c", LPosOptions{Rank: 2}))
			eq(t, "LPOS RANK -1", int64(7))(c.LPos(bg, "p", "c", LPosOptions{Rank: -1}))
			isNil[int64](t, "LPOS MAXLEN too short")(c.LPos(bg, "p", "c", LPosOptions{MaxLen: 2}))
			isNil[int64](t, "LPOS missing element")(c.LPos(bg, "p", "x"))
			isNil[int64](t, "LPOS missing key")(c.LPos(bg, "missing", "x"))
			eq(t, "LPOS COUNT 2", []int64{2, 6})(c.LPosCount(bg, "p", "c", 2))
			eq(t, "LPOS COUNT 0 (all)", []int64{2, 6, 7})(c.LPosCount(bg, "p", "c", 0))
			eq(t, "LPOS COUNT RANK -1", []int64{7, 6})(c.LPosCount(bg, "p", "c", 2, LPosOptions{Rank: -1}))
			eq(t, "LPOS COUNT no match", []int64{})(c.LPosCount(bg, "p", "x", 0))
		})
		t.Run("LINSERT LSET LREM LTRIM", func(t *testing.T) {
			eq(t, "RPUSH", int64(3))(c.RPush(bg, "i", "a", "c", "a"))
			eq(t, "LINSERT BEFORE", int64(4))(c.LInsert(bg, "i", LInsertBefore, "c", "b"))
			eq(t, "LINSERT AFTER", int64(5))(c.LInsert(bg, "i", LInsertAfter, "c", "d\r\n"))
			eq(t, "LINSERT missing pivot", int64(-1))(c.LInsert(bg, "i", LInsertAfter, "zz", "x"))
			eq(t, "LINSERT missing key", int64(0))(c.LInsert(bg, "missing", LInsertAfter, "a", "x"))
			eq(t, "list", []string{"a", "b", "c", "d\r\n", "a"})(c.LRange(bg, "i", 0, -1))
			noErr(t, "LSET", c.LSet(bg, "i", -1, "e"))
			checkErr(t, "LSET out of range", "ERR", c.LSet(bg, "i", 99, "x"))
			eq(t, "LREM", int64(1))(c.LRem(bg, "i", 0, "a"))
			noErr(t, "LTRIM", c.LTrim(bg, "i", 1, -1))
			eq(t, "after LTRIM", []string{"c", "d\r\n", "e"})(c.LRange(bg, "i", 0, -1))
		})
		t.Run("pop move", func(t *testing.T) {
			eq(t, "RPUSH", int64(5))(c.RPush(bg, "q", "1", "2", "3", "4", "5"))
			eq(t, "LPOP", "1")(c.LPop(bg, "q"))
			eq(t, "LPOP append", []byte("2"))(c.LPopAppend(bg, nil, "q"))
			eq(t, "RPOP", "5")(c.RPop(bg, "q"))
			eq(t, "LPOP COUNT", []string{"3"})(c.LPopCount(bg, "q", 1))
			eq(t, "RPOP COUNT more than there is", []string{"4"})(c.RPopCount(bg, "q", 10))
			isNil[string](t, "LPOP missing")(c.LPop(bg, "q"))
			isNil[[]string](t, "LPOP COUNT missing")(c.LPopCount(bg, "q", 2))
			eq(t, "RPUSH", int64(3))(c.RPush(bg, "from", "a", "b", "c"))
			eq(t, "LMOVE", "a")(c.LMove(bg, "from", "to", Left, Right))
			eq(t, "LMOVE append", []byte("c"))(c.LMoveAppend(bg, nil, "from", "to", Right, Left))
			eq(t, "to", []string{"c", "a"})(c.LRange(bg, "to", 0, -1))
			isNil[string](t, "LMOVE empty")(c.LMove(bg, "missing", "to", Left, Left))
			isErr[string](t, "LMOVE bad side", "ERR")(c.LMove(bg, "from", "to", "UP", Left))
			eq(t, "RPOPLPUSH", "b")(c.RPopLPush(bg, "from", "to"))
			eq(t, "LMPOP", KeyElements{Key: "to", Elements: []string{"b", "c"}})(c.LMPop(bg, []string{"missing", "to"}, Left, LMPopOptions{Count: 2}))
			eq(t, "LMPOP one", KeyElements{Key: "to", Elements: []string{"a"}})(c.LMPop(bg, []string{"to"}, Right))
			isNil[KeyElements](t, "LMPOP empty")(c.LMPop(bg, []string{"to", "missing"}, Left))
		})
		t.Run("blocking", func(t *testing.T) {
			start := time.Now()
			isNil[[]string](t, "BLPOP timeout")(c.BLPop(bg, []string{"bl1", "bl2"}, 100*time.Millisecond))
			if d := time.Since(start); d < 80*time.Millisecond {
				t.Errorf("BLPOP returned after %v, before its timeout", d)
			}
			eq(t, "RPUSH", int64(2))(c.RPush(bg, "bl2", "x", "y"))
			eq(t, "BLPOP", []string{"bl2", "x"})(c.BLPop(bg, []string{"bl1", "bl2"}, time.Second))
			eq(t, "BRPOP", []string{"bl2", "y"})(c.BRPop(bg, []string{"bl2"}, time.Second))
			isNil[string](t, "BLMOVE timeout")(c.BLMove(bg, "bl2", "dst", Left, Left, 50*time.Millisecond))
			isNil[KeyElements](t, "BLMPOP timeout")(c.BLMPop(bg, 50*time.Millisecond, []string{"bl1"}, Left))
			isNil[string](t, "BRPOPLPUSH timeout")(c.BRPopLPush(bg, "bl1", "dst", 50*time.Millisecond))
			eq(t, "RPUSH", int64(1))(c.RPush(bg, "bl1", "z"))
			eq(t, "BLMPOP", KeyElements{Key: "bl1", Elements: []string{"z"}})(c.BLMPop(bg, time.Second, []string{"bl1"}, Right, BLMPopOptions{Count: 5}))
			// A context deadline ends the wait on the client side. The
			// abandoned BLPOP 0 still holds its connection, so use a client
			// of its own and close it.
			c1 := newTestClient(t, c.Options())
			ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
			defer cancel()
			if _, err := c1.BLPop(ctx, []string{"never"}, 0); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("BLPOP with a context deadline: %v", err)
			}
			c1.Close()
			// An element pushed while BLPOP waits wakes it.
			c2 := newTestClient(t, c.Options())
			done := make(chan []string, 1)
			go func() {
				v, _ := c2.BLPop(bg, []string{"wake"}, 5*time.Second)
				done <- v
			}()
			time.Sleep(50 * time.Millisecond)
			other := newTestClient(t, c.Options())
			eq(t, "RPUSH", int64(1))(other.RPush(bg, "wake", "up"))
			select {
			case v := <-done:
				if len(v) != 2 || v[1] != "up" {
					t.Errorf("woken BLPOP = %q", v)
				}
			case <-time.After(3 * time.Second):
				t.Error("BLPOP was not woken")
			}
		})
		t.Run("wrong type", func(t *testing.T) {
			noErr(t, "SET", c.Set(bg, "s", "x"))
			isErr[int64](t, "LPUSH string", "WRONGTYPE")(c.LPush(bg, "s", "x"))
			isErr[[]string](t, "LRANGE string", "WRONGTYPE")(c.LRange(bg, "s", 0, -1))
			isErr[int64](t, "LPOS string", "WRONGTYPE")(c.LPos(bg, "s", "x"))
			isErr[KeyElements](t, "LMPOP string", "WRONGTYPE")(c.LMPop(bg, []string{"s"}, Left))
			isErr[[]string](t, "BLPOP string", "WRONGTYPE")(c.BLPop(bg, []string{"s"}, 10*time.Millisecond))
		})
	})
}
