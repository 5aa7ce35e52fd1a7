package main

import (
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
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

	existingMethods map[string]bool // methods of *Client and *Pipeline written by hand
	errs            []string
	specs           map[string]*spec.Command // every command by full name

	// builders maps a method to the argument-writing function it calls;
	// methods whose arguments are written identically share one (see
	// shareBuilders). builderUsers lists a builder's methods.
	builders     map[*method]string
	builderUsers map[string][]string
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
	pointer  bool     // options passed as a pointer (a variadic list comes last)
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
	cmd       *spec.Command
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
	recv      string   // the receiver's type: Client, or SentinelClient
	twin      *unitTwin
	twinParam string // the parameter that picks between the command and its twin
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
func skipReason(c *spec.Command) string {
	full := c.FullName()
	switch {
	case skipReasons[full] != "":
		return skipReasons[full]
	case c.HasSubcommands:
		return "container command: its subcommands have methods"
	case c.Container == "CLUSTER" && !clusterKept[full]:
		return "cluster administration: the cluster package"
	case c.HasDocFlag("SYSCMD"):
		return "internal command (SYSCMD)"
	case c.ReplySchema == nil:
		return "no reply schema"
	}
	return ""
}

// generate builds every method.
func (g *generator) generate(cmds []*spec.Command) {
	defer g.checkDuplicateTypes()
	g.specs = map[string]*spec.Command{}
	for _, c := range cmds {
		g.specs[c.FullName()] = c
	}
	for _, c := range cmds {
		if r := skipReason(c); r != "" {
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
func baseName(c *spec.Command) string {
	if c.Container != "" {
		return goName(c.Container) + goName(c.Name)
	}
	return goName(c.Name)
}

// prepare copies a command's arguments and applies patches and the variant.
func (g *generator) prepare(c *spec.Command, v variant) []*Arg {
	args := make([]*Arg, len(c.Arguments))
	for i, a := range c.Arguments {
		args[i] = newArg(a)
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
	applyTypeRules(c, args)
	return args
}

// trailing reports whether a is the last argument, optional and multiple
// without a token written once: it becomes a (variadic) parameter, empty
// meaning absent.
func trailing(args []*Arg, a *Arg) bool {
	return len(args) > 0 && args[len(args)-1] == a && a.Optional && a.Multiple && (a.Token == "" || a.MultipleToken)
}

// build generates one method of c.
func (g *generator) build(c *spec.Command, v variant, base *method) *method {
	name := baseName(c) + v.suffix
	recv := "Client"
	if c.Container == "SENTINEL" {
		// Sentinel commands are methods of SentinelClient, without the
		// prefix: SENTINEL MASTERS is SentinelClient.Masters.
		recv, name = "SentinelClient", goName(c.Name)+v.suffix
	}
	if name == "" {
		g.errorf("%s: no Go name", c.FullName())
		return nil
	}
	key := name
	if recv != "Client" {
		key = recv + "." + name
	}
	if prev, ok := g.names[key]; ok {
		g.errorf("method %s made for both %s and %s", name, prev.cmd.FullName(), c.FullName())
		return nil
	}
	m := &method{name: name, recv: recv, cmd: c, v: v, args: g.prepare(c, v)}
	m.twin = findTwin(c, m.args, g.specs)
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
		if m.variadic {
			m.opts.pointer = true
		}
	}
	if _, ok := resultKinds[m.result]; !ok {
		g.errorf("%s: unknown result kind %q", name, m.result)
	}
	if g.existingMethods[key] {
		g.errorf("method %s is also written by hand", key)
	}
	m.appendTo = m.result == "string" && plainString(c.ReplySchema) && recv == "Client"
	if m.appendTo && g.existingMethods[name+"Append"] {
		g.errorf("method %sAppend is also written by hand", name)
	}
	g.names[key] = m
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
