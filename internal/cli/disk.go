package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// diskCmds are `hostadm disk ...`: every disk endpoint of the node, Proxmox's
// and hostadm's extensions, as commands. Changes run as tasks whose log is
// followed until they end.
var diskCmds = []toolCmd{
	{words: []string{"list"}, method: "GET", path: "/nodes/{node}/disks/list",
		columns: []string{"devpath", "type", "used", "size", "gpt", "mounted", "model", "serial", "health", "wearout"}},
	{words: []string{"smart"}, method: "GET", path: "/nodes/{node}/disks/smart", args: []string{"disk"}},
	{words: []string{"selftest", "log"}, method: "GET", path: "/nodes/{node}/disks/selftest", args: []string{"disk"}},
	{words: []string{"selftest", "start"}, method: "POST", path: "/nodes/{node}/disks/selftest", args: []string{"disk", "test"}, follow: true},
	{words: []string{"smart", "enable"}, method: "POST", path: "/nodes/{node}/disks/smart", args: []string{"disk"}, render: renderPlain},
	{words: []string{"smartd", "show"}, method: "GET", path: "/nodes/{node}/disks/smartd", render: renderSmartd},
	{words: []string{"smartd", "set"}, method: "PUT", path: "/nodes/{node}/disks/smartd", args: []string{"device"}},
	{words: []string{"smartd", "remove"}, method: "DELETE", path: "/nodes/{node}/disks/smartd", args: []string{"device"}},
	{words: []string{"initgpt"}, method: "POST", path: "/nodes/{node}/disks/initgpt", args: []string{"disk"}, follow: true},
	{words: []string{"wipe"}, method: "PUT", path: "/nodes/{node}/disks/wipedisk", args: []string{"disk"}, follow: true},

	{words: []string{"lvm", "list"}, method: "GET", path: "/nodes/{node}/disks/lvm", render: renderLVMTree},
	{words: []string{"lvm", "create"}, method: "POST", path: "/nodes/{node}/disks/lvm", args: []string{"name", "device"}, follow: true},
	{words: []string{"lvm", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/lvm/{name}", args: []string{"name"}, follow: true},
	{words: []string{"lvmthin", "list"}, method: "GET", path: "/nodes/{node}/disks/lvmthin"},
	{words: []string{"lvmthin", "create"}, method: "POST", path: "/nodes/{node}/disks/lvmthin", args: []string{"name", "device"}, follow: true},
	{words: []string{"lvmthin", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/lvmthin/{name}", args: []string{"name"}, follow: true},
	{words: []string{"lvmthin", "create-in-vg"}, method: "POST", path: "/nodes/{node}/disks/lvm/{name}/thinpool",
		args: []string{"name", "pool", "size"}, follow: true},
	{words: []string{"lvmthin", "resize"}, method: "PUT", path: "/nodes/{node}/disks/lvmthin/{name}/resize",
		args: []string{"volume-group", "name"}, follow: true},
	{words: []string{"lvmthin", "volume"}, method: "POST", path: "/nodes/{node}/disks/lvmthin/{name}/volume",
		args: []string{"volume-group", "name", "volume", "size"}, follow: true},
	{words: []string{"directory", "list"}, method: "GET", path: "/nodes/{node}/disks/directory"},
	{words: []string{"directory", "create"}, method: "POST", path: "/nodes/{node}/disks/directory", args: []string{"name", "device"}, follow: true},
	{words: []string{"directory", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/directory/{name}", args: []string{"name"}, follow: true},

	{words: []string{"zfs", "list"}, method: "GET", path: "/nodes/{node}/disks/zfs"},
	{words: []string{"zfs", "create"}, method: "POST", path: "/nodes/{node}/disks/zfs", args: []string{"name", "raidlevel", "devices"}, follow: true},
	{words: []string{"zfs", "detail"}, method: "GET", path: "/nodes/{node}/disks/zfs/{name}", args: []string{"name"}},
	{words: []string{"zfs", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/zfs/{name}", args: []string{"name"}, follow: true},
	{words: []string{"zfs", "add-vdev"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/vdev", args: []string{"name", "type", "devices"}, follow: true},
	{words: []string{"zfs", "replace"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/replace", args: []string{"name", "old", "new"}, follow: true},
	{words: []string{"zfs", "scrub"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/scrub", args: []string{"name"}, follow: true},
	{words: []string{"zfs", "features"}, method: "GET", path: "/nodes/{node}/disks/zfs/{name}/features", args: []string{"name"}},
	{words: []string{"zfs", "upgrade"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/upgrade", args: []string{"name"}, follow: true},
	{words: []string{"zfs", "datasets"}, method: "GET", path: "/nodes/{node}/disks/zfs/{name}/datasets", args: []string{"name"},
		columns: []string{"name", "type", "used", "avail", "compression", "special_small_blocks", "encryption", "keystatus", "mounted"}},
	{words: []string{"zfs", "dataset", "create"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/datasets",
		args: []string{"name", "dataset"}, prepare: readNewKey, follow: true},
	{words: []string{"zfs", "dataset", "set"}, method: "PUT", path: "/nodes/{node}/disks/zfs/{name}/datasets", args: []string{"name"}, follow: true},
	{words: []string{"zfs", "load-key"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/load-key",
		args: []string{"name", "dataset"}, prepare: readKey, follow: true},
	{words: []string{"zfs", "unload-key"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/unload-key", args: []string{"name", "dataset"}, follow: true},
	{words: []string{"zfs", "change-key"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/change-key",
		args: []string{"name", "dataset"}, prepare: readKey, follow: true},
	{words: []string{"zfs", "trim"}, method: "POST", path: "/nodes/{node}/disks/zfs/{name}/trim", args: []string{"name"}, follow: true},
	{words: []string{"zfs", "autotrim"}, method: "PUT", path: "/nodes/{node}/disks/zfs/{name}/autotrim", args: []string{"name", "autotrim"}},
	{words: []string{"zfs", "schedules"}, method: "GET", path: "/nodes/{node}/disks/zfs-schedules"},
	{words: []string{"zfs", "zed", "get"}, method: "GET", path: "/nodes/{node}/disks/zfs-zed"},
	{words: []string{"zfs", "zed", "set"}, method: "PUT", path: "/nodes/{node}/disks/zfs-zed"},
	{words: []string{"arc", "get"}, method: "GET", path: "/nodes/{node}/disks/zfs-arc"},
	{words: []string{"arc", "set"}, method: "PUT", path: "/nodes/{node}/disks/zfs-arc", args: []string{"max"}, follow: true},

	{words: []string{"btrfs", "list"}, method: "GET", path: "/nodes/{node}/disks/btrfs"},
	{words: []string{"btrfs", "create"}, method: "POST", path: "/nodes/{node}/disks/btrfs", args: []string{"name", "devices"}, follow: true},
	{words: []string{"btrfs", "detail"}, method: "GET", path: "/nodes/{node}/disks/btrfs/{name}", args: []string{"name"}},
	{words: []string{"btrfs", "set"}, method: "PUT", path: "/nodes/{node}/disks/btrfs/{name}", args: []string{"name"}},
	{words: []string{"btrfs", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/btrfs/{name}", args: []string{"name"}, follow: true},
	{words: []string{"btrfs", "subvolume", "list"}, method: "GET", path: "/nodes/{node}/disks/btrfs/{name}/subvolumes", args: []string{"name"}},
	{words: []string{"btrfs", "subvolume", "create"}, method: "POST", path: "/nodes/{node}/disks/btrfs/{name}/subvolumes",
		args: []string{"name", "subvolume"}},
	{words: []string{"btrfs", "subvolume", "delete"}, method: "DELETE", path: "/nodes/{node}/disks/btrfs/{name}/subvolumes/{subvolume}",
		args: []string{"name", "subvolume"}},
}

func runDisk(env *Env, args []string) error { return runTool(env, "disk", diskCmds, args) }

// printPlan prints the plan a create command's --dry-run answered: each
// step, its command as "# argv" the way task logs show commands, the
// file it writes; json formats print it as it came.
func printPlan(w io.Writer, g globalFlags, rep *reply) error {
	if g.OutputFormat != "text" {
		return newPrinter(w, g).print(rep.Data, nil, nil)
	}
	plan, _ := rep.Data.(map[string]any)
	for i, st := range listOf(plan["steps"]) {
		fmt.Fprintf(w, "%d. %s", i+1, text(st["text"]))
		if when := text(st["when"]); when != "" {
			fmt.Fprintf(w, " (only when %s)", when)
		}
		fmt.Fprintln(w)
		if cmd, ok := st["cmd"].([]any); ok {
			words := make([]string, len(cmd))
			for j, a := range cmd {
				words[j] = text(a)
			}
			fmt.Fprintf(w, "   # %s\n", strings.Join(words, " "))
		}
		if f, ok := st["file"].(map[string]any); ok {
			fmt.Fprintf(w, "   %s:\n", text(f["path"]))
			for _, line := range strings.Split(strings.TrimRight(text(f["content"])+text(f["line"]), "\n"), "\n") {
				fmt.Fprintf(w, "     %s\n", line)
			}
		}
	}
	return nil
}

// renderLVMTree prints the volume groups and their physical volumes.
func renderLVMTree(w io.Writer, g globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	var rows []any
	for _, vg := range listOf(m["children"]) {
		rows = append(rows, map[string]any{"vg": vg["name"], "pv": "", "size": vg["size"], "free": vg["free"], "lvcount": vg["lvcount"]})
		for _, pv := range listOf(vg["children"]) {
			rows = append(rows, map[string]any{"vg": vg["name"], "pv": pv["name"], "size": pv["size"], "free": pv["free"]})
		}
	}
	return newPrinter(w, g).print(rows, nil, []string{"vg", "pv", "size", "free", "lvcount"})
}

// readNewKey reads a new encryption root's key from standard input when
// it is to be prompted for and not given (keeping it off the command
// line): a terminal is asked twice, a pipe gives it once.
func readNewKey(env *Env, params map[string]any) error {
	if _, ok := params["encryption"]; !ok {
		return nil
	}
	if _, ok := params["key"]; ok {
		return nil
	}
	if loc, ok := params["keylocation"]; ok && text(loc) != "prompt" {
		return nil
	}
	r := bufio.NewReader(env.Stdin)
	fmt.Fprint(env.Stderr, "Enter key: ")
	key, err := readLine(r)
	if err != nil {
		return errors.New("no key given")
	}
	fmt.Fprint(env.Stderr, "\nRe-enter key: ")
	again, err := readLine(r)
	fmt.Fprintln(env.Stderr)
	if err == nil && again != key {
		return errors.New("keys do not match")
	}
	params["key"] = key
	return nil
}

// readKey reads the key to load from standard input unless given; an
// empty line (or none) leaves it out for datasets with a key file.
func readKey(env *Env, params map[string]any) error {
	if _, ok := params["key"]; ok {
		return nil
	}
	fmt.Fprint(env.Stderr, "Enter key (empty for a key file): ")
	key, err := readLine(bufio.NewReader(env.Stdin))
	fmt.Fprintln(env.Stderr)
	if err == nil && key != "" {
		params["key"] = key
	}
	return nil
}
