package cli

import (
	"fmt"
	"io"
	"sort"
	"strconv"
)

// pvesmCmds are the storage-configuration parts of pvesm hostadm offers.
var pvesmCmds = []toolCmd{
	{words: []string{"add"}, method: "POST", path: "/storage", args: []string{"type", "storage"}},
	{words: []string{"remove"}, method: "DELETE", path: "/storage/{storage}", args: []string{"storage"}},
	{words: []string{"set"}, method: "PUT", path: "/storage/{storage}", args: []string{"storage"}},
	{words: []string{"status"}, method: "GET", path: "/nodes/{node}/storage", render: renderStorageStatus},
	{words: []string{"list"}, method: "GET", path: "/nodes/{node}/storage/{storage}/content", args: []string{"storage"},
		render: renderStorageContent},
}

func runPvesm(env *Env, args []string) error { return runTool(env, "pvesm", pvesmCmds, args) }

// renderStorageStatus prints pvesm status's table: sizes in KiB, the use
// in percent, "disabled" and N/A for disabled storages.
func renderStorageStatus(w io.Writer, g globalFlags, rep *reply) error {
	if g.OutputFormat != "" && g.OutputFormat != "text" {
		return newPrinter(w, g).print(rep.Data, nil, nil)
	}
	items, _ := rep.Data.([]any)
	rows := make([]map[string]any, 0, len(items))
	width := 0
	for _, it := range items {
		m, _ := it.(map[string]any)
		rows = append(rows, m)
		width = max(width, len(text(m["storage"])))
	}
	width++
	sort.Slice(rows, func(i, j int) bool { return text(rows[i]["storage"]) < text(rows[j]["storage"]) })
	fmt.Fprintf(w, "%-*s %10s %10s %15s %15s %15s %8s\n", width, "Name", "Type", "Status", "Total", "Used", "Available", "%")
	for _, m := range rows {
		total, used, avail := storageNum(m["total"]), storageNum(m["used"]), storageNum(m["avail"])
		status, per := "inactive", "N/A"
		if storageNum(m["active"]) != 0 {
			status = "active"
		}
		if total > 0 {
			per = fmt.Sprintf("% 7.2f%%", used*100/total)
		} else {
			per = fmt.Sprintf("% 7.2f%%", 0.0)
		}
		if storageNum(m["enabled"]) == 0 {
			status, per = "disabled", fmt.Sprintf("% 8s", "N/A")
		}
		if _, err := fmt.Fprintf(w, "%-*s %10s %10s %15d %15d %15d %s\n", width, text(m["storage"]), text(m["type"]), status,
			int64(total/1024), int64(used/1024), int64(avail/1024), per); err != nil {
			return err
		}
	}
	return nil
}

func storageNum(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	f, _ := strconv.ParseFloat(text(v), 64)
	return f
}

// renderStorageContent prints pvesm list's table: guest volumes first in
// the API's order, then the others ordered by format.
func renderStorageContent(w io.Writer, _ globalFlags, rep *reply) error {
	items, _ := rep.Data.([]any)
	rows := make([]map[string]any, 0, len(items))
	nameW, maxSize := 0, int64(0)
	for _, it := range items {
		m, _ := it.(map[string]any)
		rows = append(rows, m)
		nameW = max(nameW, len(text(m["volid"])))
		maxSize = max(maxSize, int64(storageNum(m["size"])))
	}
	sizeW := len(strconv.FormatInt(maxSize, 10))
	line := func(m map[string]any) string {
		return fmt.Sprintf("%-*s %-7s %-9s %*s", nameW, text(m["volid"]), text(m["format"]), text(m["content"]),
			sizeW, strconv.FormatInt(int64(storageNum(m["size"])), 10))
	}
	fmt.Fprintf(w, "%-*s %-7s %-9s %*s %s\n", nameW, "Volid", "Format", "Type", sizeW, "Size", "VMID")
	var rest []map[string]any
	for _, m := range rows {
		if storageNum(m["vmid"]) == 0 {
			rest = append(rest, m)
			continue
		}
		fmt.Fprintf(w, "%s %d\n", line(m), int64(storageNum(m["vmid"])))
	}
	sort.SliceStable(rest, func(i, j int) bool { return text(rest[i]["format"]) < text(rest[j]["format"]) })
	for _, m := range rest {
		if _, err := fmt.Fprintln(w, line(m)); err != nil {
			return err
		}
	}
	return nil
}
