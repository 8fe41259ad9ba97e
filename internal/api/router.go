package api

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// router matches request paths against the endpoint table. Paths are split
// on "/"; a component "{name}" matches any one component, which is
// URI-unescaped and handed over as the path parameter.
type router struct {
	root *rnode
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
