package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const getSpec = `{"GET": {"arity": 2, "command_flags": ["READONLY", "FAST"],
  "key_specs": [{"flags": ["RO", "ACCESS"], "begin_search": {"index": {"pos": 1}},
    "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`

const objectSpec = `{"OBJECT": {"arity": -2}}`

const objectEncodingSpec = `{"ENCODING": {"container": "OBJECT", "arity": 3, "command_flags": ["READONLY"],
  "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 2}},
    "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`

const xreadSpec = `{"XREAD": {"arity": -4, "command_flags": ["BLOCKING", "READONLY"], "get_keys_function": "xreadGetKeys",
  "key_specs": [{"notes": "a note", "flags": ["RO", "ACCESS"],
    "begin_search": {"keyword": {"keyword": "STREAMS", "startfrom": 1}},
    "find_keys": {"range": {"lastkey": -1, "step": 1, "limit": 2}}}]}}`

const dbsizeSpec = `{"DBSIZE": {"arity": 1, "command_flags": ["READONLY", "FAST"],
  "command_tips": ["NONDETERMINISTIC_OUTPUT_ORDER", "REQUEST_POLICY:ALL_SHARDS", "RESPONSE_POLICY:AGG_SUM", "NONDETERMINISTIC_OUTPUT"]}}`

const sortSpec = `{"SORT": {"arity": -2, "command_flags": ["WRITE"], "get_keys_function": "sortGetKeys",
  "key_specs": [{"flags": ["OW", "UPDATE"], "begin_search": {"unknown": null}, "find_keys": {"unknown": null}}]}}`

func writeSpecs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func generateFrom(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	src, err := generate(writeSpecs(t, files))
	return string(src), err
}

func TestRender(t *testing.T) {
	files := map[string]string{
		"get.json": getSpec, "object.json": objectSpec, "object-encoding.json": objectEncodingSpec,
		"xread.json": xreadSpec, "sort.json": sortSpec, "dbsize.json": dbsizeSpec,
	}
	src, err := generateFrom(t, files)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(src, header+"\n\npackage keyspec\n") {
		t.Errorf("bad header:\n%.200s", src)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "table_gen.go", src, parser.ParseComments); err != nil {
		t.Fatalf("generated code does not parse: %v", err)
	}
	for _, want := range []string{
		"const maxNameLen = 15\n",
		`{Name: "GET", Arity: 2, Flags: FlagReadonly | FlagFast, KeySpecs: []KeySpec{`,
		`{Flags: KeyRO | KeyAccess, BeginSearch: BeginSearch{Type: BeginIndex, Pos: 1}, FindKeys: FindKeys{Type: FindRange, LastKey: 0, Step: 1, Limit: 0}},`,
		`{Name: "OBJECT", Arity: -2, HasSubcommands: true},`,
		`{Name: "OBJECT ENCODING", Arity: 3, Flags: FlagReadonly, KeySpecs: []KeySpec{`,
		`// a note`,
		`BeginSearch: BeginSearch{Type: BeginKeyword, Keyword: "STREAMS", StartFrom: 1}, FindKeys: FindKeys{Type: FindRange, LastKey: -1, Step: 1, Limit: 2}`,
		// Flags in bit order, not spec order.
		`{Name: "XREAD", Arity: -4, Flags: FlagReadonly | FlagBlocking, GetKeysFunc: "xreadGetKeys"`,
		`BeginSearch: BeginSearch{Type: BeginUnknown}, FindKeys: FindKeys{Type: FindUnknown}`,
		// Tips in bit order, after the policies.
		`{Name: "DBSIZE", Arity: 1, Flags: FlagReadonly | FlagFast, Request: RequestAllShards, Response: ResponseAggSum, Tips: TipNondeterministicOutput | TipNondeterministicOutputOrder},`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
	if strings.Index(src, `"OBJECT ENCODING"`) > strings.Index(src, `"SORT"`) {
		t.Error("commands are not sorted by name")
	}
	again, err := generateFrom(t, files)
	if err != nil || again != src {
		t.Errorf("second run differs (err %v)", err)
	}
}

// TestRejects checks what cmdgen refuses on top of the loader (package spec,
// whose tests cover malformed specs): specs keyspec cannot represent or use.
func TestRejects(t *testing.T) {
	for name, spec := range map[string]string{
		"unknown command flag":  `{"X": {"arity": 1, "command_flags": ["TELEPORT"]}}`,
		"unknown key flag":      `{"X": {"arity": 2, "key_specs": [{"flags": ["RX"], "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`,
		"step 0":                `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": -1, "step": 0, "limit": 0}}}]}}`,
		"limit with lastkey -2": `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": -2, "step": 1, "limit": 2}}}]}}`,
		"index pos 0":           `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 0}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`,
		"keyword startfrom 0":   `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "begin_search": {"keyword": {"keyword": "K", "startfrom": 0}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`,
		"keynum firstkey 0":     `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 1}}, "find_keys": {"keynum": {"keynumidx": 0, "firstkey": 0, "step": 1}}}]}}`,
		"unknown tip":           `{"X": {"arity": 1, "command_tips": ["FAST_PATH"]}}`,
		"unknown request":       `{"X": {"arity": 1, "command_tips": ["REQUEST_POLICY:SOME_SHARDS"]}}`,
		"unknown response":      `{"X": {"arity": 1, "command_tips": ["RESPONSE_POLICY:AGG_AVG"]}}`,
		"two requests":          `{"X": {"arity": 1, "command_tips": ["REQUEST_POLICY:ALL_NODES", "REQUEST_POLICY:ALL_SHARDS"]}}`,
		"two responses":         `{"X": {"arity": 1, "command_tips": ["RESPONSE_POLICY:AGG_SUM", "RESPONSE_POLICY:AGG_MIN"]}}`,
		"malformed key spec":    `{"X": {"arity": 2, "key_specs": [{"flags": ["RO"], "new": 1, "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`,
	} {
		if _, err := generateFrom(t, map[string]string{"x.json": spec}); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	container := `{"X": {"arity": -2, "key_specs": [{"flags": ["RO"], "begin_search": {"index": {"pos": 1}}, "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}`
	if _, err := generateFrom(t, map[string]string{"x.json": container, "x-sub.json": `{"SUB": {"container": "X", "arity": 2}}`}); err == nil {
		t.Error("container with key specs accepted")
	}
	if _, err := generateFrom(t, map[string]string{"a.json": getSpec, "b.json": getSpec}); err == nil {
		t.Error("duplicate command accepted")
	}
}
