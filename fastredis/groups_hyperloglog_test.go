package fastredis

import (
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupHyperLogLog(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		eq(t, "PFADD", true)(c.PFAdd(bg, "h1", awkward))
		eq(t, "PFADD known", false)(c.PFAdd(bg, "h1", awkward[1]))
		eq(t, "PFADD no elements, new key", true)(c.PFAdd(bg, "empty"))
		eq(t, "PFADD no elements, existing key", false)(c.PFAdd(bg, "empty"))
		eq(t, "PFCOUNT", int64(len(awkward)))(c.PFCount(bg, "h1"))
		eq(t, "PFCOUNT missing", int64(0))(c.PFCount(bg, "missing"))
		var many []string
		for i := 0; i < 1000; i++ {
			many = append(many, strconv.Itoa(i))
		}
		eq(t, "PFADD many", true)(c.PFAdd(bg, "h2", many))
		if n := val[int64](t, "PFCOUNT many")(c.PFCount(bg, "h2")); n < 980 || n > 1020 {
			t.Errorf("PFCOUNT of 1000 = %d", n)
		}
		noErr(t, "PFMERGE", c.PFMerge(bg, "merged", "h1", "h2"))
		if n := val[int64](t, "PFCOUNT merged")(c.PFCount(bg, "merged")); n < 980+int64(len(awkward))-20 {
			t.Errorf("PFCOUNT merged = %d", n)
		}
		if n := val[int64](t, "PFCOUNT union")(c.PFCount(bg, "h1", "h2")); n < 980 {
			t.Errorf("PFCOUNT h1 h2 = %d", n)
		}
		noErr(t, "PFMERGE into itself, no sources", c.PFMerge(bg, "merged"))
		c.Set(bg, "str", "not a hll")
		isErr[bool](t, "PFADD string", "WRONGTYPE")(c.PFAdd(bg, "str", "x"))
		isErr[int64](t, "PFCOUNT string", "WRONGTYPE")(c.PFCount(bg, "str"))
		checkErr(t, "PFMERGE from string", "WRONGTYPE", c.PFMerge(bg, "merged", "str"))
	})
}
