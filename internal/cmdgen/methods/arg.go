package main

import (
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// Arg is an argument as the generator works on it: a copy of the spec's
// argument (spec.Argument), which patches and variants may change, with
// what they decide about it. Each method gets fresh copies (see prepare).
type Arg struct {
	Name          string
	Type          string // as spec.Argument's; a patch may change it
	Token         string
	Optional      bool // a variant may make it required
	Multiple      bool
	MultipleToken bool
	Display       string
	Arguments     []*Arg

	// Set by patches, never by specs.
	pointer     bool   // an optional scalar is a pointer: its zero value is meaningful
	encode      string // argBuf method that writes a scalar, if not the default for its type
	goName      string // Go name (field or parameter) chosen by an override
	typeName    string // Go type name for a block, oneof or enum, chosen by an override
	forced      bool   // an optional argument a variant always sends
	numkeysFor  string // this integer is the count of the named following argument
	countedArgs bool   // this multiple argument is counted by a preceding numkeys

	// Set by the type rules (rules.go).
	value bool   // a value of any kind: `any`
	unit  string // a duration or time, and its unit (unit* constants)
}

// newArg copies a spec argument and its sub-arguments.
func newArg(s *spec.Argument) *Arg {
	a := &Arg{
		Name:          s.Name,
		Type:          s.Type,
		Token:         s.Token,
		Optional:      s.Optional,
		Multiple:      s.Multiple,
		MultipleToken: s.MultipleToken,
		Display:       s.Display,
		Arguments:     make([]*Arg, len(s.Arguments)),
	}
	for i, x := range s.Arguments {
		a.Arguments[i] = newArg(x)
	}
	return a
}

func (a *Arg) clone() *Arg {
	b := *a
	b.Arguments = make([]*Arg, len(a.Arguments))
	for i, x := range a.Arguments {
		b.Arguments[i] = x.clone()
	}
	return &b
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
