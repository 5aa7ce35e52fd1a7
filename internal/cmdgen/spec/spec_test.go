package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// specsDir is ../shared/redis-commands from the repository root: the specs
// are data kept outside the repository.
const specsDir = "../../../../shared/redis-commands"

func loadRealSpecs(t *testing.T) map[string]*Command {
	t.Helper()
	if _, err := os.Stat(specsDir); err != nil {
		t.Skipf("no Redis command specs at %s (../shared/redis-commands from the repository root): %v", specsDir, err)
	}
	cmds, err := LoadDir(specsDir)
	if err != nil {
		t.Fatal(err)
	}
	if !sort.SliceIsSorted(cmds, func(i, j int) bool { return cmds[i].FullName() < cmds[j].FullName() }) {
		t.Error("commands are not sorted by full name")
	}
	byName := make(map[string]*Command, len(cmds))
	for _, c := range cmds {
		byName[c.FullName()] = c
	}
	return byName
}

func TestLoadDir(t *testing.T) {
	cmds := loadRealSpecs(t)
	index := func(pos int) BeginSearch { return BeginSearch{Type: BeginIndex, Pos: pos} }
	firstKey := FindKeys{Type: FindRange, LastKey: 0, Step: 1, Limit: 0}
	for _, tc := range []struct {
		name           string // full name
		container      string
		arity          int
		group          string
		commandFlags   []string
		docFlags       []string
		getKeys        string
		hasSubcommands bool
		keySpecs       []KeySpec // Notes left out
		args           []string  // top-level argument names
		hasReplySchema bool
	}{
		{name: "GET", arity: 2, group: "string", commandFlags: []string{"READONLY", "FAST"},
			keySpecs: []KeySpec{{Flags: []string{"RO", "ACCESS"}, BeginSearch: index(1), FindKeys: firstKey}},
			args:     []string{"key"}, hasReplySchema: true},
		{name: "CLIENT", arity: -2, group: "connection", commandFlags: []string{"SENTINEL"}, hasSubcommands: true},
		{name: "CLIENT KILL", container: "CLIENT", arity: -3, group: "connection",
			commandFlags: []string{"ADMIN", "NOSCRIPT", "LOADING", "STALE", "SENTINEL"}, args: []string{"filter"}, hasReplySchema: true},
		{name: "XREAD", arity: -4, group: "stream", commandFlags: []string{"BLOCKING", "READONLY", "BLOCKING"}, getKeys: "xreadGetKeys",
			keySpecs: []KeySpec{{Flags: []string{"RO", "ACCESS"},
				BeginSearch: BeginSearch{Type: BeginKeyword, Keyword: "STREAMS", StartFrom: 1},
				FindKeys:    FindKeys{Type: FindRange, LastKey: -1, Step: 1, Limit: 2}}},
			args: []string{"count", "milliseconds", "streams"}, hasReplySchema: true},
		{name: "EVAL", arity: -3, group: "scripting", getKeys: "evalGetKeys",
			commandFlags: []string{"NOSCRIPT", "SKIP_MONITOR", "MAY_REPLICATE", "NO_MANDATORY_KEYS", "STALE"},
			keySpecs: []KeySpec{{Flags: []string{"RW", "ACCESS", "UPDATE"}, BeginSearch: index(2),
				FindKeys: FindKeys{Type: FindKeynum, KeyNumIdx: 0, FirstKey: 1, Step: 1}}},
			args: []string{"script", "numkeys", "key", "arg"}, hasReplySchema: true},
		{name: "SORT", arity: -2, group: "generic", commandFlags: []string{"WRITE", "DENYOOM"}, getKeys: "sortGetKeys",
			keySpecs: []KeySpec{
				{Flags: []string{"RO", "ACCESS"}, BeginSearch: index(1), FindKeys: firstKey},
				{Flags: []string{"RO", "ACCESS"}, BeginSearch: BeginSearch{Type: BeginUnknown}, FindKeys: FindKeys{Type: FindUnknown}},
				{Flags: []string{"OW", "UPDATE"}, BeginSearch: BeginSearch{Type: BeginUnknown}, FindKeys: FindKeys{Type: FindUnknown}},
			},
			args: []string{"key", "by-pattern", "limit", "get-pattern", "order", "sorting", "destination"}, hasReplySchema: true},
		{name: "GEORADIUS", arity: -6, group: "geo", commandFlags: []string{"WRITE", "DENYOOM"}, docFlags: []string{"DEPRECATED"},
			getKeys: "georadiusGetKeys",
			keySpecs: []KeySpec{
				{Flags: []string{"RO", "ACCESS"}, BeginSearch: index(1), FindKeys: firstKey},
				{Flags: []string{"OW", "UPDATE"}, BeginSearch: BeginSearch{Type: BeginKeyword, Keyword: "STORE", StartFrom: 6}, FindKeys: firstKey},
				{Flags: []string{"OW", "UPDATE"}, BeginSearch: BeginSearch{Type: BeginKeyword, Keyword: "STOREDIST", StartFrom: 6}, FindKeys: firstKey},
			},
			args:           []string{"key", "longitude", "latitude", "radius", "unit", "withcoord", "withdist", "withhash", "count-block", "order", "store"},
			hasReplySchema: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cmds[tc.name]
			if c == nil {
				t.Fatalf("%s not loaded", tc.name)
			}
			if c.Container != tc.container || c.Arity != tc.arity || c.Group != tc.group ||
				c.GetKeysFunction != tc.getKeys || c.HasSubcommands != tc.hasSubcommands {
				t.Errorf("got container %q, arity %d, group %q, get keys %q, has subcommands %t; want %q, %d, %q, %q, %t",
					c.Container, c.Arity, c.Group, c.GetKeysFunction, c.HasSubcommands,
					tc.container, tc.arity, tc.group, tc.getKeys, tc.hasSubcommands)
			}
			if !reflect.DeepEqual(c.CommandFlags, tc.commandFlags) || !reflect.DeepEqual(c.DocFlags, tc.docFlags) {
				t.Errorf("flags %q, doc flags %q; want %q, %q", c.CommandFlags, c.DocFlags, tc.commandFlags, tc.docFlags)
			}
			var keySpecs []KeySpec
			for _, ks := range c.KeySpecs {
				ks.Notes = ""
				keySpecs = append(keySpecs, ks)
			}
			if !reflect.DeepEqual(keySpecs, tc.keySpecs) {
				t.Errorf("key specs %+v, want %+v", keySpecs, tc.keySpecs)
			}
			var args []string
			for _, a := range c.Arguments {
				args = append(args, a.Name)
			}
			if !reflect.DeepEqual(args, tc.args) {
				t.Errorf("arguments %q, want %q", args, tc.args)
			}
			if (c.ReplySchema != nil) != tc.hasReplySchema {
				t.Errorf("reply schema %v, want one: %t", c.ReplySchema, tc.hasReplySchema)
			}
			if c.File == "" {
				t.Error("no File")
			}
		})
	}
	// A pure token without a token in its spec is its name, upper-cased.
	mode := cmds["SENTINEL SIMULATE-FAILURE"].Arguments[0]
	if got := mode.Arguments[0].Token; got != "CRASH-AFTER-ELECTION" {
		t.Errorf("SENTINEL SIMULATE-FAILURE mode token %q, want CRASH-AFTER-ELECTION", got)
	}
}

func TestLoadDirRejects(t *testing.T) {
	get := `{"GET": {"arity": 2}}`
	for _, tc := range []struct{ name, spec string }{
		{"no command", `{}`},
		{"no arity", `{"X": {}}`},
		{"arity 0", `{"X": {"arity": 0}}`},
		{"orphan subcommand", `{"SUB": {"container": "NOPE", "arity": 2}}`},
		{"control character", `{"G\u0001T": {"arity": 2}}`},
		{"space in name", `{"GET X": {"arity": 2}}`},
		{"unknown begin_search type", `{"X": {"arity": 2, "key_specs": [{"begin_search": {"regex": {"re": "x"}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`},
		{"two begin_search types", `{"X": {"arity": 2, "key_specs": [{"begin_search": {"index": {"pos": 1}, "unknown": null}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`},
		{"unknown key spec field", `{"X": {"arity": 2, "key_specs": [{"new": 1, "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`},
		{"unknown range field", `{"X": {"arity": 2, "key_specs": [{"begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0, "max": 3}}}]}}`},
		{"range without step", `{"X": {"arity": 2, "key_specs": [{"begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "limit": 0}}}]}}`},
		{"unknown argument type", `{"X": {"arity": 2, "arguments": [{"name": "a", "type": "float"}]}}`},
		{"empty block", `{"X": {"arity": 2, "arguments": [{"name": "a", "type": "block"}]}}`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(tc.spec), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadDir(dir); err == nil {
			t.Errorf("%s: accepted", tc.name)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}
	dir := t.TempDir()
	for _, f := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(get), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir); err == nil {
		t.Error("duplicate command accepted")
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("empty directory accepted")
	}
}

func TestCommandTips(t *testing.T) {
	cmds := loadRealSpecs(t)
	for _, tc := range []struct {
		name, request, response string
		tips                    []string
	}{
		{"DBSIZE", "ALL_SHARDS", "AGG_SUM", []string{"REQUEST_POLICY:ALL_SHARDS", "RESPONSE_POLICY:AGG_SUM"}},
		{"KEYS", "ALL_SHARDS", "", []string{"REQUEST_POLICY:ALL_SHARDS", "NONDETERMINISTIC_OUTPUT_ORDER"}},
		{"MGET", "MULTI_SHARD", "", []string{"REQUEST_POLICY:MULTI_SHARD"}},
		{"SCRIPT LOAD", "ALL_NODES", "ALL_SUCCEEDED", []string{"REQUEST_POLICY:ALL_NODES", "RESPONSE_POLICY:ALL_SUCCEEDED"}},
		{"GET", "", "", nil},
	} {
		c := cmds[tc.name]
		if c == nil {
			t.Errorf("%s not loaded", tc.name)
			continue
		}
		if !reflect.DeepEqual(c.CommandTips, tc.tips) || c.RequestPolicy() != tc.request || c.ResponsePolicy() != tc.response {
			t.Errorf("%s: tips %q, request %q, response %q; want %q, %q, %q",
				tc.name, c.CommandTips, c.RequestPolicy(), c.ResponsePolicy(), tc.tips, tc.request, tc.response)
		}
	}
}
