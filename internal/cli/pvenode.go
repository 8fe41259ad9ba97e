package cli

import (
	"fmt"
	"io"
	"time"
)

// pvenodeCmds are the pvenode commands hostadm offers.
var pvenodeCmds = []toolCmd{
	{words: []string{"task", "list"}, method: "GET", path: "/nodes/{node}/tasks", render: renderTaskList},
	{words: []string{"task", "status"}, method: "GET", path: "/nodes/{node}/tasks/{upid}/status",
		args: []string{"upid"}},
	{words: []string{"task", "log"}, method: "GET", path: "/nodes/{node}/tasks/{upid}/log",
		args: []string{"upid"}, fixed: map[string]any{"limit": "1000000"}, render: renderTaskLog},
	{words: []string{"config", "get"}, method: "GET", path: "/nodes/{node}/config", render: renderNodeConfig},
	{words: []string{"config", "set"}, method: "PUT", path: "/nodes/{node}/config"},
	{words: []string{"wakeonlan"}, method: "POST", path: "/nodes/{node}/wakeonlan", args: []string{"node"}},
	// The bulk guest actions wait for their task and print its log.
	{words: []string{"startall"}, method: "POST", path: "/nodes/{node}/startall", follow: true},
	{words: []string{"stopall"}, method: "POST", path: "/nodes/{node}/stopall", follow: true},
	{words: []string{"suspendall"}, method: "POST", path: "/nodes/{node}/suspendall", follow: true},
	{words: []string{"migrateall"}, method: "POST", path: "/nodes/{node}/migrateall", args: []string{"target"}, follow: true},
}

func runPvenode(env *Env, args []string) error {
	cmds := append(append([]toolCmd{}, pvenodeCmds...), certCmds...)
	return runTool(env, "pvenode", append(cmds, acmeCmds...), args)
}

// renderTaskList prints the columns pvenode shows; a status is ERROR
// unless it is OK, a warning count or RUNNING, and UNKNOWN when absent.
func renderTaskList(w io.Writer, g globalFlags, rep *reply) error {
	items, _ := rep.Data.([]any)
	rows := make([]any, 0, len(items))
	for _, it := range items {
		m, _ := it.(map[string]any)
		row := map[string]any{}
		for k, v := range m {
			row[k] = v
		}
		row["starttime"] = fmtTime(m["starttime"])
		if _, ok := m["endtime"]; ok {
			row["endtime"] = fmtTime(m["endtime"])
		}
		row["status"] = taskStatusWord(m["status"])
		rows = append(rows, row)
	}
	cols := []string{"upid", "type", "id", "user", "starttime", "endtime", "status"}
	return newPrinter(w, g).print(rows, nil, cols)
}

func taskStatusWord(v any) string {
	s, ok := v.(string)
	switch {
	case !ok || s == "":
		return "UNKNOWN"
	case s == "OK" || s == "RUNNING" || len(s) > 9 && s[:9] == "WARNINGS:":
		return s
	}
	return "ERROR"
}

func fmtTime(v any) string {
	var sec int64
	if _, err := fmt.Sscan(text(v), &sec); err != nil {
		return text(v)
	}
	return time.Unix(sec, 0).Format("2006-01-02 15:04:05")
}

// renderTaskLog prints the log lines only, like `pvenode task log`.
func renderTaskLog(w io.Writer, _ globalFlags, rep *reply) error {
	items, _ := rep.Data.([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if _, err := fmt.Fprintln(w, text(m["t"])); err != nil {
			return err
		}
	}
	return nil
}
