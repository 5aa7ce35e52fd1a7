package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Emitting the arguments of a command: where each is stored (scope) and the
// code that writes it (emitter).
// scope is where the Go storage of arguments is declared: a method's
// parameters, its options struct, or a block's struct.
type scope struct {
	params bool
	fields *[]field
	names  map[string]bool
	ref    func(name string) string
	block  *Arg // set while a required block is flattened into parameters
}

// add declares storage for argument a (named after nameArg) and returns its
// Go name.
func (s *scope) add(a, nameArg *Arg, typ, doc string, multiple bool) string {
	var cands []string
	if s.params {
		n := ""
		if nameArg.goName != "" {
			n = lowerGo(nameArg.goName)
		} else {
			n = lowerName(nameArg.Name)
			if multiple {
				n = plural(n)
			}
		}
		cands = append(cands, n)
	} else {
		if nameArg.goName != "" {
			cands = append(cands, nameArg.goName)
		}
		// Optional arguments are known by their token (EX, COUNT, MATCH);
		// required ones inside a block by their name (BYRADIUS radius).
		if nameArg.Token != "" && goName(nameArg.Token) != "" && (a.Optional || a.Type == "pure-token") {
			cands = append(cands, goName(nameArg.Token))
		}
		cands = append(cands, goName(nameArg.Name))
	}
	name := ""
	for _, c := range cands {
		if c != "" && !s.names[c] {
			name = c
			break
		}
	}
	for i := 2; name == ""; i++ {
		if c := cands[0] + strconv.Itoa(i); !s.names[c] {
			name = c
		}
	}
	s.names[name] = true
	*s.fields = append(*s.fields, field{name: name, typ: typ, doc: doc, slice: strings.HasPrefix(typ, "[]") && multiple, block: s.block})
	return name
}

// emitter writes the statements that encode arguments.
type emitter struct {
	g        *generator
	m        *method // nil inside a struct's writeArgs
	w        *strings.Builder
	req, opt *scope // where required and optional arguments are stored
	owner    string // prefix of the names of types made here
	pre      map[*Arg]string
}

func (e *emitter) line(format string, args ...any) {
	fmt.Fprintf(e.w, format, args...)
	e.w.WriteByte('\n')
}

func (e *emitter) token(a *Arg) {
	if a.Token != "" {
		e.line("a.str(%q)", a.Token)
	}
}

func isScalar(a *Arg) bool {
	switch a.Type {
	case "key", "string", "pattern", "integer", "double", "unix-time":
		return true
	}
	return false
}

func scalarType(a *Arg) string {
	switch {
	case a.unit != "" && isTimeUnit(a.unit):
		return "time.Time"
	case a.unit != "":
		return "time.Duration"
	case a.value:
		return "any"
	}
	switch a.Type {
	case "integer", "unix-time":
		return "int64"
	case "double":
		return "float64"
	}
	return "string"
}

func encoder(a *Arg) string {
	if a.encode != "" {
		return a.encode
	}
	if a.unit != "" {
		return unitEncoders[a.unit]
	}
	if a.value {
		return "value"
	}
	switch a.Type {
	case "key":
		return "key"
	case "integer", "unix-time":
		return "int"
	case "double":
		return "float"
	}
	return "str"
}

// present is the Go expression that tells an optional field x of type typ
// from its zero value, which means "absent".
func present(x, typ string) string {
	switch typ {
	case "time.Time":
		return "!" + x + ".IsZero()"
	case "int64", "float64", "time.Duration":
		return x + " != 0"
	case "any":
		return x + " != nil"
	}
	return x + ` != ""`
}

// absentWord says what zero value of typ leaves an argument out.
func absentWord(typ string) string {
	switch typ {
	case "time.Time":
		return "zero"
	case "int64", "float64", "time.Duration":
		return "0"
	case "any":
		return "nil"
	}
	return "empty"
}

func allTokens(a *Arg) bool {
	for _, x := range a.Arguments {
		if x.Type != "pure-token" || x.Optional {
			return false
		}
	}
	return true
}

func allOptional(args []*Arg) bool {
	for _, a := range args {
		if !a.Optional {
			return false
		}
	}
	return true
}

// valueAlternative returns the one scalar alternative of a oneof whose other
// alternatives are pure tokens ("*" or an ID), or nil.
func valueAlternative(a *Arg) *Arg {
	var val *Arg
	for _, x := range a.Arguments {
		switch {
		case x.Type == "pure-token":
		case isScalar(x) && scalarType(x) == "string" && x.Token == "" && !x.Multiple && val == nil:
			val = x
		default:
			return nil
		}
	}
	return val
}

// arg writes argument a and returns, when a is optional, the Go expression
// that tells whether it is present.
func (e *emitter) arg(a *Arg) string {
	if a.numkeysFor != "" {
		next, ok := e.counted(a)
		if !ok {
			e.g.errorf("%s: numkeys without its keys", e.owner)
			return ""
		}
		name := e.req.add(next, next, "[]string", "", true)
		e.pre[next] = name
		e.line("a.int(int64(len(%s)))", e.req.ref(name))
		if e.m != nil {
			e.m.notes = append(e.m.notes, "numkeys is sent as len("+name+").")
		}
		return ""
	}
	opt := a.Optional && !a.forced && !a.countedArgs
	sc := e.req
	if opt {
		sc = e.opt
	}
	doc := fieldDoc(a)
	switch {
	case a.Type == "pure-token":
		if !opt {
			e.token(a)
			return ""
		}
		x := sc.ref(sc.add(a, a, "bool", doc+" when true.", false))
		e.line("if %s {\na.str(%q)\n}", x, a.Token)
		return x

	case isScalar(a):
		return e.scalar(a, sc, opt, doc)

	case a.Type == "oneof" && allTokens(a):
		t := e.g.enumType(a, e.owner)
		if a.Multiple {
			e.g.errorf("%s: multiple enum %s", e.owner, a.Name)
			return ""
		}
		if opt {
			x := sc.ref(sc.add(a, a, t, doc+" when not empty.", false))
			e.line("if %s != \"\" {", x)
			e.token(a)
			e.line("a.str(string(%s))\n}", x)
			return x + ` != ""`
		}
		x := sc.ref(sc.add(a, a, t, doc+".", false))
		e.token(a)
		e.line("a.str(string(%s))", x)
		return ""

	case a.Type == "oneof" && valueAlternative(a) != nil:
		val := valueAlternative(a)
		var toks []string
		for _, x := range a.Arguments {
			if x.Type == "pure-token" {
				t := x.Token
				if t == `""` {
					t = "" // MIGRATE's empty key: the spec quotes it
				}
				toks = append(toks, t)
			}
		}
		quoted := make([]string, len(toks))
		for i, t := range toks {
			quoted[i] = strconv.Quote(t)
		}
		note := fmt.Sprintf("%s: %s, or one of %s.", a.Name, val.Name, strings.Join(quoted, ", "))
		x := sc.ref(sc.add(a, val, "string", doc+" ("+note+")", false))
		if e.m != nil && !opt {
			e.m.notes = append(e.m.notes, fmt.Sprintf("%s may also be %s.", x, strings.Join(quoted, " or ")))
		}
		guard := opt
		if guard {
			e.line("if %s != \"\" {", x)
		}
		e.token(a)
		if val.Type == "key" {
			conds := make([]string, len(quoted))
			for i, q := range quoted {
				conds[i] = x + " == " + q
			}
			e.line("if %s {\na.str(%s)\n} else {\na.key(%s)\n}", strings.Join(conds, " || "), x, x)
		} else {
			e.line("a.%s(%s)", encoder(val), x)
		}
		if guard {
			e.line("}")
			return x + ` != ""`
		}
		return ""

	case a.Type == "block" && allTokens(a) && !a.Multiple:
		if !opt {
			e.token(a)
			for _, x := range a.Arguments {
				e.token(x)
			}
			return ""
		}
		x := sc.ref(sc.add(a, a, "bool", doc+" when true.", false))
		e.line("if %s {", x)
		e.token(a)
		for _, t := range a.Arguments {
			e.token(t)
		}
		e.line("}")
		return x

	case pairsBlock(a):
		name, ok := e.pre[a]
		if !ok {
			name = sc.add(a, a, "[]any", doc+": names and values alternate; a map, a FieldValue or a []FieldValue adds its pairs", true)
		}
		x := sc.ref(name)
		if a.Token != "" {
			e.token(a)
		}
		enc := "pairs"
		if a.Arguments[0].Type == "key" {
			enc = "keyValues"
		}
		e.line("a.%s(%s)", enc, x)
		if opt {
			return "len(" + x + ") > 0"
		}
		return ""

	case a.Multiple: // blocks and oneofs
		t := e.g.structType(a, e.owner)
		name, ok := e.pre[a]
		if !ok {
			name = sc.add(a, a, "[]"+t, doc+".", true)
		}
		x := sc.ref(name)
		if a.Token != "" && !a.MultipleToken {
			if opt || a.countedArgs {
				e.line("if len(%s) > 0 {\na.str(%q)\n}", x, a.Token)
			} else {
				e.token(a)
			}
		}
		e.line("for i := range %s {", x)
		if a.MultipleToken {
			e.token(a)
		}
		e.line("%s[i].writeArgs(a)\n}", x)
		if opt {
			return "len(" + x + ") > 0"
		}
		return ""

	case a.Type == "block" && !opt:
		// A required block is flattened where it stands.
		e.token(a)
		prev := e.req.block
		if e.req.params {
			e.req.block = a
		}
		for _, x := range a.Arguments {
			e.arg(x)
		}
		e.req.block = prev
		return ""

	case a.Type == "block":
		t := e.g.structType(a, e.owner)
		x := sc.ref(sc.add(a, a, "*"+t, doc+" when not nil.", false))
		e.line("if %s != nil {", x)
		e.token(a)
		e.line("%s.writeArgs(a)\n}", x)
		return x + " != nil"

	case a.Type == "oneof" && !opt && e.req.params:
		// A required choice among valued alternatives: a struct parameter.
		t := e.g.structType(a, e.owner)
		x := sc.ref(sc.add(a, a, t, doc+".", false))
		e.token(a)
		e.line("%s.writeArgs(a)", x)
		return ""

	case a.Type == "oneof":
		// Flattened: each alternative is an optional field of its own.
		var sub strings.Builder
		se := *e
		se.w = &sub
		se.req, se.opt = sc, sc
		var pres []string
		n0 := len(*sc.fields)
		merged := mergeExpiries(a.Arguments)
	alts:
		for _, alt := range a.Arguments {
			for _, m := range merged {
				switch alt {
				case m.secs:
					pres = append(pres, se.expiry(sc, m))
					continue alts
				case m.millis:
					continue alts
				}
			}
			c := alt.clone()
			c.Optional = true
			if p := se.arg(c); p != "" {
				pres = append(pres, p)
			}
		}
		// Tell the alternatives apart in the docs.
		alts := (*sc.fields)[n0:]
		names := make([]string, len(alts))
		for i, f := range alts {
			names[i] = f.name
		}
		how := " Set at most one of "
		if !opt {
			how = " Set one of "
		}
		for i := range alts {
			alts[i].doc += how + strings.Join(names, ", ") + " (" + a.Name + ")."
		}
		any := strings.Join(pres, " || ")
		if a.Token != "" {
			if opt {
				e.line("if %s {\na.str(%q)\n}", any, a.Token)
			} else {
				e.token(a)
			}
		}
		e.w.WriteString(sub.String())
		if opt {
			return "(" + any + ")"
		}
		return ""
	}
	e.g.errorf("%s: cannot generate argument %s (%s)", e.owner, a.Name, a.Type)
	return ""
}

// counted returns the argument a numkeys counts.
func (e *emitter) counted(a *Arg) (*Arg, bool) {
	for i, x := range e.m.args {
		if x == a && i+1 < len(e.m.args) {
			return e.m.args[i+1], true
		}
	}
	return nil, false
}

func (e *emitter) scalar(a *Arg, sc *scope, opt bool, doc string) string {
	t := scalarType(a)
	enc := encoder(a)
	if a.Multiple {
		name, ok := e.pre[a]
		if !ok {
			name = sc.add(a, a, "[]"+t, doc+".", true)
		}
		x := sc.ref(name)
		if a.Token != "" && !a.MultipleToken {
			if opt || a.countedArgs {
				e.line("if len(%s) > 0 {\na.str(%q)\n}", x, a.Token)
			} else {
				e.token(a)
			}
		}
		if a.value && !a.MultipleToken {
			e.line("a.values(%s)", x) // flattens lists, maps and FieldValues
		} else {
			e.line("for _, v := range %s {", x)
			if a.MultipleToken {
				e.token(a)
			}
			e.line("a.%s(v)\n}", enc)
		}
		if opt {
			return "len(" + x + ") > 0"
		}
		return ""
	}
	if opt && a.pointer {
		x := sc.ref(sc.add(a, a, "*"+t, doc+" when not nil (its zero value means something).", false))
		e.line("if %s != nil {", x)
		e.token(a)
		e.line("a.%s(*%s)\n}", enc, x)
		return x + " != nil"
	}
	if opt {
		if a.unit == unitBlock {
			doc += " when not 0 (BlockForever blocks until data arrives)"
		} else {
			doc += " when not " + absentWord(t)
		}
		x := sc.ref(sc.add(a, a, t, doc+unitDoc(a)+".", false))
		e.line("if %s {", present(x, t))
		e.token(a)
		e.line("a.%s(%s)\n}", enc, x)
		return present(x, t)
	}
	nameArg := a
	if n := durationParamName(a); n != "" && sc.params && a.goName == "" {
		nameArg = a.clone()
		nameArg.goName = n
	}
	x := sc.ref(sc.add(a, nameArg, t, doc+unitDoc(a)+".", false))
	if e.m != nil && e.m.twin != nil && e.m.twin.arg == a {
		e.m.twinParam = x
		e.m.notes = append(e.m.notes, fmt.Sprintf("It is sent as %s when %s is not a whole number of seconds.", e.m.twin.command, x))
	}
	e.token(a)
	e.line("a.%s(%s)", enc, x)
	return ""
}

// expiry writes a merged seconds/milliseconds pair of alternatives (EX and
// PX, EXAT and PXAT) as one field, and returns its presence test.
func (e *emitter) expiry(sc *scope, m mergedExpiry) string {
	f := &Arg{Name: m.field, goName: m.field, Optional: true}
	t, enc := "time.Duration", "ttl"
	doc := fmt.Sprintf("is the expiry: sends %s seconds when it is a whole number of seconds, %s milliseconds otherwise", m.secs.Token, m.millis.Token)
	if isTimeUnit(m.secs.unit) {
		t, enc = "time.Time", "deadline"
		doc = fmt.Sprintf("is when the key expires: sends %s with the Unix time in seconds when it is a whole second, %s in milliseconds otherwise", m.secs.Token, m.millis.Token)
	}
	x := sc.ref(sc.add(f, f, t, doc+"; when not "+absentWord(t)+".", false))
	e.line("if %s {\na.%s(%s, %q, %q)\n}", present(x, t), enc, x, m.secs.Token, m.millis.Token)
	return present(x, t)
}

// unitDoc says how a duration or time argument is sent.
func unitDoc(a *Arg) string {
	switch a.unit {
	case unitSeconds:
		return " (whole seconds)"
	case unitMillis, unitBlock:
		return " (whole milliseconds)"
	case unitSecondsFloat:
		return " (sent in seconds, millisecond precision; 0 blocks forever)"
	case unitUnixSeconds:
		return " (a Unix time in seconds)"
	case unitUnixMillis:
		return " (a Unix time in milliseconds)"
	}
	return ""
}

// fieldDoc describes an argument: `is "seconds": sends EX seconds`.
func fieldDoc(a *Arg) string {
	b := *a
	b.Optional = false
	s := argSyntax(&b)
	if a.Type == "oneof" && a.Token == "" && !a.Multiple {
		alts := make([]string, len(a.Arguments))
		for i, x := range a.Arguments {
			alts[i] = argSyntax(x)
		}
		s = strings.Join(alts, " | ")
	}
	d := fmt.Sprintf("is %q: sends %s", a.Name, s)
	if a.Multiple {
		d += " (one per element)"
	}
	return d
}

// signature identifies the shape of a block's or oneof's arguments, so
// identical ones share a type.
func signature(kind string, args []*Arg) string {
	var b strings.Builder
	b.WriteString(kind)
	var walk func(args []*Arg)
	walk = func(args []*Arg) {
		b.WriteByte('(')
		for _, a := range args {
			fmt.Fprintf(&b, "%s:%s:%s:%t:%t:%t:%t:%s:%s:%s:%t:%t:%s", a.Name, a.Type, a.Token, a.Optional, a.Multiple,
				a.MultipleToken, a.pointer, a.encode, a.goName, a.typeName, a.forced, a.value, a.unit)
			walk(a.Arguments)
			b.WriteByte(';')
		}
		b.WriteByte(')')
	}
	walk(args)
	return b.String()
}
