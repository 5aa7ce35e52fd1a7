package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Command is one command or subcommand as its spec file describes it.
type Command struct {
	Name            string // the spec's key: "GET", or "KILL" for CLIENT KILL
	Container       string `json:"container"`
	Summary         string `json:"summary"`
	Complexity      string `json:"complexity"`
	Group           string `json:"group"`
	Since           string `json:"since"`
	Arity           int    `json:"arity"`
	CommandFlags    []string
	DocFlags        []string
	DeprecatedSince string
	ReplacedBy      string
	ReplySchema     any // decoded JSON; nil when the spec has none
	Arguments       []*Arg

	File string // the spec file name, for messages
}

// FullName is the command as it is typed: "GET", "CLIENT KILL".
func (c *Command) FullName() string {
	if c.Container != "" {
		return c.Container + " " + c.Name
	}
	return c.Name
}

// hasFlag reports whether command_flags holds f.
func (c *Command) hasFlag(f string) bool {
	for _, x := range c.CommandFlags {
		if x == f {
			return true
		}
	}
	return false
}

func (c *Command) hasDocFlag(f string) bool {
	for _, x := range c.DocFlags {
		if x == f {
			return true
		}
	}
	return false
}

// Arg is one argument of a command, or of a block or oneof argument.
type Arg struct {
	Name            string `json:"name"`
	Type            string `json:"type"` // key, string, pattern, integer, double, unix-time, pure-token, oneof, block
	Token           string `json:"token"`
	Optional        bool   `json:"optional"`
	Multiple        bool   `json:"multiple"`
	MultipleToken   bool   `json:"multiple_token"`
	Display         string `json:"display"`
	Since           string `json:"since"`
	DeprecatedSince string `json:"deprecated_since"`
	Arguments       []*Arg `json:"arguments"`

	// Set by patches, never by specs.
	pointer     bool   // an optional scalar is a pointer: its zero value is meaningful
	encode      string // argBuf method that writes a scalar, if not the default for its type
	goName      string // Go name (field or parameter) chosen by an override
	typeName    string // Go type name for a block, oneof or enum, chosen by an override
	forced      bool   // an optional argument a variant always sends
	numkeysFor  string // this integer is the count of the named following argument
	countedArgs bool   // this multiple argument is counted by a preceding numkeys
}

func (a *Arg) clone() *Arg {
	b := *a
	b.Arguments = make([]*Arg, len(a.Arguments))
	for i, x := range a.Arguments {
		b.Arguments[i] = x.clone()
	}
	return &b
}

type rawCommand struct {
	Container       string   `json:"container"`
	Summary         string   `json:"summary"`
	Complexity      string   `json:"complexity"`
	Group           string   `json:"group"`
	Since           string   `json:"since"`
	Arity           int      `json:"arity"`
	CommandFlags    []string `json:"command_flags"`
	DocFlags        []string `json:"doc_flags"`
	DeprecatedSince string   `json:"deprecated_since"`
	ReplacedBy      string   `json:"replaced_by"`
	ReplySchema     any      `json:"reply_schema"`
	Arguments       []*Arg   `json:"arguments"`
}

// loadSpecs reads every *.json file of dir, sorted by full command name.
func loadSpecs(dir string) ([]*Command, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json command specs in %s", dir)
	}
	var cmds []*Command
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]rawCommand
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for name, r := range m {
			cmds = append(cmds, &Command{
				Name:            name,
				Container:       r.Container,
				Summary:         r.Summary,
				Complexity:      r.Complexity,
				Group:           r.Group,
				Since:           r.Since,
				Arity:           r.Arity,
				CommandFlags:    r.CommandFlags,
				DocFlags:        r.DocFlags,
				DeprecatedSince: r.DeprecatedSince,
				ReplacedBy:      r.ReplacedBy,
				ReplySchema:     r.ReplySchema,
				Arguments:       r.Arguments,
				File:            filepath.Base(f),
			})
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].FullName() < cmds[j].FullName() })
	for i := 1; i < len(cmds); i++ {
		if cmds[i].FullName() == cmds[i-1].FullName() {
			return nil, fmt.Errorf("command %s is specified twice", cmds[i].FullName())
		}
	}
	for _, c := range cmds {
		if err := validateArgs(c, c.Arguments); err != nil {
			return nil, err
		}
	}
	return cmds, nil
}

func validateArgs(c *Command, args []*Arg) error {
	for _, a := range args {
		switch a.Type {
		case "key", "string", "pattern", "integer", "double", "unix-time":
		case "pure-token":
			if a.Token == "" {
				// A few specs (SENTINEL SIMULATE-FAILURE) leave it out: the
				// token is the name.
				a.Token = strings.ToUpper(a.Name)
			}
		case "oneof", "block":
			if len(a.Arguments) == 0 {
				return fmt.Errorf("%s: %s argument %q has no arguments", c.FullName(), a.Type, a.Name)
			}
			if err := validateArgs(c, a.Arguments); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: argument %q has unknown type %q", c.FullName(), a.Name, a.Type)
		}
	}
	return nil
}

// findArg returns the argument at path (names joined by dots) in args.
func findArg(args []*Arg, path string) (*Arg, []*Arg, int) {
	name, rest, nested := strings.Cut(path, ".")
	for i, a := range args {
		if a.Name != name {
			continue
		}
		if !nested {
			return a, args, i
		}
		return findArg(a.Arguments, rest)
	}
	return nil, nil, -1
}

// syntax renders arguments the way the Redis documentation does:
// "key value [NX | XX] [GET]".
func syntax(args []*Arg) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, argSyntax(a))
	}
	return strings.Join(parts, " ")
}

func argSyntax(a *Arg) string {
	var s string
	switch a.Type {
	case "pure-token":
		s = a.Token
	case "oneof":
		alts := make([]string, len(a.Arguments))
		for i, x := range a.Arguments {
			alts[i] = argSyntax(x)
		}
		s = strings.Join(alts, " | ")
		if a.Token != "" {
			s = a.Token + " " + paren(s, !a.Optional)
		} else if !a.Optional && len(a.Arguments) > 1 {
			s = "<" + s + ">"
		}
	case "block":
		s = syntax(a.Arguments)
		if a.Token != "" {
			s = a.Token + " " + s
		}
	default:
		s = a.Display
		if s == "" {
			s = a.Name
		}
		if a.Token != "" {
			s = a.Token + " " + s
		}
	}
	if a.Multiple {
		if a.MultipleToken || a.Token == "" || a.Type == "block" || a.Type == "oneof" {
			s = s + " [" + s + " ...]"
		} else {
			s = s + " [" + strings.TrimPrefix(s, a.Token+" ") + " ...]"
		}
	}
	if a.Optional && !a.forced {
		s = "[" + s + "]"
	}
	return s
}

func paren(s string, on bool) string {
	if on {
		return "<" + s + ">"
	}
	return s
}
