package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"sort"
	"strings"
)

// cmdableFile is the generated file declaring the Cmdable interface.
const cmdableFile = "cmdable_gen.go"

// addCmdable adds cmdableFile to out, the files rendered so far: the
// interface Cmdable, with every generated *Client method (and its Append
// form) in command order. Its method signatures come from the same method
// data writeMethod uses (name, paramList, result kind), so they follow any
// change there; to be sure they do, each is checked against the Client
// method declared in out.
func (g *generator) addCmdable(out map[string][]byte) error {
	if by, ok := g.idents["Cmdable"]; ok {
		return fmt.Errorf("identifier Cmdable declared by both %s and the generator", by)
	}
	var body strings.Builder
	for _, m := range g.methods {
		if m.recv != "Client" {
			continue // SentinelClient's methods are not a data node's
		}
		ret := "error"
		if t := resultKinds[m.result].goType; t != "" {
			ret = "(" + t + ", error)"
		}
		deprecated := m.cmd.HasDocFlag("DEPRECATED")
		writeIfaceMethod(&body, m.name, fmt.Sprintf("runs %s", m.cmd.FullName()), deprecated,
			fmt.Sprintf("(ctx context.Context%s) %s", m.paramList(), ret))
		if m.appendTo {
			writeIfaceMethod(&body, m.name+"Append", fmt.Sprintf("runs %s, appending the reply to dst", m.cmd.FullName()), deprecated,
				fmt.Sprintf("(ctx context.Context, dst []byte%s) ([]byte, error)", m.paramList()))
		}
	}
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package fastredis\n\n")
	b.WriteString("import (\n\"context\"\n")
	if strings.Contains(body.String(), "time.") {
		b.WriteString("\"time\"\n")
	}
	b.WriteString(")\n\n")
	for _, l := range cmdableDoc {
		b.WriteString("// " + l + "\n")
	}
	b.WriteString("type Cmdable interface {\n")
	b.WriteString(body.String())
	b.WriteString("}\n")
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", cmdableFile, err, numbered(b.String()))
	}
	if err := checkCmdable(src, out); err != nil {
		return err
	}
	out[cmdableFile] = src
	return nil
}

// writeIfaceMethod writes one method of the interface with a one-line
// comment pointing at the Client method's full documentation (and the
// Deprecated: paragraph, so that linters flag calls through the interface
// too).
func writeIfaceMethod(b *strings.Builder, name, what string, deprecated bool, sig string) {
	fmt.Fprintf(b, "// %s %s; see [Client.%s].\n", name, what, name)
	if deprecated {
		fmt.Fprintf(b, "//\n// Deprecated: see [Client.%s].\n", name)
	}
	fmt.Fprintf(b, "%s%s\n", name, sig)
}

var cmdableDoc = []string{
	"Cmdable is every typed command method: the methods generated from the",
	"Redis command specs, with the signatures *Client has. Client, Tx and the",
	"cluster and sentinel clients to come all satisfy it, so code written",
	"against Cmdable runs on any of them, and tests can give it a fake (a",
	"struct embedding Cmdable that implements the methods it needs). Each",
	"method is documented on Client; commands_index_gen.go lists them with",
	"their commands. UniversalClient adds the rest of a client: Do,",
	"pipelines, transactions, pub/sub, scripts, scan iterators and Close.",
	"",
	"Cmdable grows with the command specs: implement it by embedding, not by",
	"listing its methods.",
}

// checkCmdable checks that every method of the interface in src has the
// signature of the *Client method of that name declared in out's other
// files, and that every such generated method is in the interface.
func checkCmdable(src []byte, out map[string][]byte) error {
	fset := token.NewFileSet()
	sig := func(ft *ast.FuncType) string {
		var buf bytes.Buffer
		printer.Fprint(&buf, fset, ft)
		return buf.String()
	}
	client := map[string]string{}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasPrefix(name, "commands_") {
			continue
		}
		f, err := parser.ParseFile(fset, name, out[name], parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() {
				continue
			}
			if s, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == "Client" {
					client[fd.Name.Name] = sig(fd.Type)
				}
			}
		}
	}
	f, err := parser.ParseFile(fset, cmdableFile, src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	var errs []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, m := range gd.Specs[0].(*ast.TypeSpec).Type.(*ast.InterfaceType).Methods.List {
			name := m.Names[0].Name
			want, ok := client[name]
			if got := sig(m.Type.(*ast.FuncType)); !ok || got != want {
				errs = append(errs, fmt.Sprintf("Cmdable.%s%s differs from Client.%s%s", name, strings.TrimPrefix(got, "func"), name, strings.TrimPrefix(want, "func")))
			}
			delete(client, name)
		}
	}
	for _, name := range sortedKeys(client) {
		errs = append(errs, fmt.Sprintf("Client.%s is not in Cmdable", name))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %d problems:\n%s", cmdableFile, len(errs), strings.Join(errs, "\n"))
	}
	return nil
}
