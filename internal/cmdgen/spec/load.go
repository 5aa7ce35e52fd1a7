package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// rawCommand is a command's entry in a spec file, with the fields the model
// holds.
type rawCommand struct {
	Container       string            `json:"container"`
	Summary         string            `json:"summary"`
	Complexity      string            `json:"complexity"`
	Group           string            `json:"group"`
	Since           string            `json:"since"`
	DeprecatedSince string            `json:"deprecated_since"`
	ReplacedBy      string            `json:"replaced_by"`
	Arity           *int              `json:"arity"`
	CommandFlags    []string          `json:"command_flags"`
	DocFlags        []string          `json:"doc_flags"`
	CommandTips     []string          `json:"command_tips"`
	GetKeysFunction string            `json:"get_keys_function"`
	KeySpecs        []json.RawMessage `json:"key_specs"` // decoded strictly, one by one
	Arguments       []*rawArgument    `json:"arguments"`
	ReplySchema     any               `json:"reply_schema"`
}

type rawArgument struct {
	Name            string         `json:"name"`
	Type            string         `json:"type"`
	Token           string         `json:"token"`
	Optional        bool           `json:"optional"`
	Multiple        bool           `json:"multiple"`
	MultipleToken   bool           `json:"multiple_token"`
	Display         string         `json:"display"`
	Since           string         `json:"since"`
	DeprecatedSince string         `json:"deprecated_since"`
	Arguments       []*rawArgument `json:"arguments"`
}

// LoadDir reads every *.json file of dir and returns the commands and
// subcommands they specify, sorted by full name, with HasSubcommands set.
// It fails on a directory without specs, on a spec it cannot model (see the
// package documentation), on a full name specified twice and on a
// subcommand whose container has no spec.
func LoadDir(dir string) ([]*Command, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json command specs in %s", dir)
	}
	sort.Strings(files)
	var cmds []*Command
	byName := make(map[string]string) // full name -> file
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		file := filepath.Base(path)
		got, err := parseFile(data, file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, c := range got {
			if prev, dup := byName[c.FullName()]; dup {
				return nil, fmt.Errorf("%s: command %q already defined in %s", file, c.FullName(), prev)
			}
			byName[c.FullName()] = file
			cmds = append(cmds, c)
		}
	}
	if err := linkContainers(cmds); err != nil {
		return nil, err
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].FullName() < cmds[j].FullName() })
	return cmds, nil
}

// linkContainers sets HasSubcommands on containers and checks that every
// subcommand's container exists.
func linkContainers(cmds []*Command) error {
	byName := make(map[string]*Command, len(cmds))
	for _, c := range cmds {
		byName[c.FullName()] = c
	}
	for _, c := range cmds {
		if c.Container == "" {
			continue
		}
		parent, ok := byName[c.Container]
		if !ok {
			return fmt.Errorf("%s: subcommand %q: container %q has no spec", c.File, c.FullName(), c.Container)
		}
		parent.HasSubcommands = true
	}
	return nil
}

// parseFile parses one spec file: a JSON object keyed by command name.
func parseFile(data []byte, file string) ([]*Command, error) {
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
	var cmds []*Command
	for _, name := range names {
		c, err := parseCommand(name, top[name])
		if err != nil {
			return nil, fmt.Errorf("command %q: %w", name, err)
		}
		c.File = file
		cmds = append(cmds, c)
	}
	return cmds, nil
}

func parseCommand(name string, data json.RawMessage) (*Command, error) {
	var raw rawCommand
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if strings.Contains(name, " ") || strings.Contains(raw.Container, " ") {
		return nil, fmt.Errorf("name %q or container %q contains a space", name, raw.Container)
	}
	c := &Command{
		Name:            strings.ToUpper(name),
		Container:       strings.ToUpper(raw.Container),
		Summary:         raw.Summary,
		Complexity:      raw.Complexity,
		Group:           raw.Group,
		Since:           raw.Since,
		DeprecatedSince: raw.DeprecatedSince,
		ReplacedBy:      raw.ReplacedBy,
		CommandFlags:    raw.CommandFlags,
		DocFlags:        raw.DocFlags,
		CommandTips:     raw.CommandTips,
		GetKeysFunction: raw.GetKeysFunction,
		ReplySchema:     raw.ReplySchema,
	}
	if err := checkName(c.FullName()); err != nil {
		return nil, err
	}
	if raw.Arity == nil {
		return nil, errors.New("no arity")
	}
	if *raw.Arity == 0 {
		return nil, errors.New("arity 0")
	}
	c.Arity = *raw.Arity
	for i, rks := range raw.KeySpecs {
		ks, err := parseKeySpec(rks)
		if err != nil {
			return nil, fmt.Errorf("key_specs[%d]: %w", i, err)
		}
		c.KeySpecs = append(c.KeySpecs, ks)
	}
	args, err := convertArguments(raw.Arguments)
	if err != nil {
		return nil, err
	}
	c.Arguments = args
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

// convertArguments checks the argument types and copies the arguments into
// the model.
func convertArguments(raws []*rawArgument) ([]*Argument, error) {
	var args []*Argument
	for _, r := range raws {
		a := &Argument{
			Name:            r.Name,
			Type:            r.Type,
			Token:           r.Token,
			Optional:        r.Optional,
			Multiple:        r.Multiple,
			MultipleToken:   r.MultipleToken,
			Display:         r.Display,
			Since:           r.Since,
			DeprecatedSince: r.DeprecatedSince,
		}
		switch r.Type {
		case "key", "string", "pattern", "integer", "double", "unix-time":
		case "pure-token":
			if a.Token == "" {
				// A few specs (SENTINEL SIMULATE-FAILURE) leave it out: the
				// token is the name.
				a.Token = strings.ToUpper(a.Name)
			}
		case "oneof", "block":
			if len(r.Arguments) == 0 {
				return nil, fmt.Errorf("%s argument %q has no arguments", r.Type, r.Name)
			}
			sub, err := convertArguments(r.Arguments)
			if err != nil {
				return nil, err
			}
			a.Arguments = sub
		default:
			return nil, fmt.Errorf("argument %q has unknown type %q", r.Name, r.Type)
		}
		args = append(args, a)
	}
	return args, nil
}
