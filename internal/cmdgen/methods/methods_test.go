package main

import (
	"bytes"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// The specs live outside the repository: ../shared/redis-commands from its
// root.
const (
	specsDir = "../../../../shared/redis-commands"
	pkgDir   = "../../../fastredis"
)

func needSpecs(t *testing.T) []*spec.Command {
	t.Helper()
	if _, err := os.Stat(specsDir); err != nil {
		t.Skipf("no command specs at %s: %v", specsDir, err)
	}
	cmds, err := spec.LoadDir(specsDir)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// TestRegenerate checks that the committed files are what the generator
// makes from the specs: regenerate into a temporary directory and compare.
func TestRegenerate(t *testing.T) {
	needSpecs(t)
	files, err := generateFiles(specsDir, pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		got, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(pkgDir, name))
		if err != nil {
			t.Errorf("%s is not generated yet: run go generate ./fastredis/", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go generate ./fastredis/", name)
		}
	}
	committed, _ := filepath.Glob(filepath.Join(pkgDir, "commands_*_gen.go"))
	for _, f := range committed {
		if _, ok := files[filepath.Base(f)]; !ok {
			t.Errorf("%s is no longer generated: run go generate ./fastredis/", f)
		}
	}
	// Deterministic: a second run makes the same bytes.
	again, err := generateFiles(specsDir, pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		if !bytes.Equal(src, again[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	for name, src := range files {
		if !bytes.HasPrefix(src, []byte(header)) {
			t.Errorf("%s does not start with the generated-code header", name)
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"GET": "Get", "HGETALL": "HGetAll", "ZRANGEBYSCORE": "ZRangeByScore", "ZREVRANGEBYLEX": "ZRevRangeByLex",
		"BRPOPLPUSH": "BRPopLPush", "SETNX": "SetNX", "PEXPIREAT": "PExpireAt", "GEORADIUS_RO": "GeoRadiusRO",
		"XREADGROUP": "XReadGroup", "CLIENT KILL": "ClientKill", "XINFO STREAM": "XInfoStream",
		"CONFIG SET": "ConfigSet", "FUNCTION LOAD": "FunctionLoad", "OBJECT ENCODING": "ObjectEncoding",
		"SISMEMBER": "SIsMember", "SMISMEMBER": "SMIsMember", "ZMSCORE": "ZMScore", "BZPOPMIN": "BZPopMin",
		"HINCRBYFLOAT": "HIncrByFloat", "RANDOMKEY": "RandomKey", "LPUSHX": "LPushX", "MSETNX": "MSetNX",
		"min-idle-time": "MinIdleTime", "WITHSCORES": "WithScores", "KEEPTTL": "KeepTTL", "EX": "EX",
		"CLUSTER COUNTKEYSINSLOT": "ClusterCountKeysInSlot", "ACL WHOAMI": "ACLWhoAmI", "DBSIZE": "DBSize",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"key": "key", "ID": "id", "min-idle-time": "minIdleTime", "type": "typeArg", "len": "lenArg", "destination-db": "destinationDB"} {
		if got := lowerName(in); got != want {
			t.Errorf("lowerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNames checks every generated method name and lists them all for
// review (go test -v -run TestNames).
func TestNames(t *testing.T) {
	cmds := needSpecs(t)
	g := newGenerator()
	if err := g.readPackage(pkgDir); err != nil {
		t.Fatal(err)
	}
	g.generate(cmds)
	if len(g.errs) > 0 {
		t.Fatalf("generation problems:\n%s", strings.Join(g.errs, "\n"))
	}
	if len(unknownLetters) > 0 {
		t.Errorf("the word list misses words for %v", sortedKeys(unknownLetters))
	}
	var list []string
	for name, m := range g.names {
		_, method, _ := strings.Cut(name, ".") // SentinelClient.Masters
		if method == "" {
			method = name
		}
		if !token.IsIdentifier(method) || !token.IsExported(method) {
			t.Errorf("%s (%s) is not an exported identifier", name, m.cmd.FullName())
		}
		list = append(list, m.cmd.FullName()+" -> "+name)
	}
	sort.Strings(list)
	t.Logf("%d methods for %d commands (%d skipped):\n%s", len(list), countCommands(g), len(g.skipped), strings.Join(list, "\n"))
	for _, s := range g.skipped {
		t.Logf("skipped %s: %s", s.command, s.reason)
	}
}

func countCommands(g *generator) int {
	seen := map[string]bool{}
	for _, m := range g.methods {
		seen[m.cmd.FullName()] = true
	}
	return len(seen)
}

func TestSchemaKind(t *testing.T) {
	for _, c := range []struct {
		schema any
		want   string
	}{
		{map[string]any{"const": "OK"}, "status"},
		{map[string]any{"type": "integer"}, "int"},
		{map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}}, "string"},
		{map[string]any{"anyOf": []any{map[string]any{"type": "null"}, map[string]any{"const": "OK"}}}, "statusNil"},
		{map[string]any{"oneOf": []any{map[string]any{"const": 0}, map[string]any{"const": 1}}}, "int"},
		{map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, "strings"},
		{map[string]any{"type": "array", "items": map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}}}, "nullStrings"},
		{map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}, "stringMap"},
		{map[string]any{"oneOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "array"}}}, "reply"},
		{map[string]any{}, "reply"},
	} {
		if got := schemaKind(c.schema); got != c.want {
			t.Errorf("schemaKind(%v) = %q, want %q", c.schema, got, c.want)
		}
	}
	t.Logf("result kinds:\n%s", resultTable())
}

// Replies that are yes-or-no outcomes become booleans; counts and bit
// values that happen to be 0 or 1 stay integers.
func TestOutcomeKinds(t *testing.T) {
	outcome := map[string]any{"oneOf": []any{
		map[string]any{"const": 0.0, "description": "The key was not set."},
		map[string]any{"const": 1.0, "description": "The key was set."},
	}}
	for _, tc := range []struct {
		name   string
		schema any
		want   string
	}{
		{"outcome", outcome, "bool"},
		{"array of outcomes", map[string]any{"type": "array", "items": outcome}, "bools"},
		{"count of 0 or 1", map[string]any{"description": "The number of destroyed consumer groups (0 or 1)", "oneOf": outcome["oneOf"]}, "int"},
		{"bit value", map[string]any{"description": "The bit value stored at offset.", "oneOf": outcome["oneOf"]}, "int"},
		{"only 1", map[string]any{"oneOf": []any{map[string]any{"const": 1.0}, map[string]any{"const": 2.0}}}, "int"},
		{"count", map[string]any{"type": "integer", "minimum": 0.0}, "int"},
	} {
		if got := schemaKind(tc.schema); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
