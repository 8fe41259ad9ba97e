package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// aptCmds are `hostadm apt ...`: the package repository and update
// endpoints of the local node as commands. update and upgrade follow
// their task, printing its log, and fail when it fails.
var aptCmds = []toolCmd{
	{words: []string{"repos"}, method: "GET", path: "/nodes/{node}/apt/repositories", render: renderRepos},
	{words: []string{"enable"}, method: "POST", path: "/nodes/{node}/apt/repositories",
		args: []string{"path", "index"}, fixed: map[string]any{"enabled": "1"}},
	{words: []string{"disable"}, method: "POST", path: "/nodes/{node}/apt/repositories",
		args: []string{"path", "index"}, fixed: map[string]any{"enabled": "0"}},
	{words: []string{"add-standard"}, method: "PUT", path: "/nodes/{node}/apt/repositories", args: []string{"handle"}},
	{words: []string{"update"}, method: "POST", path: "/nodes/{node}/apt/update", follow: true},
	{words: []string{"list-upgrades"}, method: "GET", path: "/nodes/{node}/apt/update",
		columns: []string{"Package", "OldVersion", "Version", "Origin", "Title"}},
	{words: []string{"changelog"}, method: "GET", path: "/nodes/{node}/apt/changelog", args: []string{"name"},
		render: renderPlain},
	{words: []string{"upgrade"}, method: "POST", path: "/nodes/{node}/apt/upgrade", follow: true},
	{words: []string{"versions"}, method: "GET", path: "/nodes/{node}/apt/versions", render: renderVersions},
}

func runApt(env *Env, args []string) error {
	return runTool(env, "hostadm apt", append(aptCmds, aptFirmwareCmds...), args)
}

// renderRepos prints one row per repository entry (its path and index are
// what enable and disable take), then the file errors and the warnings.
func renderRepos(w io.Writer, g globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	files, _ := m["files"].([]any)
	rows := []any{}
	for _, f := range files {
		fm, _ := f.(map[string]any)
		repos, _ := fm["repositories"].([]any)
		for i, r := range repos {
			rm, _ := r.(map[string]any)
			enabled := "no"
			if text(rm["Enabled"]) == "1" {
				enabled = "yes"
			}
			rows = append(rows, map[string]any{"path": fm["path"], "index": strconv.Itoa(i), "enabled": enabled,
				"types": words(rm["Types"]), "uris": words(rm["URIs"]), "suites": words(rm["Suites"]),
				"components": words(rm["Components"])})
		}
	}
	cols := []string{"path", "index", "enabled", "types", "uris", "suites", "components"}
	if err := newPrinter(w, g).print(rows, nil, cols); err != nil {
		return err
	}
	for _, e := range listOf(m["errors"]) {
		fmt.Fprintf(w, "error: %s: %s\n", text(e["path"]), text(e["error"]))
	}
	for _, i := range listOf(m["infos"]) {
		if text(i["kind"]) == "warning" {
			fmt.Fprintf(w, "warning: %s (entry %s): %s\n", text(i["path"]), text(i["index"]), text(i["message"]))
		}
	}
	for _, wr := range listOf(m["hostadm-warnings"]) {
		fix, _ := wr["fix"].(map[string]any)
		fmt.Fprintf(w, "warning: %s\n  fix: %s\n", text(wr["message"]), text(fix["description"]))
	}
	return nil
}

func listOf(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func words(v any) string {
	items, _ := v.([]any)
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = text(it)
	}
	return strings.Join(parts, " ")
}

// renderPlain prints a text reply as it is.
func renderPlain(w io.Writer, _ globalFlags, rep *reply) error {
	s := text(rep.Data)
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	_, err := io.WriteString(w, s)
	return err
}

// renderVersions prints "package: version" like `pveversion -v`: the
// installed version, else "not correctly installed" or "not installed".
func renderVersions(w io.Writer, _ globalFlags, rep *reply) error {
	for _, v := range listOf(rep.Data) {
		ver := text(v["OldVersion"])
		switch state := text(v["CurrentState"]); {
		case state == "NotInstalled":
			ver = "not installed (available: " + text(v["Version"]) + ")"
		case state != "Installed":
			ver = "not correctly installed"
		case ver == "":
			ver = text(v["Version"])
		}
		if k := text(v["RunningKernel"]); k != "" {
			ver += " (running kernel: " + k + ")"
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", text(v["Package"]), ver); err != nil {
			return err
		}
	}
	return nil
}

// followTask waits for the task whose UPID is the reply, printing its log
// as it grows (text output) or its end status (JSON), and fails when the
// task fails.
func followTask(ctx context.Context, c client, w io.Writer, g globalFlags, rep *reply) error {
	upid, ok := rep.Data.(string)
	if !ok {
		return fmt.Errorf("no task id in the answer: %v", rep.Data)
	}
	base := "/nodes/localhost/tasks/" + escapeSegment(upid)
	start := 0
	for {
		st, err := c.call(ctx, "GET", base+"/status", nil)
		if err != nil {
			return err
		}
		stm, _ := st.Data.(map[string]any)
		lr, err := c.call(ctx, "GET", base+"/log", map[string]any{"start": strconv.Itoa(start), "limit": "1000000"})
		if err != nil {
			return err
		}
		lines := listOf(lr.Data)
		if start == 0 && len(lines) == 1 && text(lines[0]["n"]) == "1" && text(lines[0]["t"]) == "no content" &&
			text(stm["status"]) == "running" {
			lines = nil // the placeholder of a log nothing was written to yet
		}
		for _, l := range lines {
			start++
			if g.OutputFormat == "text" {
				fmt.Fprintln(w, text(l["t"]))
			}
		}
		if text(stm["status"]) == "stopped" {
			return taskEnd(w, g, upid, text(stm["exitstatus"]))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func taskEnd(w io.Writer, g globalFlags, upid, exit string) error {
	if g.OutputFormat != "text" {
		if err := newPrinter(w, g).print(map[string]any{"upid": upid, "exitstatus": exit}, nil, nil); err != nil {
			return err
		}
	}
	if exit != "OK" && !strings.HasPrefix(exit, "WARNINGS") {
		return fmt.Errorf("task failed: %s", exit)
	}
	return nil
}
