package fastredis

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupServer(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("keyspace", func(t *testing.T) {
			eq(t, "DBSIZE empty", int64(0))(c.DBSize(bg))
			c.MSet(bg, "a", "1", "b", "2")
			eq(t, "DBSIZE", int64(2))(c.DBSize(bg))
			noErr(t, "FLUSHDB ASYNC", c.FlushDB(bg, FlushDBOptions{FlushType: FlushAsync}))
			eq(t, "DBSIZE after FLUSHDB", int64(0))(c.DBSize(bg))
			c.Set(bg, "in0", "x")
			noErr(t, "SWAPDB", c.SwapDB(bg, 0, 1))
			eq(t, "DBSIZE after SWAPDB", int64(0))(c.DBSize(bg))
			noErr(t, "SWAPDB back", c.SwapDB(bg, 1, 0))
			eq(t, "key back", "x")(c.Get(bg, "in0"))
			if n := val[int64](t, "MEMORY USAGE")(c.MemoryUsage(bg, "in0")); n <= 0 {
				t.Errorf("MEMORY USAGE = %d", n)
			}
			all := int64(0)
			if n := val[int64](t, "MEMORY USAGE SAMPLES 0")(c.MemoryUsage(bg, "in0", MemoryUsageOptions{Samples: &all})); n <= 0 {
				t.Errorf("MEMORY USAGE SAMPLES 0 = %d", n)
			}
			isNil[int64](t, "MEMORY USAGE missing")(c.MemoryUsage(bg, "missing"))
			noErr(t, "FLUSHALL SYNC", c.FlushAll(bg, FlushAllOptions{FlushType: FlushSync}))
		})
		t.Run("INFO CONFIG TIME", func(t *testing.T) {
			info := val[string](t, "INFO")(c.Info(bg))
			if !strings.Contains(info, "redis_version:") || !strings.Contains(info, "# Keyspace") {
				t.Errorf("INFO lacks sections: %.100q", info)
			}
			info = val[string](t, "INFO server clients")(c.Info(bg, "server", "clients"))
			if !strings.Contains(info, "connected_clients:") || strings.Contains(info, "# Memory") {
				t.Errorf("INFO server clients: %.200q", info)
			}
			if b := val[[]byte](t, "INFO append")(c.InfoAppend(bg, []byte("x"), "server")); len(b) < 10 || b[0] != 'x' {
				t.Errorf("INFO append = %.20q", b)
			}
			eq(t, "CONFIG GET", map[string]string{"maxmemory-policy": "noeviction"})(c.ConfigGet(bg, "maxmemory-policy"))
			noErr(t, "CONFIG SET two", c.ConfigSet(bg, "maxmemory-policy", "allkeys-lru", "hz", "20"))
			eq(t, "CONFIG GET two", map[string]string{"maxmemory-policy": "allkeys-lru", "hz": "20"})(c.ConfigGet(bg, "maxmemory-policy", "hz"))
			if m := val[map[string]string](t, "CONFIG GET pattern")(c.ConfigGet(bg, "maxmemory*")); len(m) < 3 {
				t.Errorf("CONFIG GET maxmemory* = %v", m)
			}
			eq(t, "CONFIG GET unknown", map[string]string{})(c.ConfigGet(bg, "no-such-parameter"))
			checkErr(t, "CONFIG SET bad value", "ERR", c.ConfigSet(bg, "hz", "fast"))
			noErr(t, "CONFIG SET back", c.ConfigSet(bg, "maxmemory-policy", "noeviction", "hz", "10"))
			noErr(t, "CONFIG RESETSTAT", c.ConfigResetStat(bg))
			now := val[time.Time](t, "TIME")(c.Time(bg))
			if d := time.Since(now); d < -time.Minute || d > time.Minute {
				t.Errorf("TIME = %v, %v from the local clock", now, d)
			}
			if ls := val[int64](t, "LASTSAVE")(c.LastSave(bg)); ls <= 0 {
				t.Errorf("LASTSAVE = %d", ls)
			}
		})
		t.Run("COMMAND", func(t *testing.T) {
			n := val[int64](t, "COMMAND COUNT")(c.CommandCount(bg))
			if n < 200 {
				t.Errorf("COMMAND COUNT = %d", n)
			}
			names := val[[]string](t, "COMMAND LIST")(c.CommandList(bg))
			if int64(len(names)) < n { // subcommands included
				t.Errorf("COMMAND LIST has %d names, COMMAND COUNT says %d", len(names), n)
			}
			filtered := val[[]string](t, "COMMAND LIST FILTERBY PATTERN")(c.CommandList(bg, CommandListOptions{Pattern: "zrange*"}))
			slices.Sort(filtered)
			eq(t, "zrange*", []string{"zrange", "zrangebylex", "zrangebyscore", "zrangestore"})(filtered, nil)
			if got := val[[]string](t, "COMMAND LIST ACLCAT")(c.CommandList(bg, CommandListOptions{ACLCat: "hyperloglog"})); len(got) < 3 {
				t.Errorf("COMMAND LIST FILTERBY ACLCAT hyperloglog = %v", got)
			}
			eq(t, "COMMAND GETKEYS", []string{"k1", "k2"})(c.CommandGetKeys(bg, "MSET", "k1", "v1", "k2", "v2"))
			isErr[[]string](t, "COMMAND GETKEYS without keys", "ERR")(c.CommandGetKeys(bg, "PING"))
			if r := val[Reply](t, "COMMAND GETKEYSANDFLAGS")(c.CommandGetKeysAndFlags(bg, "LMOVE", "a", "b", "LEFT", "RIGHT")); len(r.Elems) != 2 {
				t.Errorf("COMMAND GETKEYSANDFLAGS = %+v", r)
			}
			if r := val[Reply](t, "COMMAND INFO")(c.CommandInfo(bg, "get", "nosuchcommand")); len(r.Elems) != 2 || !r.Elems[1].IsNull() {
				t.Errorf("COMMAND INFO = %+v", r)
			}
			if r := val[Reply](t, "COMMAND DOCS")(c.CommandDocs(bg, "get")); len(r.Elems) != 2 {
				t.Errorf("COMMAND DOCS get = %+v", r)
			}
			if h := val[[]string](t, "COMMAND HELP")(c.CommandHelp(bg)); len(h) == 0 {
				t.Error("COMMAND HELP is empty")
			}
		})
		t.Run("diagnostics", func(t *testing.T) {
			noErr(t, "SLOWLOG RESET", c.SlowLogReset(bg))
			eq(t, "SLOWLOG LEN", int64(0))(c.SlowLogLen(bg))
			all := int64(-1)
			if r := val[Reply](t, "SLOWLOG GET -1")(c.SlowLogGet(bg, SlowLogGetOptions{Count: &all})); len(r.Elems) > 1 {
				t.Errorf("SLOWLOG GET = %+v", r)
			}
			if r := val[Reply](t, "ROLE")(c.Role(bg)); len(r.Elems) != 3 || r.Elems[0].Str != "master" {
				t.Errorf("ROLE = %+v", r)
			}
			if s := val[string](t, "LOLWUT")(c.Lolwut(bg, LolwutOptions{Version: 5})); !strings.Contains(s, "Redis ver.") {
				t.Errorf("LOLWUT = %.80q", s)
			}
			if s := val[string](t, "MEMORY DOCTOR")(c.MemoryDoctor(bg)); s == "" {
				t.Error("MEMORY DOCTOR is empty")
			}
			if r := val[Reply](t, "MEMORY STATS")(c.MemoryStats(bg)); len(r.Elems) < 10 {
				t.Errorf("MEMORY STATS = %+v", r)
			}
			noErr(t, "MEMORY PURGE", c.MemoryPurge(bg))
			eq(t, "LATENCY RESET", int64(0))(c.LatencyReset(bg))
			if r := val[Reply](t, "LATENCY LATEST")(c.LatencyLatest(bg)); len(r.Elems) != 0 {
				t.Errorf("LATENCY LATEST after RESET = %+v", r)
			}
			if r := val[Reply](t, "MODULE LIST")(c.ModuleList(bg)); len(r.Elems) != 0 {
				t.Errorf("MODULE LIST = %+v", r)
			}
		})
		t.Run("ACL", func(t *testing.T) {
			eq(t, "ACL WHOAMI", "default")(c.ACLWhoAmI(bg))
			if cats := val[[]string](t, "ACL CAT")(c.ACLCat(bg)); !slices.Contains(cats, "string") {
				t.Errorf("ACL CAT = %v", cats)
			}
			if cmds := val[[]string](t, "ACL CAT string")(c.ACLCat(bg, ACLCatOptions{Category: "string"})); !slices.Contains(cmds, "get") {
				t.Errorf("ACL CAT string = %v", cmds)
			}
			if p := val[string](t, "ACL GENPASS")(c.ACLGenPass(bg, ACLGenPassOptions{Bits: 32})); len(p) != 8 {
				t.Errorf("ACL GENPASS 32 = %q", p)
			}
			noErr(t, "ACL SETUSER", c.ACLSetUser(bg, "bob", "on", ">pw", "~bob:*", "+get"))
			eq(t, "ACL USERS", []string{"bob", "default"})(sorted(c.ACLUsers(bg)))
			if u := val[Reply](t, "ACL GETUSER")(c.ACLGetUser(bg, "bob")); len(u.Elems) == 0 {
				t.Errorf("ACL GETUSER = %+v", u)
			}
			isNil[Reply](t, "ACL GETUSER missing")(c.ACLGetUser(bg, "nobody"))
			eq(t, "ACL DRYRUN allowed", "OK")(c.ACLDryRun(bg, "bob", "GET", "bob:1"))
			if s := val[string](t, "ACL DRYRUN denied")(c.ACLDryRun(bg, "bob", "SET", "bob:1", "x")); !strings.Contains(s, "no permissions") {
				t.Errorf("ACL DRYRUN denied = %q", s)
			}
			if l := val[[]string](t, "ACL LIST")(c.ACLList(bg)); len(l) != 2 {
				t.Errorf("ACL LIST = %v", l)
			}
			eq(t, "ACL DELUSER", int64(1))(c.ACLDelUser(bg, "bob", "nobody"))
			if r := val[Reply](t, "ACL LOG")(c.ACLLog(bg, ACLLogOptions{Count: 5})); r.Type == 0 {
				t.Errorf("ACL LOG = %+v", r)
			}
			if r := val[Reply](t, "ACL LOG RESET")(c.ACLLog(bg, ACLLogOptions{Reset: true})); r.Str != "OK" {
				t.Errorf("ACL LOG RESET = %+v", r)
			}
		})
	})
}
