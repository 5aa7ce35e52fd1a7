package main

import (
	"fmt"
	"sort"
	"strings"
)

// The Go types the generated methods need: structs for blocks and oneofs,
// string types with constants for token choices.
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
