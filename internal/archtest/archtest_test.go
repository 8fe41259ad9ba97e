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

// layers is DESIGN.md's package table by layer, for every package under
// internal/ (sub-packages belong to their top folder's layer): the front
// doors on top, the domain packages below them, the base they build on.
// A package imports only from its own layer or the ones below.
var layers = map[string]int{
	"api": 2, "cli": 2, "daemon": 2, "web": 2,
	// The load test drives the real binary from outside, like a client.
	"loadtest": 2,
	"access":   1, "cluster": 1, "guests": 1, "network": 1, "apt": 1, "metrics": 1, "disks": 1,
	"certs": 1, "acme": 1, "nodecfg": 1, "hostcfg": 1, "boot": 1,
	// Beyond DESIGN.md's table (docs/DEVELOPING.md lists them): the store
	// served as a file system at /etc/pve, and the change history.
	"cfsfs": 1, "history": 1,
	"tasks": 0, "cfs": 0, "sectioncfg": 0, "schema": 0, "host": 0, "archtest": 0,
}

// layerNames name the layers in messages.
var layerNames = []string{"base", "domain", "front door"}

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

// TestLayers checks every package under internal/ against layers: it must
// be on DESIGN.md's map, and import nothing from a layer above its own (so
// access, cluster and guests sit below the front doors and never import api).
func TestLayers(t *testing.T) {
	pkgs := load(t)
	for _, need := range []string{"hostadm/internal/access", "hostadm/internal/api", "hostadm/internal/tasks"} {
		if pkgs[need] == nil {
			t.Errorf("%s not found: is the map out of date?", need)
		}
	}
	for _, p := range pkgs {
		own, ok := layerOf(p.path)
		if !ok {
			if strings.HasPrefix(p.path, "hostadm/internal/") {
				t.Errorf("%s is not on DESIGN.md's package map (add it there and to layers)", p.path)
			}
			continue
		}
		for imp := range p.imports {
			if l, ok := layerOf(imp); ok && l > own {
				t.Errorf("%s (%s) imports %s (%s): dependencies point down only", p.path, layerNames[own], imp, layerNames[l])
			}
		}
	}
}

// layerOf is the layer of an internal package, by its top folder.
func layerOf(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "hostadm/internal/")
	if !ok {
		return 0, false
	}
	top, _, _ := strings.Cut(rest, "/")
	l, ok := layers[top]
	return l, ok
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
