package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"hostadm/internal/api"
	"hostadm/internal/schema"
)

var pveshMethods = map[string]string{
	"get": "GET", "set": "PUT", "create": "POST", "delete": "DELETE",
}

const pveshUsage = `USAGE: pvesh get|set|create|delete|ls|usage PATH [OPTIONS]

  get     GET PATH      set     PUT PATH      create  POST PATH
  delete  DELETE PATH   ls      list child paths   usage  show the parameters
Options: API parameters as --name value; --output-format text|json|json-pretty,
--noborder, --noheader; --root DIR --data-dir DIR (in-process, as root) or
--host URL --token USER@REALM!NAME=SECRET [--fingerprint FP|--insecure].`

func runPvesh(env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, pveshUsage)
		return nil
	}
	cmd := args[0]
	if len(args) < 2 {
		return usageError{pveshUsage}
	}
	path := "/" + strings.Trim(args[1], "/")
	light, err := lightAPI()
	if err != nil {
		return err
	}
	method, isCall := pveshMethods[cmd]
	var ep *api.Endpoint
	if isCall {
		ep, _ = light.Lookup(method, path)
	}
	var params *schema.Schema
	if ep != nil {
		params = ep.Params
	}
	p, err := parseArgs(args[2:], params)
	if err != nil {
		return err
	}
	if err := p.global.check(); err != nil {
		return err
	}
	p.global.light = light
	switch {
	case cmd == "usage":
		return pveshUsageOf(env.Stdout, light, path, p)
	case cmd == "ls":
		return withClient(p.global, func(ctx context.Context, c client) error {
			return pveshLs(ctx, env.Stdout, c, light.Endpoints(), path)
		})
	case !isCall:
		return usageError{fmt.Sprintf("unknown command 'pvesh %s'\n%s", cmd, pveshUsage)}
	}
	if len(p.words) > 0 {
		return usageError{fmt.Sprintf("too many arguments: %s", strings.Join(p.words, " "))}
	}
	return withClient(p.global, func(ctx context.Context, c client) error {
		rep, err := c.call(ctx, method, path, p.params)
		if err != nil {
			return err
		}
		var returns *schema.Schema
		if ep != nil {
			returns = ep.Returns
		}
		return newPrinter(env.Stdout, p.global).print(rep.Data, returns, nil)
	})
}

// withClient connects, runs f and closes the connection.
func withClient(g globalFlags, f func(context.Context, client) error) error {
	ctx := context.Background()
	c, err := connect(ctx, g)
	if err != nil {
		return err
	}
	defer c.close()
	return f(ctx, c)
}

func matchTemplate(tmpl, path string) bool {
	t := strings.Split(strings.Trim(tmpl, "/"), "/")
	p := strings.Split(strings.Trim(path, "/"), "/")
	if len(t) != len(p) {
		return false
	}
	for i := range t {
		if strings.HasPrefix(t[i], "{") || t[i] == p[i] {
			continue
		}
		return false
	}
	return true
}

// pveshLs prints a path's children with their methods, as `pvesh ls` does:
// D for a directory, then r (GET) w (PUT) c (POST) d (DELETE).
func pveshLs(ctx context.Context, w io.Writer, c client, table []*api.Endpoint, path string) error {
	rep, err := c.call(ctx, "GET", path, map[string]any{})
	if err != nil {
		return err
	}
	items, _ := rep.Data.([]any)
	var names []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		for _, k := range []string{"name", "subdir", "upid", "userid", "node", "roleid"} {
			if v, ok := m[k]; ok {
				names = append(names, text(v))
				break
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		child := strings.TrimRight(path, "/") + "/" + n
		flags := []byte("-----")
		for _, e := range table {
			if matchTemplate(e.Path, child) {
				flags[lsColumn[e.Method]] = lsLetter[e.Method]
			}
			if hasChildTemplate(e.Path, child) {
				flags[0] = 'D'
			}
		}
		fmt.Fprintf(w, "%s        %s\n", flags, n)
	}
	return nil
}

// The columns and letters of `pvesh ls`.
var (
	lsColumn = map[string]int{"GET": 1, "PUT": 2, "POST": 3, "DELETE": 4}
	lsLetter = map[string]byte{"GET": 'r', "PUT": 'w', "POST": 'c', "DELETE": 'd'}
)

func hasChildTemplate(tmpl, path string) bool {
	t := strings.Split(strings.Trim(tmpl, "/"), "/")
	p := strings.Split(strings.Trim(path, "/"), "/")
	return len(t) > len(p) && matchTemplate(strings.Join(t[:len(p)], "/"), path)
}

func pveshUsageOf(w io.Writer, light *api.API, path string, p *parsed) error {
	found := false
	for _, cmd := range []string{"get", "set", "create", "delete"} {
		e, _ := light.Lookup(pveshMethods[cmd], path)
		if e == nil {
			continue
		}
		found = true
		writeUsage(w, "pvesh "+cmd+" "+path, e, p.global.Verbose)
	}
	if !found {
		return fmt.Errorf("no '%s' handler for '%s'", "usage", path)
	}
	return nil
}

// writeUsage prints one endpoint's parameters (path parameters excluded).
func writeUsage(w io.Writer, cmdline string, e *api.Endpoint, verbose bool) {
	fmt.Fprintf(w, "USAGE: %s [OPTIONS]\n\n  %s\n\n", cmdline, e.Description)
	for _, name := range e.Params.Properties.Names() {
		if strings.Contains(e.Path, "{"+name+"}") {
			continue
		}
		s := e.Params.Properties[name]
		fmt.Fprintf(w, "  --%-20s %s\n", name, typeText(s))
		if verbose && s.Description != "" {
			fmt.Fprintf(w, "      %s\n", s.Description)
		}
	}
}

// typeText is Proxmox's short type description, e.g. "<integer> (0 - N)".
func typeText(s *schema.Schema) string {
	if s.TypeText != "" {
		return s.TypeText
	}
	t := "<" + s.Type + ">"
	if len(s.Enum) > 0 {
		t = "<" + strings.Join(s.Enum, " | ") + ">"
	}
	if s.Minimum != nil || s.Maximum != nil {
		lo, hi := "-N", "N"
		if s.Minimum != nil {
			lo = fmt.Sprint(*s.Minimum)
		}
		if s.Maximum != nil {
			hi = fmt.Sprint(*s.Maximum)
		}
		t += fmt.Sprintf(" (%s - %s)", lo, hi)
	}
	if s.Default != nil {
		t += fmt.Sprintf(" (default=%v)", s.Default)
	}
	return t
}
