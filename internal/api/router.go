package api

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// router matches request paths against the endpoint table. Paths are split
// on "/"; a component "{name}" matches any one component, which is
// URI-unescaped and handed over as the path parameter.
type router struct {
	root *rnode
	// lazy holds the table's parts and which of them are routed (nil:
	// everything was routed when the router was made, and matching takes
	// no lock).
	lazy *lazyParts
}

// A part is one area's endpoints: build makes them, and each of their
// paths lies under one of the paths in under ("{x}" matching any one
// component).
type part struct {
	under []string
	build func() []*Endpoint
}

// lazyParts routes each part when a path first needs it; mu guards the
// parts and the router's tree while one is added.
type lazyParts struct {
	mu    sync.Mutex
	parts []part
	built [][]*Endpoint // by part
	done  []bool
	extra []*Endpoint // routed at once
}

type rnode struct {
	static  map[string]*rnode
	param   *rnode
	name    string // parameter name when this is a param node
	methods map[string]*Endpoint
}

func newRNode() *rnode {
	return &rnode{static: map[string]*rnode{}, methods: map[string]*Endpoint{}}
}

func newRouter(table []*Endpoint) (*router, error) {
	r := &router{root: newRNode()}
	for _, e := range table {
		if err := r.add(e); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// newLazyRouter routes extra now and each part when a path it can hold is
// first matched (or at once, for a directory index or the whole table).
func newLazyRouter(ps []part, extra []*Endpoint) (*router, error) {
	r, err := newRouter(extra)
	if err != nil {
		return nil, err
	}
	r.lazy = &lazyParts{parts: ps, built: make([][]*Endpoint, len(ps)), done: make([]bool, len(ps)), extra: extra}
	return r, nil
}

// route adds the parts that can hold path (r.lazy.mu held).
func (r *router) route(path string) {
	var comps []string
	for _, raw := range splitPath(path) {
		v, err := url.PathUnescape(raw)
		if err != nil {
			return // matches nothing
		}
		comps = append(comps, v)
	}
	for i, p := range r.lazy.parts {
		if p.holds(comps) {
			r.addPart(i)
		}
	}
}

// routeAll adds every part not added yet (r.lazy.mu held).
func (r *router) routeAll() {
	for i := range r.lazy.parts {
		r.addPart(i)
	}
}

// addPart builds and adds part i unless it was. A clash between routes is
// a mistake in the table, which newRouter reports for the whole table
// (TestLazyRoutesMatchTable), so here it panics.
func (r *router) addPart(i int) {
	l := r.lazy
	if l.done[i] {
		return
	}
	l.built[i], l.done[i] = l.parts[i].build(), true
	for _, e := range l.built[i] {
		if err := r.add(e); err != nil {
			panic("api: " + err.Error())
		}
	}
}

// holds tells whether a path of these components may be one of the part's.
func (p part) holds(comps []string) bool {
	for _, u := range p.under {
		under := splitPath(u)
		if len(under) > len(comps) {
			continue
		}
		ok := true
		for i, c := range under {
			if !strings.HasPrefix(c, "{") && c != comps[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// endpoints is the whole table, in its order (all parts are routed).
func (r *router) endpoints() []*Endpoint {
	l := r.lazy
	l.mu.Lock()
	defer l.mu.Unlock()
	r.routeAll()
	var t []*Endpoint
	for _, b := range l.built {
		t = append(t, b...)
	}
	return append(t, l.extra...)
}

func (r *router) add(e *Endpoint) error {
	n := r.root
	for _, c := range splitPath(e.Path) {
		if strings.HasPrefix(c, "{") && strings.HasSuffix(c, "}") {
			name := c[1 : len(c)-1]
			if n.param == nil {
				n.param = newRNode()
				n.param.name = name
			} else if n.param.name != name {
				return fmt.Errorf("route %s: parameter {%s} clashes with {%s}", e.Path, name, n.param.name)
			}
			n = n.param
			continue
		}
		child := n.static[c]
		if child == nil {
			child = newRNode()
			n.static[c] = child
		}
		n = child
	}
	if n.methods[e.Method] != nil {
		return fmt.Errorf("route %s %s declared twice", e.Method, e.Path)
	}
	n.methods[e.Method] = e
	return nil
}

// match finds the endpoint for a method and path, with the path parameters;
// nil when the path or the method is not declared.
func (r *router) match(method, path string) (*Endpoint, map[string]string) {
	if r.lazy != nil {
		r.lazy.mu.Lock()
		defer r.lazy.mu.Unlock()
		r.route(path)
	}
	n := r.root
	var params map[string]string
	for _, raw := range splitPath(path) {
		// Components are URI-unescaped before matching (API.md §1.1).
		v, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil
		}
		if child := n.static[v]; child != nil {
			n = child
			continue
		}
		if n.param == nil {
			return nil, nil
		}
		if params == nil {
			params = map[string]string{}
		}
		params[n.param.name] = v
		n = n.param
	}
	return n.methods[method], params
}

// children lists the static child names below a declared path, for
// directory indexes.
func (r *router) children(path string) []string {
	if r.lazy != nil {
		r.lazy.mu.Lock()
		defer r.lazy.mu.Unlock()
		r.routeAll()
	}
	n := r.root
	for _, c := range splitPath(path) {
		if strings.HasPrefix(c, "{") {
			n = n.param
		} else {
			n = n.static[c]
		}
		if n == nil {
			return nil
		}
	}
	names := slices.Sorted(maps.Keys(n.static))
	return names
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
