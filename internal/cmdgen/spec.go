package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// command is one command or subcommand, validated and ready to render.
type command struct {
	Name           string // full upper-case name: "GET", "CLIENT KILL"
	Arity          int
	Flags          []string // command_flags, in the spec's order
	KeySpecs       []keySpec
	GetKeysFunc    string
	HasSubcommands bool
}

// keySpec is one validated entry of a spec's key_specs.
type keySpec struct {
	Notes string
	Flags []string

	BeginType string // "index", "keyword" or "unknown"
	Pos       int    // index
	Keyword   string // keyword
	StartFrom int    // keyword

	FindType  string // "range", "keynum" or "unknown"
	LastKey   int    // range
	Step      int    // range and keynum
	Limit     int    // range
	KeyNumIdx int    // keynum
	FirstKey  int    // keynum
}

// rawCommand holds the fields of a spec that the generator uses; the others
// (summary, arguments, reply_schema, ...) are ignored.
type rawCommand struct {
	Container       string            `json:"container"`
	Arity           *int              `json:"arity"`
	CommandFlags    []string          `json:"command_flags"`
	KeySpecs        []json.RawMessage `json:"key_specs"`
	GetKeysFunction string            `json:"get_keys_function"`
}

type rawKeySpec struct {
	Notes       string                     `json:"notes"`
	Flags       []string                   `json:"flags"`
	BeginSearch map[string]json.RawMessage `json:"begin_search"`
	FindKeys    map[string]json.RawMessage `json:"find_keys"`
}

// loadDir reads every *.json file of dir and returns the commands sorted by
// full name.
func loadDir(dir string) ([]command, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json command specs in %s", dir)
	}
	sort.Strings(files)
	var cmds []command
	byName := make(map[string]string) // full name -> file
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		got, err := parseFile(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
		for _, c := range got {
			if prev, dup := byName[c.Name]; dup {
				return nil, fmt.Errorf("%s: command %q already defined in %s", filepath.Base(file), c.Name, prev)
			}
			byName[c.Name] = filepath.Base(file)
			cmds = append(cmds, c)
		}
	}
	return link(cmds)
}

// link marks containers, checks that every subcommand's container exists,
// and sorts the commands by name.
func link(cmds []command) ([]command, error) {
	idx := make(map[string]int, len(cmds))
	for i, c := range cmds {
		idx[c.Name] = i
	}
	for _, c := range cmds {
		parent, _, ok := strings.Cut(c.Name, " ")
		if !ok {
			continue
		}
		p, found := idx[parent]
		if !found {
			return nil, fmt.Errorf("subcommand %q: container %q has no spec", c.Name, parent)
		}
		cmds[p].HasSubcommands = true
	}
	for _, c := range cmds {
		if c.HasSubcommands && len(c.KeySpecs) > 0 {
			return nil, fmt.Errorf("container %q has key specs; keyspec does not support that", c.Name)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds, nil
}

// parseFile parses one spec file: a JSON object keyed by command name.
func parseFile(data []byte) ([]command, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, errors.New("no command in file")
	}
	names := make([]string, 0, len(top))
	for name := range top {
		names = append(names, name)
	}
	sort.Strings(names)
	var cmds []command
	for _, name := range names {
		c, err := parseCommand(name, top[name])
		if err != nil {
			return nil, fmt.Errorf("command %q: %w", name, err)
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

func parseCommand(name string, data json.RawMessage) (command, error) {
	var raw rawCommand
	if err := json.Unmarshal(data, &raw); err != nil {
		return command{}, err
	}
	if strings.Contains(name, " ") || strings.Contains(raw.Container, " ") {
		return command{}, fmt.Errorf("name %q or container %q contains a space", name, raw.Container)
	}
	full := strings.ToUpper(name)
	if raw.Container != "" {
		full = strings.ToUpper(raw.Container) + " " + full
	}
	if err := checkName(full); err != nil {
		return command{}, err
	}
	if raw.Arity == nil {
		return command{}, errors.New("no arity")
	}
	c := command{
		Name:        full,
		Arity:       *raw.Arity,
		Flags:       raw.CommandFlags,
		GetKeysFunc: raw.GetKeysFunction,
	}
	if c.Arity == 0 {
		return command{}, errors.New("arity 0")
	}
	for _, f := range c.Flags {
		if _, ok := commandFlagIdent[f]; !ok {
			return command{}, fmt.Errorf("unknown command flag %q: add it to cmdgen (commandFlags) and keyspec (Flag)", f)
		}
	}
	for i, rks := range raw.KeySpecs {
		ks, err := parseKeySpec(rks)
		if err != nil {
			return command{}, fmt.Errorf("key_specs[%d]: %w", i, err)
		}
		c.KeySpecs = append(c.KeySpecs, ks)
	}
	return c, nil
}

// checkName accepts upper-case printable ASCII names with at most one space
// (between container and subcommand).
func checkName(full string) error {
	if full == "" || strings.Count(full, " ") > 1 || strings.HasPrefix(full, " ") || strings.HasSuffix(full, " ") {
		return fmt.Errorf("bad command name %q", full)
	}
	for i := 0; i < len(full); i++ {
		if b := full[i]; b < ' ' || b > '~' || ('a' <= b && b <= 'z') {
			return fmt.Errorf("bad command name %q", full)
		}
	}
	return nil
}

// decodeStrict decodes data into v, refusing fields that v does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

func parseKeySpec(data json.RawMessage) (keySpec, error) {
	var raw rawKeySpec
	if err := decodeStrict(data, &raw); err != nil {
		return keySpec{}, err
	}
	ks := keySpec{Notes: raw.Notes, Flags: raw.Flags}
	for _, f := range ks.Flags {
		if _, ok := keyFlagIdent[f]; !ok {
			return keySpec{}, fmt.Errorf("unknown key spec flag %q: add it to cmdgen (keyFlags) and keyspec (KeyFlag)", f)
		}
	}
	if err := parseBeginSearch(&ks, raw.BeginSearch); err != nil {
		return keySpec{}, fmt.Errorf("begin_search: %w", err)
	}
	if err := parseFindKeys(&ks, raw.FindKeys); err != nil {
		return keySpec{}, fmt.Errorf("find_keys: %w", err)
	}
	return ks, nil
}

// only returns the single key of m and its value.
func only(m map[string]json.RawMessage) (string, json.RawMessage, error) {
	if len(m) != 1 {
		return "", nil, fmt.Errorf("want exactly one type, have %d", len(m))
	}
	for k, v := range m {
		return k, v, nil
	}
	panic("unreachable")
}

func parseBeginSearch(ks *keySpec, m map[string]json.RawMessage) error {
	typ, val, err := only(m)
	if err != nil {
		return err
	}
	ks.BeginType = typ
	switch typ {
	case "index":
		var v struct {
			Pos *int `json:"pos"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return err
		}
		if v.Pos == nil || *v.Pos < 1 {
			return errors.New("index: pos missing or below 1")
		}
		ks.Pos = *v.Pos
	case "keyword":
		var v struct {
			Keyword   string `json:"keyword"`
			StartFrom *int   `json:"startfrom"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return err
		}
		if v.Keyword == "" || v.StartFrom == nil || *v.StartFrom == 0 {
			return errors.New("keyword: keyword or startfrom missing, or startfrom 0")
		}
		ks.Keyword = v.Keyword
		ks.StartFrom = *v.StartFrom
	case "unknown":
		if s := string(bytes.TrimSpace(val)); s != "null" && s != "{}" {
			return fmt.Errorf("unknown: unexpected value %s", s)
		}
	default:
		return fmt.Errorf("unsupported type %q", typ)
	}
	return nil
}

func parseFindKeys(ks *keySpec, m map[string]json.RawMessage) error {
	typ, val, err := only(m)
	if err != nil {
		return err
	}
	ks.FindType = typ
	switch typ {
	case "range":
		var v struct {
			LastKey *int `json:"lastkey"`
			Step    *int `json:"step"`
			Limit   *int `json:"limit"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return err
		}
		if v.LastKey == nil || v.Step == nil || v.Limit == nil {
			return errors.New("range: lastkey, step or limit missing")
		}
		if *v.Step < 1 {
			return fmt.Errorf("range: step %d below 1", *v.Step)
		}
		if *v.Limit < 0 || (*v.Limit > 0 && *v.LastKey != -1) {
			// Redis asserts lastkey == -1 whenever limit is set.
			return fmt.Errorf("range: limit %d with lastkey %d", *v.Limit, *v.LastKey)
		}
		ks.LastKey, ks.Step, ks.Limit = *v.LastKey, *v.Step, *v.Limit
	case "keynum":
		var v struct {
			KeyNumIdx *int `json:"keynumidx"`
			FirstKey  *int `json:"firstkey"`
			Step      *int `json:"step"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return err
		}
		if v.KeyNumIdx == nil || v.FirstKey == nil || v.Step == nil {
			return errors.New("keynum: keynumidx, firstkey or step missing")
		}
		if *v.KeyNumIdx < 0 || *v.FirstKey <= *v.KeyNumIdx || *v.Step < 1 {
			return fmt.Errorf("keynum: keynumidx %d, firstkey %d, step %d", *v.KeyNumIdx, *v.FirstKey, *v.Step)
		}
		ks.KeyNumIdx, ks.FirstKey, ks.Step = *v.KeyNumIdx, *v.FirstKey, *v.Step
	case "unknown":
		if s := string(bytes.TrimSpace(val)); s != "null" && s != "{}" {
			return fmt.Errorf("unknown: unexpected value %s", s)
		}
	default:
		return fmt.Errorf("unsupported type %q", typ)
	}
	return nil
}
