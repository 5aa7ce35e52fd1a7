// Package examples checks that the examples of the public packages run: go
// test compiles an Example function without an output comment but does not
// run it, so an example can rot unnoticed.
package examples

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// packages are the directories, relative to this one, whose examples must
// all run.
var packages = []string{"../../fastredis", "../../redistest", "../../resp", "../../netpoll", "../../otel"}

func TestEveryExampleHasOutput(t *testing.T) {
	for _, dir := range packages {
		files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var parsed []*ast.File
		for _, name := range files {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, f)
		}
		examples := doc.Examples(parsed...)
		if len(examples) == 0 {
			t.Errorf("%s: no examples", dir)
		}
		for _, ex := range examples {
			if ex.Output == "" && !ex.EmptyOutput {
				pos := fset.Position(ex.Code.Pos())
				t.Errorf("%s:%d: Example%s has no // Output: comment, so go test compiles it but never runs it", pos.Filename, pos.Line, ex.Name)
			}
		}
	}
}
