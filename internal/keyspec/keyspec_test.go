package keyspec

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func args(s string) []string {
	if s == "" {
		return nil
	}
	a := strings.Fields(s)
	for i := range a {
		if a[i] == `""` {
			a[i] = ""
		}
	}
	return a
}

type posCase struct {
	argv     string
	keys     []int // AppendKeyPositions
	patterns []int // AppendPatternPositions (nil: none)
	slot     []int // AppendSlotPositions (nil: same as keys)
	err      error
}

var posCases = []posCase{
	{argv: "GET k", keys: []int{1}},
	{argv: "get k", keys: []int{1}},
	{argv: "GeT k", keys: []int{1}},
	{argv: "SET k v", keys: []int{1}},
	{argv: "SET k v EX 10 NX GET", keys: []int{1}},
	{argv: "MSET a 1 b 2 c 3", keys: []int{1, 3, 5}},
	{argv: "MSETNX a 1 b 2", keys: []int{1, 3}},
	{argv: "MGET a b c", keys: []int{1, 2, 3}},
	{argv: "DEL a b c d", keys: []int{1, 2, 3, 4}},
	{argv: "DEL a", keys: []int{1}},
	{argv: "UNLINK a b", keys: []int{1, 2}},
	{argv: "EXISTS a b", keys: []int{1, 2}},
	{argv: "RENAME a b", keys: []int{1, 2}},
	{argv: "RENAMENX a b", keys: []int{1, 2}},
	{argv: "LMOVE src dst LEFT RIGHT", keys: []int{1, 2}},
	{argv: "BLMOVE src dst LEFT RIGHT 0", keys: []int{1, 2}},
	{argv: "BLPOP a b c 0", keys: []int{1, 2, 3}},
	{argv: "BLPOP a 1.5", keys: []int{1}},
	{argv: "BRPOP a b 0", keys: []int{1, 2}},
	{argv: "BZPOPMIN a b 0", keys: []int{1, 2}},
	{argv: "BLMPOP 0 2 a b LEFT COUNT 1", keys: []int{3, 4}},
	{argv: "BLMPOP 0 1 a RIGHT", keys: []int{3}},
	{argv: "LMPOP 2 a b LEFT", keys: []int{2, 3}},
	{argv: "BZMPOP 1 2 a b MIN", keys: []int{3, 4}},
	{argv: "ZMPOP 1 a MAX COUNT 2", keys: []int{2}},
	{argv: "SINTERCARD 2 a b LIMIT 1", keys: []int{2, 3}},
	{argv: "ZUNIONSTORE d 2 a b WEIGHTS 1 2", keys: []int{1, 3, 4}},
	{argv: "ZUNIONSTORE d 2 a b WEIGHTS 1 2 AGGREGATE MAX", keys: []int{1, 3, 4}},
	{argv: "ZINTERSTORE d 1 a", keys: []int{1, 3}},
	{argv: "ZDIFFSTORE d 3 a b c", keys: []int{1, 3, 4, 5}},
	{argv: "ZUNION 2 a b WITHSCORES", keys: []int{2, 3}},
	{argv: "ZINTERCARD 2 a b", keys: []int{2, 3}},
	// numkeys 0: Redis' fallback (genericGetKeys) reports no keys at all.
	{argv: "ZUNIONSTORE d 0 a", keys: nil},
	{argv: "EVAL script 0", keys: nil},
	{argv: "EVAL script 0 arg1 arg2", keys: nil},
	{argv: "EVAL script 2 k1 k2 arg1", keys: []int{3, 4}},
	{argv: "EVAL script 2 k1 k2", keys: []int{3, 4}},
	{argv: "eval script 1 k1", keys: []int{3}},
	{argv: "EVAL_RO script 2 k1 k2", keys: []int{3, 4}},
	{argv: "EVALSHA sha 0", keys: nil},
	{argv: "EVALSHA sha 2 k1 k2 a", keys: []int{3, 4}},
	{argv: "EVALSHA_RO sha 1 k1", keys: []int{3}},
	{argv: "FCALL fn 0", keys: nil},
	{argv: "FCALL fn 0 a b", keys: nil},
	{argv: "FCALL fn 2 k1 k2 a", keys: []int{3, 4}},
	{argv: "FCALL_RO fn 2 k1 k2", keys: []int{3, 4}},
	{argv: "XREAD COUNT 2 STREAMS s1 s2 0 0", keys: []int{4, 5}},
	{argv: "XREAD BLOCK 0 STREAMS s 0", keys: []int{4}},
	{argv: "xread streams s1 s2 $ $", keys: []int{2, 3}},
	{argv: "XREAD COUNT 1 BLOCK 10 STREAMS a b c 1 2 3", keys: []int{6, 7, 8}},
	// Unbalanced: the limit (2) rounds down; the server rejects the command.
	{argv: "XREAD STREAMS a b c", keys: []int{2}},
	// STREAMS as the last argument is never searched (nothing can follow).
	{argv: "XREAD COUNT 1 STREAMS", keys: nil},
	{argv: "XREADGROUP GROUP g c COUNT 1 STREAMS s1 s2 > >", keys: []int{7, 8}},
	{argv: "XREADGROUP GROUP g c STREAMS s >", keys: []int{5}},
	// A consumer named STREAMS: the search starts after it (startfrom 4).
	{argv: "XREADGROUP GROUP g STREAMS STREAMS s >", keys: []int{5}},
	{argv: "GEORADIUS k 0 0 1 km", keys: []int{1}},
	{argv: "GEORADIUS k 0 0 1 km STORE d", keys: []int{1, 7}},
	{argv: "GEORADIUS k 0 0 1 km STOREDIST d", keys: []int{1, 7}},
	{argv: "GEORADIUS k 0 0 1 km ASC COUNT 3 STORE d1 STOREDIST d2", keys: []int{1, 10, 12}},
	// Key specs in spec order: STORE's spec before STOREDIST's.
	{argv: "GEORADIUS k 0 0 1 km STOREDIST d2 STORE d1", keys: []int{1, 9, 7}},
	{argv: "GEORADIUSBYMEMBER k m 1 km STORE d", keys: []int{1, 6}},
	{argv: "GEORADIUSBYMEMBER k m 1 km WITHDIST", keys: []int{1}},
	{argv: "GEOSEARCHSTORE d src FROMMEMBER m BYRADIUS 1 km", keys: []int{1, 2}},
	{argv: "SORT k", keys: []int{1}},
	{argv: "SORT k BY w_* GET # GET o_* LIMIT 0 10 ALPHA STORE d", keys: []int{1, 13}, patterns: []int{3, 7}},
	{argv: "sort k by w_* get # get o_*->f desc store d", keys: []int{1, 10}, patterns: []int{3, 7}},
	{argv: "SORT k GET #", keys: []int{1}},
	{argv: "SORT k BY nosort", keys: []int{1}, patterns: []int{3}},
	{argv: "SORT k STORE d1 STORE d2", keys: []int{1, 5}},
	// The server takes "by" as the destination, then the second STORE.
	{argv: "SORT k STORE by STORE d", keys: []int{1, 5}},
	// A GET argument named STORE is a pattern, not the keyword.
	{argv: "SORT k GET STORE", keys: []int{1}, patterns: []int{3}},
	// A syntax error ends the scan: the server rejects the command.
	{argv: "SORT k BOGUS STORE d", keys: []int{1}},
	{argv: "SORT k LIMIT 0", keys: []int{1}},
	{argv: "SORT_RO k BY w_* GET # GET o_*", keys: []int{1}, patterns: []int{3, 7}},
	// SORT_RO does not accept STORE.
	{argv: "SORT_RO k STORE d", keys: []int{1}},
	{argv: "OBJECT ENCODING k", keys: []int{2}},
	{argv: "object encoding k", keys: []int{2}},
	{argv: "OBJECT FREQ k", keys: []int{2}},
	{argv: "MEMORY USAGE k", keys: []int{2}},
	{argv: "MEMORY USAGE k SAMPLES 5", keys: []int{2}},
	{argv: "CLIENT LIST", keys: nil},
	{argv: "CLIENT KILL ID 5", keys: nil},
	{argv: "client setname x", keys: nil},
	{argv: "KEYS pat*", keys: nil},
	{argv: "SCAN 0", keys: nil},
	{argv: "SCAN 0 MATCH user:* COUNT 10 TYPE string", keys: nil},
	{argv: "HSCAN h 0 MATCH f* COUNT 10", keys: []int{1}},
	{argv: "SSCAN s 0 MATCH m*", keys: []int{1}},
	{argv: "ZSCAN z 0 MATCH m*", keys: []int{1}},
	{argv: "PING", keys: nil},
	{argv: "PUBLISH ch msg", keys: nil},
	{argv: "SUBSCRIBE a b", keys: nil},
	{argv: "PSUBSCRIBE p*", keys: nil},
	{argv: "SPUBLISH ch msg", keys: nil, slot: []int{1}},
	{argv: "SSUBSCRIBE a b", keys: nil, slot: []int{1, 2}},
	{argv: "SUNSUBSCRIBE a b", keys: nil, slot: []int{1, 2}},
	{argv: "SUNSUBSCRIBE", keys: nil},
	{argv: "MIGRATE h 6379 k 0 5000", keys: []int{3}},
	{argv: "MIGRATE h 6379 k 0 5000 COPY REPLACE", keys: []int{3}},
	{argv: `MIGRATE h 6379 "" 0 5000 KEYS a b c`, keys: []int{7, 8, 9}},
	{argv: `MIGRATE h 6379 "" 0 5000 COPY REPLACE AUTH pw KEYS a b`, keys: []int{11, 12}},
	{argv: `MIGRATE h 6379 "" 0 5000 AUTH2 user pw keys a`, keys: []int{10}},
	// A password spelled KEYS is not the keyword.
	{argv: "MIGRATE h 6379 k 0 5000 AUTH KEYS", keys: []int{3}},
	{argv: "MIGRATE h 6379 k 0 5000 AUTH KEYS COPY", keys: []int{3}},
	{argv: `MIGRATE h 6379 "" 0 5000 AUTH KEYS KEYS a`, keys: []int{9}},
	// KEYS with a non-empty key argument: Redis reports no keys.
	{argv: "MIGRATE h 6379 k 0 5000 KEYS a b", keys: nil},
	{argv: "XINFO STREAM s", keys: []int{2}},
	{argv: "XINFO STREAM s FULL COUNT 10", keys: []int{2}},
	{argv: "XINFO GROUPS s", keys: []int{2}},
	{argv: "XGROUP CREATE s g $ MKSTREAM", keys: []int{2}},
	{argv: "LCS k1 k2", keys: []int{1, 2}},
	{argv: "LCS k1 k2 LEN", keys: []int{1, 2}},
	{argv: "BITOP AND d k1 k2", keys: []int{2, 3, 4}},
	{argv: "BITOP NOT d k1", keys: []int{2, 3}},
	{argv: "COPY src dst", keys: []int{1, 2}},
	{argv: "COPY src dst DB 1 REPLACE", keys: []int{1, 2}},
	{argv: "SMOVE a b m", keys: []int{1, 2}},
	{argv: "PFMERGE d a b", keys: []int{1, 2, 3}},
	// No sources: Redis' COMMAND GETKEYS fails here (see appendSpecKeys).
	{argv: "PFMERGE d", keys: []int{1}},
	{argv: "SDIFFSTORE d a b", keys: []int{1, 2, 3}},
	{argv: "WATCH a b", keys: []int{1, 2}},
	{argv: "XADD s * f v", keys: []int{1}},
	{argv: "BITFIELD k GET u8 0", keys: []int{1}},

	// Errors: no positions.
	{argv: "", err: ErrUnknownCommand},
	{argv: "NOSUCHCOMMAND k", err: ErrUnknownCommand},
	{argv: "CLIENT NOSUCH", err: ErrUnknownCommand},
	{argv: "GETX k", err: ErrUnknownCommand},
	{argv: strings.Repeat("A", 100), err: ErrUnknownCommand},
	{argv: "CLIENT " + strings.Repeat("A", 100), err: ErrUnknownCommand},
	{argv: "GET", err: ErrWrongArity},
	{argv: "GET a b", err: ErrWrongArity},
	{argv: "MSET a", err: ErrWrongArity},
	{argv: "BLPOP a", err: ErrWrongArity},
	{argv: "CLIENT", err: ErrWrongArity},
	{argv: "OBJECT ENCODING", err: ErrWrongArity},
	{argv: "EVAL script", err: ErrWrongArity},
	{argv: "XREAD STREAMS s", err: ErrWrongArity},
	{argv: "SORT", err: ErrWrongArity},
	{argv: "MIGRATE h p k 0", err: ErrWrongArity},
	{argv: "EVAL script 3 k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script x k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script -1 k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script +1 k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script 01 k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script 99999999999999999999 k1", err: ErrInvalidKeyArgs},
	{argv: "EVAL script 9223372036854775807 k1", err: ErrInvalidKeyArgs},
	{argv: "ZUNIONSTORE d 3 a b", err: ErrInvalidKeyArgs},
	{argv: "BLMPOP 0 x a LEFT", err: ErrInvalidKeyArgs},
	{argv: "XREAD STREAMS s", err: ErrWrongArity},
}

func TestPositions(t *testing.T) {
	for _, tc := range posCases {
		t.Run(tc.argv, func(t *testing.T) {
			argv := args(tc.argv)
			bargv := make([][]byte, len(argv))
			for i, a := range argv {
				bargv[i] = []byte(a)
			}
			wantSlot := tc.slot
			if wantSlot == nil {
				wantSlot = tc.keys
			}
			wantPrefix := append(slices.Clone(tc.keys), tc.patterns...)
			slices.Sort(wantPrefix)
			wantPrefix = slices.Compact(wantPrefix)

			for _, fn := range []struct {
				name string
				s    func([]int, []string) ([]int, error)
				b    func([]int, [][]byte) ([]int, error)
				want []int
			}{
				{"keys", AppendKeyPositions[string], AppendKeyPositions[[]byte], tc.keys},
				{"slot", AppendSlotPositions[string], AppendSlotPositions[[]byte], wantSlot},
				{"prefix", AppendPrefixPositions[string], AppendPrefixPositions[[]byte], wantPrefix},
				{"patterns", AppendPatternPositions[string], AppendPatternPositions[[]byte], tc.patterns},
			} {
				wantErr := tc.err
				if fn.name == "patterns" && errors.Is(tc.err, ErrInvalidKeyArgs) {
					wantErr = nil // patterns do not run the key specs
				}
				// A non-empty dst must be kept as is.
				pre := []int{-7}
				got, err := fn.s(pre, argv)
				if err != wantErr {
					t.Fatalf("%s: err = %v, want %v", fn.name, err, wantErr)
				}
				if got[0] != -7 {
					t.Fatalf("%s: dst prefix overwritten: %v", fn.name, got)
				}
				if !slices.Equal(got[1:], fn.want) && !(len(got) == 1 && len(fn.want) == 0) {
					t.Fatalf("%s: got %v, want %v", fn.name, got[1:], fn.want)
				}
				gotB, errB := fn.b(nil, bargv)
				if errB != err || !slices.Equal(gotB, got[1:]) && !(len(gotB) == 0 && len(got) == 1) {
					t.Fatalf("%s: [][]byte gives %v, %v; []string gives %v, %v", fn.name, gotB, errB, got[1:], err)
				}
			}
		})
	}
}

func TestInfo(t *testing.T) {
	for _, tc := range []struct {
		name                            string
		readonly, write, blocking, keys bool
		movable                         bool
		arity                           int
	}{
		{name: "get", readonly: true, keys: true, arity: 2},
		{name: "SET", write: true, keys: true, arity: -3, movable: true},
		{name: "BLPOP", write: true, blocking: true, keys: true, arity: -3},
		{name: "XREAD", readonly: true, blocking: true, keys: true, arity: -4, movable: true},
		{name: "KEYS", readonly: true, arity: 2},
		{name: "SCAN", readonly: true, arity: -2},
		{name: "PUBLISH", arity: 3},
		{name: "SPUBLISH", arity: 3},
		{name: "client kill", arity: -3},
		{name: "XINFO STREAM", readonly: true, keys: true, arity: -3},
		{name: "OBJECT encoding", readonly: true, keys: true, arity: 3},
		{name: "EVAL", keys: true, arity: -3, movable: true},
		{name: "SORT", write: true, keys: true, arity: -2, movable: true},
		{name: "SORT_RO", readonly: true, keys: true, arity: -2, movable: true},
		{name: "MIGRATE", write: true, keys: true, arity: -6, movable: true},
	} {
		c, ok := Info(tc.name)
		if !ok {
			t.Errorf("Info(%q): not found", tc.name)
			continue
		}
		if c.Name != strings.ToUpper(tc.name) {
			t.Errorf("Info(%q).Name = %q", tc.name, c.Name)
		}
		if c.ReadOnly() != tc.readonly || c.Write() != tc.write || c.Blocking() != tc.blocking ||
			c.HasKeys() != tc.keys || c.MovableKeys() != tc.movable || c.Arity != tc.arity {
			t.Errorf("Info(%q) = %+v (flags %v): readonly %v write %v blocking %v keys %v movable %v",
				tc.name, c, c.Flags, c.ReadOnly(), c.Write(), c.Blocking(), c.HasKeys(), c.MovableKeys())
		}
	}
	for _, name := range []string{"", "nosuch", "CLIENT", "CLIENT  KILL", strings.Repeat("x", 200)} {
		c, ok := Info(name)
		if ok != (name == "CLIENT") {
			t.Errorf("Info(%q) = %v, %v", name, c.Name, ok)
		}
	}
	if c, _ := Info("CLIENT"); !c.HasSubcommands {
		t.Errorf("CLIENT: HasSubcommands false")
	}
}

func TestFlagStrings(t *testing.T) {
	c, _ := Info("GET")
	if got := c.Flags.String(); got != "READONLY|FAST" {
		t.Errorf("GET flags = %q", got)
	}
	if got := c.KeySpecs[0].Flags.String(); got != "RO|ACCESS" {
		t.Errorf("GET key flags = %q", got)
	}
	if got := (KeyNotKey | 1<<15).String(); got != "NOT_KEY|0x8000" {
		t.Errorf("unknown bit: %q", got)
	}
	if got := Flag(0).String(); got != "" {
		t.Errorf("no flags: %q", got)
	}
}

func TestFind(t *testing.T) {
	c, err := Find([]string{"xinfo", "stream", "s"})
	if err != nil || c.Name != "XINFO STREAM" {
		t.Fatalf("Find = %v, %v", c, err)
	}
	c, err = Find([][]byte{[]byte("Client")})
	if err != nil || c.Name != "CLIENT" {
		t.Fatalf("Find(CLIENT) = %v, %v", c, err)
	}
	if _, err := Find([]string{"nosuch"}); err != ErrUnknownCommand {
		t.Fatalf("Find(nosuch) err = %v", err)
	}
	n := 0
	for c := range All() {
		n++
		if info, ok := Info(c.Name); !ok || info.Name != c.Name {
			t.Errorf("All yields %q, which Info does not find", c.Name)
		}
	}
	if n != len(commandTable) || n < 300 {
		t.Errorf("All yields %d commands, table has %d", n, len(commandTable))
	}
}

// TestTable checks properties of the generated table that the finder relies on.
func TestTable(t *testing.T) {
	if !slices.IsSortedFunc(commandTable[:], func(a, b Command) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("commandTable is not sorted by name")
	}
	for i := range commandTable {
		c := &commandTable[i]
		if len(c.Name) > maxNameLen {
			t.Errorf("%s: name longer than maxNameLen", c.Name)
		}
		needsProc := false
		for _, ks := range c.KeySpecs {
			if ks.BeginSearch.Type == BeginUnknown || ks.FindKeys.Type == FindUnknown || ks.Flags&KeyIncomplete != 0 {
				needsProc = true
			}
		}
		if needsProc && procs[c.GetKeysFunc] == procNone {
			t.Errorf("%s: key specs need the get-keys function %q, which has no Go port", c.Name, c.GetKeysFunc)
		}
	}
	// KEYS and SCAN patterns must not be keys: no key specs at all.
	for _, name := range []string{"KEYS", "SCAN", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "RANDOMKEY"} {
		if c, _ := Info(name); len(c.KeySpecs) != 0 || c.HasKeys() {
			t.Errorf("%s has key specs %+v", name, c.KeySpecs)
		}
	}
}

// fillers are the words synthetic arguments are drawn from: keywords the key
// specs and get-keys functions look for, counts, and junk.
var fillers = []string{
	"k", "STORE", "storedist", "STREAMS", "KEYS", "BY", "GET", "#", "LIMIT", "AUTH",
	"AUTH2", "ASC", "0", "1", "2", "3", "12", "-1", "", "99999999999999999999",
	"9223372036854775807", "x",
}

// TestEveryCommand runs every finder over every command of the table with
// synthetic arguments of 0 to 12 words: no panic, no position outside argv,
// never argv[0] (or the subcommand name), and the three results consistent.
func TestEveryCommand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var keys, slot, prefix, pats []int
	for i := range commandTable {
		c := &commandTable[i]
		name := strings.Fields(c.Name)
		for n := 0; n <= 12; n++ {
			for trial := 0; trial < 40; trial++ {
				argv := make([]string, n)
				for j := range argv {
					switch {
					case j < len(name):
						argv[j] = name[j]
					case trial == 0:
						argv[j] = "1"
					case trial == 1:
						argv[j] = "0"
					default:
						argv[j] = fillers[rng.IntN(len(fillers))]
					}
				}
				check := func(what string, pos []int, err error) {
					t.Helper()
					if err != nil && len(pos) != 0 {
						t.Fatalf("%q %s: error %v with positions %v", argv, what, err, pos)
					}
					for _, p := range pos {
						if p < len(name) || p >= len(argv) {
							t.Fatalf("%q %s: position %d out of range", argv, what, p)
						}
					}
				}
				var err1, err2, err3, err4 error
				keys, err1 = AppendKeyPositions(keys[:0], argv)
				check("keys", keys, err1)
				slot, err2 = AppendSlotPositions(slot[:0], argv)
				check("slot", slot, err2)
				prefix, err3 = AppendPrefixPositions(prefix[:0], argv)
				check("prefix", prefix, err3)
				pats, err4 = AppendPatternPositions(pats[:0], argv)
				check("patterns", pats, err4)
				if err1 != err3 || err2 != err1 {
					t.Fatalf("%q: errors differ: keys %v, slot %v, prefix %v", argv, err1, err2, err3)
				}
				if err1 != nil {
					continue
				}
				if !slices.IsSorted(prefix) || len(slices.Compact(slices.Clone(prefix))) != len(prefix) {
					t.Fatalf("%q: prefix positions %v not ascending and unique", argv, prefix)
				}
				want := append(slices.Clone(keys), pats...)
				slices.Sort(want)
				want = slices.Compact(want)
				if !slices.Equal(want, prefix) {
					t.Fatalf("%q: prefix %v, want keys %v + patterns %v", argv, prefix, keys, pats)
				}
				for _, k := range keys {
					if !slices.Contains(slot, k) {
						t.Fatalf("%q: key %d not in slot positions %v", argv, k, slot)
					}
				}
				if len(keys) > 0 && !c.HasKeys() {
					t.Fatalf("%q: keys %v from a command without keys", argv, keys)
				}
			}
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	dst := make([]int, 0, 64)
	for _, line := range []string{
		"GET k",
		"mset a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9 j 10",
		"EVAL s 2 k1 k2 a",
		"XREAD COUNT 2 STREAMS s1 s2 0 0",
		"SORT k BY w_* GET # GET o_* STORE d",
		"MIGRATE h 6379 \"\" 0 5000 AUTH pw KEYS a b",
		"xinfo stream s",
		"NOSUCH k",
		"EVAL s x",
	} {
		argv := args(line)
		bargv := make([][]byte, len(argv))
		for i, a := range argv {
			bargv[i] = []byte(a)
		}
		allocs := testing.AllocsPerRun(100, func() {
			dst, _ = AppendKeyPositions(dst[:0], argv)
			dst, _ = AppendKeyPositions(dst[:0], bargv)
			dst, _ = AppendPrefixPositions(dst[:0], argv)
			dst, _ = AppendPrefixPositions(dst[:0], bargv)
			dst, _ = AppendSlotPositions(dst[:0], argv)
			dst, _ = AppendPatternPositions(dst[:0], bargv)
			_, _ = Find(argv)
			_, _ = Info(argv[0])
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocs per run, want 0", line, allocs)
		}
	}
}

func ExampleAppendPrefixPositions() {
	argv := []string{"SORT", "list", "BY", "weight_*", "GET", "#", "GET", "obj_*", "STORE", "dst"}
	keys, _ := AppendKeyPositions(nil, argv)
	prefix, _ := AppendPrefixPositions(nil, argv)
	fmt.Println("keys:", keys)
	fmt.Println("prefix:", prefix)
	for _, p := range prefix {
		argv[p] = "app:" + argv[p]
	}
	fmt.Println(argv)
	// Output:
	// keys: [1 9]
	// prefix: [1 3 7 9]
	// [SORT app:list BY app:weight_* GET # GET app:obj_* STORE app:dst]
}
