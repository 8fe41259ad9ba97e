// Package archtest holds the repository's rules as tests: every package
// has a doc comment, and imports point down DESIGN.md's table only.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// front doors may import anything; nothing else may import them.
var frontDoors = []string{"hostadm/internal/api", "hostadm/internal/cli", "hostadm/internal/daemon", "hostadm/internal/web"}

// leaves import no other hostadm package.
var leaves = map[string]bool{"hostadm/internal/host": true, "hostadm/internal/schema": true}

type pkg struct {
	path    string
	hasDoc  bool
	imports map[string]bool
}

func TestArchitecture(t *testing.T) {
	pkgs := load(t)
	if len(pkgs) < 8 {
		t.Fatalf("found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		if !p.hasDoc {
			t.Errorf("%s: no package doc comment", p.path)
		}
		for imp := range p.imports {
			if !strings.HasPrefix(imp, "hostadm/") {
				continue
			}
			if leaves[p.path] {
				t.Errorf("%s is a leaf but imports %s", p.path, imp)
			}
			if isFrontDoor(imp) && !isFrontDoor(p.path) && !strings.HasPrefix(p.path, "hostadm/cmd/") {
				t.Errorf("%s imports the front door %s (dependencies point down only)", p.path, imp)
			}
		}
	}
}

func isFrontDoor(p string) bool {
	for _, f := range frontDoors {
		if p == f || strings.HasPrefix(p, f+"/") {
			return true
		}
	}
	return false
}

// load parses every non-test Go file of the module.
func load(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		ip := "hostadm/" + filepath.ToSlash(rel)
		p := pkgs[ip]
		if p == nil {
			p = &pkg{path: ip, imports: map[string]bool{}}
			pkgs[ip] = p
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.hasDoc = true
		}
		for _, imp := range f.Imports {
			p.imports[strings.Trim(imp.Path.Value, `"`)] = true
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return pkgs
}
