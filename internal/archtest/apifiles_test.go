package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// apiTable is the one file of package api that names the endpoint areas.
const apiTable = "table.go"

// TestAPIFrameworkOneWay keeps the arrows inside package api one way: the
// endpoint area files (ep_*.go) build on the framework files (toolkit, endpoint,
// router, perm, params, response, http, errors, api), and no framework file
// refers to an identifier declared in an area file. table.go alone joins
// the areas into the table.
func TestAPIFrameworkOneWay(t *testing.T) {
	files, err := filepath.Glob("../api/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	areaDecls := map[string]string{} // identifier -> area file declaring it
	framework := map[string]*ast.File{}
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, "_test.go") || name == apiTable {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "ep_") {
			framework[name] = f
			continue
		}
		for _, id := range topLevelNames(f) {
			areaDecls[id] = name
		}
	}
	if len(areaDecls) == 0 || len(framework) == 0 {
		t.Fatalf("found %d area identifiers and %d framework files", len(areaDecls), len(framework))
	}
	for name, f := range framework {
		for _, ref := range unresolvedRefs(f) {
			if area, ok := areaDecls[ref]; ok {
				t.Errorf("framework file api/%s refers to %s from the area file %s; move it into the framework or pass it in", name, ref, area)
			}
		}
	}
}

// topLevelNames lists the package-level functions (not methods), types,
// variables and constants a file declares.
func topLevelNames(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out = append(out, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}

// unresolvedRefs lists the identifiers a file uses that the parser could
// not resolve inside the file: package-level names of other files (and
// predeclared ones). Selectors (x.Name) and struct keys are left out.
func unresolvedRefs(f *ast.File) []string {
	seen := map[string]bool{}
	for _, id := range f.Unresolved {
		seen[id.Name] = true
	}
	return slices.Sorted(maps.Keys(seen))
}
