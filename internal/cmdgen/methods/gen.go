package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// generator turns commands into methods and the types they need.
type generator struct {
	types   map[string]*goType
	typeSig map[string]string // a block's or oneof's signature -> its type name
	idents  map[string]string // package-level identifiers -> what declares them
	methods []*method
	names   map[string]*method // method names
	skipped []skipped
	group   string // the group of the command being generated
	cmd     string // the command being generated
	order   int    // creation order of types

	existingMethods map[string]bool // methods of *Client written by hand
	errs            []string
}

type skipped struct{ command, reason string }

// goType is a generated type: an enum, a block's or oneof's struct, or a
// method's options.
type goType struct {
	name     string
	group    string
	doc      []string
	enum     bool
	consts   []enumConst
	fields   []field
	writer   string // body of the writeArgs method of a block or oneof struct
	external bool   // declared by hand; only writeArgs is generated
	options  bool
	command  string   // the command it was made for
	users    []string // methods using an options type
	order    int
}

type enumConst struct{ name, value string }

// field is a struct field or a method parameter.
type field struct {
	name  string
	typ   string
	doc   string
	slice bool // from a multiple argument: may become variadic
	block *Arg // the flattened block the parameter belongs to
}

type method struct {
	name      string
	cmd       *Command
	v         variant
	args      []*Arg
	params    []field
	variadic  bool
	optFields []field
	opts      *goType
	body      strings.Builder
	result    string
	appendTo  bool     // there is a NameAppend form too
	notes     []string // sentences about parameters, for the doc
}

func newGenerator() *generator {
	return &generator{
		types:           map[string]*goType{},
		typeSig:         map[string]string{},
		idents:          map[string]string{},
		names:           map[string]*method{},
		existingMethods: map[string]bool{},
	}
}

func (g *generator) errorf(format string, args ...any) {
	g.errs = append(g.errs, fmt.Sprintf(format, args...))
}

// declare records a package-level identifier, reporting a clash.
func (g *generator) declare(name, by string) {
	if prev, ok := g.idents[name]; ok && prev != by {
		g.errorf("identifier %s declared by both %s and %s", name, prev, by)
		return
	}
	g.idents[name] = by
}

// skipReason says why a command gets no method, or "".
func skipReason(c *Command, containers map[string]bool) string {
	full := c.FullName()
	switch {
	case skipReasons[full] != "":
		return skipReasons[full]
	case containers[full]:
		return "container command: its subcommands have methods"
	case c.Group == "sentinel":
		return "sentinel servers only: the sentinel package"
	case c.Container == "CLUSTER" && !clusterKept[full]:
		return "cluster administration: the cluster package"
	case c.hasDocFlag("SYSCMD"):
		return "internal command (SYSCMD)"
	case c.ReplySchema == nil:
		return "no reply schema"
	}
	return ""
}

// generate builds every method.
func (g *generator) generate(cmds []*Command) {
	containers := map[string]bool{}
	for _, c := range cmds {
		if c.Container != "" {
			containers[c.Container] = true
		}
	}
	defer g.checkDuplicateTypes()
	for _, c := range cmds {
		if r := skipReason(c, containers); r != "" {
			g.skipped = append(g.skipped, skipped{c.FullName(), r})
			continue
		}
		g.group, g.cmd = c.Group, c.FullName()
		vs := variants[c.FullName()]
		if len(vs) == 0 {
			vs = []variant{{}}
		}
		var base *method
		for _, v := range vs {
			m := g.build(c, v, base)
			if m == nil {
				continue
			}
			if base == nil {
				base = m
			}
		}
	}
}

// checkDuplicateTypes reports struct types that came out identical under
// different names: their type-name overrides should agree.
func (g *generator) checkDuplicateTypes() {
	seen := map[string]string{}
	for _, t := range g.sortedTypes() {
		if t.enum || t.options {
			continue
		}
		var b strings.Builder
		for _, f := range t.fields {
			b.WriteString(f.name + " " + f.typ + ";")
		}
		b.WriteString(t.writer)
		if prev, ok := seen[b.String()]; ok {
			g.errorf("types %s and %s are identical: give both arguments the same type name", prev, t.name)
		}
		seen[b.String()] = t.name
	}
}

// baseName is the Go name of a command: "ClientKill".
func baseName(c *Command) string {
	if c.Container != "" {
		return goName(c.Container) + goName(c.Name)
	}
	return goName(c.Name)
}

// prepare copies a command's arguments and applies patches and the variant.
func (g *generator) prepare(c *Command, v variant) []*Arg {
	args := make([]*Arg, len(c.Arguments))
	for i, a := range c.Arguments {
		args[i] = a.clone()
	}
	full := c.FullName()
	for _, key := range sortedKeys(argPatches) {
		cmd, path, _ := strings.Cut(key, "/")
		if cmd != full {
			continue
		}
		a, _, _ := findArg(args, path)
		if a == nil {
			g.errorf("patch %s: no such argument", key)
			continue
		}
		for _, p := range argPatches[key] {
			p(a)
		}
	}
	if full == "CLIENT KILL" {
		// Offer only the current filter form: the legacy "ip:port" one
		// (deprecated since 2.8.12) replies differently.
		f, _, _ := findArg(args, "filter")
		nf, _, _ := findArg(args, "filter.new-format")
		if f == nil || nf == nil {
			g.errorf("CLIENT KILL: filter arguments not found")
		} else {
			*f = *nf.clone()
			f.Name, f.Multiple = "filter", false
		}
	}
	for _, p := range v.exclude {
		_, parent, i := findArg(args, p)
		if i < 0 {
			g.errorf("%s: exclude %s: no such argument", full, p)
			continue
		}
		removed := append(parent[:i:i], parent[i+1:]...)
		if !strings.Contains(p, ".") {
			args = removed
		} else {
			pa, _, _ := findArg(args, p[:strings.LastIndex(p, ".")])
			pa.Arguments = removed
		}
	}
	for _, p := range v.require {
		a, _, _ := findArg(args, p)
		if a == nil {
			g.errorf("%s: require %s: no such argument", full, p)
			continue
		}
		a.Optional = false
	}
	for _, p := range v.force {
		a, _, _ := findArg(args, p)
		if a == nil || a.Type != "pure-token" {
			g.errorf("%s: force %s: no such pure token", full, p)
			continue
		}
		a.forced = true
	}
	// numkeys counts the key list that follows it.
	for i, a := range args {
		if a.Name == "numkeys" && a.Type == "integer" && i+1 < len(args) && args[i+1].Type == "key" && args[i+1].Multiple {
			a.numkeysFor = args[i+1].Name
			args[i+1].countedArgs = true
		}
	}
	return args
}

// trailing reports whether a is the last argument, optional and multiple
// without a token written once: it becomes a (variadic) parameter, empty
// meaning absent.
func trailing(args []*Arg, a *Arg) bool {
	return len(args) > 0 && args[len(args)-1] == a && a.Optional && a.Multiple && (a.Token == "" || a.MultipleToken)
}

// build generates one method of c.
func (g *generator) build(c *Command, v variant, base *method) *method {
	name := baseName(c) + v.suffix
	if name == "" {
		g.errorf("%s: no Go name", c.FullName())
		return nil
	}
	if prev, ok := g.names[name]; ok {
		g.errorf("method %s made for both %s and %s", name, prev.cmd.FullName(), c.FullName())
		return nil
	}
	m := &method{name: name, cmd: c, v: v, args: g.prepare(c, v)}
	m.result = v.result
	if m.result == "" {
		m.result = schemaKind(c.ReplySchema)
	}
	e := &emitter{g: g, w: &m.body, owner: baseName(c), m: m, pre: map[*Arg]string{}}
	e.req = &scope{params: true, fields: &m.params, names: map[string]bool{}, ref: func(n string) string { return n }}
	e.opt = &scope{fields: &m.optFields, names: map[string]bool{}, ref: func(n string) string { return "o." + n }}
	for _, a := range m.args {
		if trailing(m.args, a) {
			a.countedArgs = true // a parameter, like a counted key list
		}
		e.arg(a)
	}
	if n := len(m.params); n > 0 && m.params[n-1].slice {
		last := m.params[n-1]
		m.variadic = !(n > 1 && m.params[n-2].slice && last.block != nil && m.params[n-2].block == last.block)
	}
	if len(m.optFields) > 0 {
		if base != nil && base.opts != nil && sameFields(base.optFields, m.optFields) {
			m.opts = base.opts
		} else {
			t := &goType{name: name + "Options", group: g.group, command: g.cmd, fields: m.optFields, options: true, order: g.next()}
			g.declare(t.name, "options of "+name)
			g.types[t.name] = t
			m.opts = t
		}
		m.opts.users = append(m.opts.users, name)
	}
	if _, ok := resultKinds[m.result]; !ok {
		g.errorf("%s: unknown result kind %q", name, m.result)
	}
	if g.existingMethods[name] {
		g.errorf("method %s is also written by hand", name)
	}
	m.appendTo = m.result == "string" && plainString(c.ReplySchema)
	if m.appendTo && g.existingMethods[name+"Append"] {
		g.errorf("method %sAppend is also written by hand", name)
	}
	g.names[name] = m
	if m.appendTo {
		if _, ok := g.names[name+"Append"]; ok {
			g.errorf("method %sAppend made twice", name)
		}
		g.names[name+"Append"] = m
	}
	g.methods = append(g.methods, m)
	return m
}

func (g *generator) next() int { g.order++; return g.order }

func sameFields(a, b []field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || a[i].typ != b[i].typ {
			return false
		}
	}
	return true
}

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

func zeroOf(typ string) string {
	switch typ {
	case "int64", "float64":
		return "0"
	}
	return `""`
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
		for _, alt := range a.Arguments {
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
		e.line("for _, v := range %s {", x)
		if a.MultipleToken {
			e.token(a)
		}
		e.line("a.%s(v)\n}", enc)
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
		z := zeroOf(t)
		what := "0"
		if z == `""` {
			what = "empty"
		}
		x := sc.ref(sc.add(a, a, t, doc+" when not "+what+".", false))
		e.line("if %s != %s {", x, z)
		e.token(a)
		e.line("a.%s(%s)\n}", enc, x)
		return x + " != " + z
	}
	x := sc.ref(sc.add(a, a, t, doc+".", false))
	e.token(a)
	e.line("a.%s(%s)", enc, x)
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
			fmt.Fprintf(&b, "%s:%s:%s:%t:%t:%t:%t:%s:%s:%s:%t", a.Name, a.Type, a.Token, a.Optional, a.Multiple,
				a.MultipleToken, a.pointer, a.encode, a.goName, a.typeName, a.forced)
			walk(a.Arguments)
			b.WriteByte(';')
		}
		b.WriteByte(')')
	}
	walk(args)
	return b.String()
}

// structType returns the struct type of a block or oneof argument, making
// it the first time.
func (g *generator) structType(a *Arg, owner string) string {
	kind := a.Type
	sig := signature(kind, a.Arguments)
	if name, ok := g.typeSig[sig]; ok {
		return name
	}
	name := a.typeName
	if name == "" {
		name = owner + goName(a.Name)
	}
	if _, ok := g.types[name]; ok {
		g.errorf("type %s made for two different arguments (%s)", name, a.Name)
		return name
	}
	t := &goType{name: name, group: g.group, command: g.cmd, external: externalTypes[name], order: g.next()}
	g.types[name] = t
	g.typeSig[sig] = name
	if !t.external {
		g.declare(name, "argument "+a.Name)
	}
	var w strings.Builder
	sc := &scope{fields: &t.fields, names: map[string]bool{}, ref: func(n string) string { return "x." + n }}
	e := &emitter{g: g, w: &w, req: sc, opt: sc, owner: name, pre: map[*Arg]string{}}
	syn := syntax(a.Arguments)
	if kind == "oneof" {
		alts := make([]string, len(a.Arguments))
		for i, x := range a.Arguments {
			alts[i] = argSyntax(x)
		}
		syn = strings.Join(alts, " | ")
	}
	if kind == "oneof" {
		for _, alt := range a.Arguments {
			c := alt.clone()
			c.Optional = true
			e.arg(c)
		}
		how := "Set one field."
		if allOptional(a.Arguments) {
			how = "Set one or more fields: they combine."
		}
		t.doc = []string{fmt.Sprintf("%s is the %s argument: %s. %s", name, a.Name, syn, how)}
	} else {
		for _, x := range a.Arguments {
			e.arg(x)
		}
		t.doc = []string{fmt.Sprintf("%s is the %s argument: %s.", name, a.Name, syn)}
	}
	t.writer = w.String()
	return name
}

// enumType returns the string type of a oneof of pure tokens.
func (g *generator) enumType(a *Arg, owner string) string {
	key := tokenSetKey(a.Arguments)
	if def, ok := sharedEnums[key]; ok {
		t := g.types[def.typ]
		if t == nil {
			t = &goType{name: def.typ, group: g.group, command: g.cmd, enum: true, order: g.next(),
				doc: []string{def.typ + " " + def.doc}}
			g.types[def.typ] = t
			g.declare(def.typ, "enum "+key)
		}
		for _, x := range a.Arguments {
			c := def.consts[x.Token]
			if c == "" {
				g.errorf("shared enum %s has no constant for %s", def.typ, x.Token)
				continue
			}
			if g.idents[c] == "enum "+def.typ {
				continue
			}
			g.declare(c, "enum "+def.typ)
			t.consts = append(t.consts, enumConst{c, x.Token})
		}
		return def.typ
	}
	name := a.typeName
	if name == "" {
		name = owner + goName(a.Name)
	}
	if sig := "enum:" + key + ":" + name; g.typeSig[sig] != "" {
		return name
	} else {
		g.typeSig[sig] = name
	}
	t := &goType{name: name, group: g.group, command: g.cmd, enum: true, order: g.next()}
	toks := make([]string, len(a.Arguments))
	for i, x := range a.Arguments {
		toks[i] = x.Token
	}
	t.doc = []string{fmt.Sprintf("%s is the %s argument of %s: %s.", name, a.Name, owner, strings.Join(toks, " | "))}
	g.declare(name, "enum of "+owner)
	for _, x := range a.Arguments {
		c := owner + goName(x.Token)
		if _, taken := g.idents[c]; taken {
			c = name + goName(x.Token)
		}
		g.declare(c, "enum "+name)
		t.consts = append(t.consts, enumConst{c, x.Token})
	}
	g.types[name] = t
	return name
}

// sortedTypes returns the types of a group in creation order.
func (g *generator) sortedTypes() []*goType {
	ts := make([]*goType, 0, len(g.types))
	for _, t := range g.types {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].order < ts[j].order })
	return ts
}
