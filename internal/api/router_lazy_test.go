package api

import (
	"slices"
	"strings"
	"testing"
)

// TestPartsHoldTheirPaths checks each part's list of paths: a lazy API
// would not find an endpoint outside them.
func TestPartsHoldTheirPaths(t *testing.T) {
	for i, p := range parts {
		for _, e := range p.build() {
			if !p.holds(splitPath(e.Path)) {
				t.Errorf("part %d (under %v) builds %s %s, which lies under none of its paths", i, p.under, e.Method, e.Path)
			}
		}
	}
}

// concrete fills a path template's parameters with a value no static
// component has.
func concrete(path string) string {
	comps := splitPath(path)
	for i, c := range comps {
		if strings.HasPrefix(c, "{") {
			comps[i] = "zq1"
		}
	}
	return "/" + strings.Join(comps, "/")
}

// TestLazyRoutesMatchTable routes every endpoint's path through lazy APIs
// (a fresh one per call, as the CLI makes, and one that fills up) and
// expects the endpoint the eagerly built API finds.
func TestLazyRoutesMatchTable(t *testing.T) {
	eager, err := New(Config{Services: &Services{}})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := New(Config{Services: &Services{}, Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eager.Endpoints() {
		path := concrete(e.Path)
		want, wantParams := eager.Lookup(e.Method, path)
		fresh, err := New(Config{Services: &Services{}, Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			t.Fatalf("the whole table does not route %s %s", e.Method, path)
		}
		for name, a := range map[string]*API{"fresh": fresh, "shared": shared} {
			got, params := a.Lookup(e.Method, path)
			if got == nil || got.Method != want.Method || got.Path != want.Path {
				t.Errorf("%s lazy API: %s %s routes to %v, the whole table to %s", name, e.Method, path, got, want.Path)
			}
			if len(params) != len(wantParams) {
				t.Errorf("%s lazy API: %s %s gives parameters %v, the whole table %v", name, e.Method, path, params, wantParams)
			}
		}
	}
	key := func(es []*Endpoint) []string {
		var k []string
		for _, e := range es {
			k = append(k, e.Method+" "+e.Path)
		}
		return k
	}
	if got, want := key(shared.Endpoints()), key(eager.Endpoints()); !slices.Equal(got, want) {
		t.Errorf("a lazy API's Endpoints differ from the table: %d against %d", len(got), len(want))
	}
}

// TestLazyBuildsWhatThePathNeeds: `pvesh get /version` builds the version
// part and the root's, not the table; a directory index still sees every
// child.
func TestLazyBuildsWhatThePathNeeds(t *testing.T) {
	a, err := New(Config{Services: &Services{}, Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := a.Lookup("GET", "/version"); e == nil || e.Path != "/version" {
		t.Fatalf("GET /version: %v", e)
	}
	routed := 0
	for _, b := range a.router.lazy.built {
		routed += len(b)
	}
	if all := len(Table()); routed == 0 || routed*10 > all {
		t.Errorf("GET /version routed %d of %d endpoints", routed, all)
	}
	eager, err := New(Config{Services: &Services{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/nodes/{node}", "/nodes/{node}/disks", "/cluster", "/"} {
		fresh, err := New(Config{Services: &Services{}, Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fresh.router.children(dir), eager.router.children(dir); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("children of %s: lazy %v, whole table %v", dir, got, want)
		}
	}
}
