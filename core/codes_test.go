package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestCodeTable: every Code constant declared in this package is in the
// table with a status and a title, statuses fit their class, and no two
// constants share a string.
func TestCodeTable(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range pkgs["core"].Files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				v, _ := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
				if other, dup := seen[v]; dup {
					t.Errorf("%s and %s are both %q", other, vs.Names[0].Name, v)
				}
				seen[v] = vs.Names[0].Name
				info := Code(v).Info()
				if !Code(v).Known() {
					t.Errorf("%s (%q) is not in the code table", vs.Names[0].Name, v)
					continue
				}
				if info.Title == "" || info.Status < 400 || info.Status > 599 {
					t.Errorf("%s: %+v", v, info)
				}
				if (info.Status >= 500) != (info.Class == ClassInternal || info.Status == 503) {
					t.Errorf("%s: status %d with class %s", v, info.Status, info.Class)
				}
			}
		}
	}
	if len(seen) != len(codeTable) {
		t.Errorf("%d Code constants, %d table rows", len(seen), len(codeTable))
	}
	if Code("no_such_code").Info().Status != 500 {
		t.Error("an unknown code must be internal")
	}
}
