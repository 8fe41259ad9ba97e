package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// toolCmd maps a Proxmox tool's command onto one API call: positional
// arguments fill the named parameters in order, the rest come as --options.
type toolCmd struct {
	words  []string // "user", "token", "add"
	method string
	path   string   // template, "{node}" is always the local node
	args   []string // positional parameter names
	// optArgs is how many of the last args may be left out.
	optArgs int
	columns []string // text table columns (nil: from the return schema)
	fixed   map[string]any
	// render, when set, prints the reply instead of the generic printer.
	render func(w io.Writer, g globalFlags, rep *reply) error
	// prepare may add parameters (a password read from the terminal).
	prepare func(env *Env, params map[string]any) error
	// follow: the reply is a UPID; wait for the task and print its log.
	follow bool
}

// runTool finds the command named by the leading words and runs it.
func runTool(env *Env, tool string, cmds []toolCmd, args []string) error {
	cmd, rest := matchCmd(cmds, args)
	if cmd == nil {
		return usageError{toolUsage(tool, cmds)}
	}
	light, err := lightAPI()
	if err != nil {
		return err
	}
	ep, _ := light.Lookup(cmd.method, cmd.path)
	if ep == nil {
		return fmt.Errorf("internal error: no endpoint %s %s", cmd.method, cmd.path)
	}
	p, err := parseArgs(rest, ep.Params)
	if err != nil {
		return err
	}
	if p.global.Help {
		writeUsage(env.Stdout, tool+" "+strings.Join(cmd.words, " ")+" "+argNames(cmd.args), ep, true)
		return nil
	}
	if err := p.global.check(); err != nil {
		return err
	}
	p.global.light = light
	if len(p.words) > len(cmd.args) || len(p.words) < len(cmd.args)-cmd.optArgs {
		return usageError{fmt.Sprintf("400 wrong number of arguments\nUSAGE: %s %s %s [OPTIONS]",
			tool, strings.Join(cmd.words, " "), argNames(cmd.args))}
	}
	path := cmd.path
	for i, name := range cmd.args[:len(p.words)] {
		if strings.Contains(path, "{"+name+"}") {
			path = strings.Replace(path, "{"+name+"}", escapeSegment(p.words[i]), 1)
		} else {
			p.params[name] = p.words[i]
		}
	}
	for _, name := range cmd.args[len(p.words):] {
		// A left-out optional argument in the path takes its default.
		if ps := ep.Params.Properties[name]; ps != nil && ps.Default != nil {
			path = strings.Replace(path, "{"+name+"}", escapeSegment(fmt.Sprint(ps.Default)), 1)
		}
	}
	path = strings.Replace(path, "{node}", "localhost", 1)
	for k, v := range cmd.fixed {
		p.params[k] = v
	}
	if cmd.prepare != nil {
		if err := cmd.prepare(env, p.params); err != nil {
			return err
		}
	}
	return withClient(p.global, func(ctx context.Context, c client) error {
		rep, err := c.call(ctx, cmd.method, path, p.params)
		if err != nil {
			return err
		}
		if cmd.follow && p.params["dry-run"] == "1" {
			return printPlan(env.Stdout, p.global, rep)
		}
		if cmd.follow {
			return followTask(ctx, c, env.Stdout, p.global, rep)
		}
		if cmd.render != nil && p.global.OutputFormat == "text" {
			return cmd.render(env.Stdout, p.global, rep)
		}
		return newPrinter(env.Stdout, p.global).print(rep.Data, ep.Returns, cmd.columns)
	})
}

func matchCmd(cmds []toolCmd, args []string) (*toolCmd, []string) {
	var best *toolCmd
	for i := range cmds {
		c := &cmds[i]
		if len(args) < len(c.words) {
			continue
		}
		ok := true
		for j, w := range c.words {
			if args[j] != w {
				ok = false
				break
			}
		}
		if ok && (best == nil || len(c.words) > len(best.words)) {
			best = c
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, args[len(best.words):]
}

func argNames(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = "<" + a + ">"
	}
	return strings.Join(parts, " ")
}

func toolUsage(tool string, cmds []toolCmd) string {
	lines := make([]string, 0, len(cmds))
	for _, c := range cmds {
		lines = append(lines, fmt.Sprintf("       %s %s %s [OPTIONS]", tool, strings.Join(c.words, " "), argNames(c.args)))
	}
	sort.Strings(lines)
	return "USAGE: " + strings.TrimSpace(strings.Join(lines, "\n")) +
		"\n       (options: API parameters as --name value, --output-format text|json|json-pretty)"
}

func escapeSegment(s string) string {
	return strings.NewReplacer("%", "%25", "/", "%2F", "?", "%3F", "#", "%23").Replace(s)
}
