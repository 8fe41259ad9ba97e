package cli

import (
	"fmt"
	"io"
)

// aptFirmwareCmds are `hostadm apt` commands for the guide's "Firmware
// Updates": the Debian firmware component (preview, then enable with the
// preview's digest), the CPU microcode package, and fwupd.
var aptFirmwareCmds = []toolCmd{
	{words: []string{"firmware-component"}, method: "GET", path: "/nodes/{node}/apt/firmware-component", render: renderFirmwarePlan},
	{words: []string{"firmware-component", "enable"}, method: "PUT", path: "/nodes/{node}/apt/firmware-component",
		args: []string{"digest"}, render: renderFirmwarePlan},
	{words: []string{"microcode"}, method: "GET", path: "/nodes/{node}/hardware/microcode"},
	{words: []string{"microcode", "install"}, method: "POST", path: "/nodes/{node}/hardware/microcode",
		fixed: map[string]any{"action": "install"}, follow: true},
	{words: []string{"microcode", "downgrade"}, method: "POST", path: "/nodes/{node}/hardware/microcode",
		args: []string{"version"}, fixed: map[string]any{"action": "downgrade"}, follow: true},
	{words: []string{"microcode", "hold"}, method: "POST", path: "/nodes/{node}/hardware/microcode",
		fixed: map[string]any{"action": "hold"}, follow: true},
	{words: []string{"microcode", "unhold"}, method: "POST", path: "/nodes/{node}/hardware/microcode",
		fixed: map[string]any{"action": "unhold"}, follow: true},
	{words: []string{"firmware"}, method: "GET", path: "/nodes/{node}/hardware/firmware", render: renderFirmware},
	{words: []string{"firmware", "update"}, method: "POST", path: "/nodes/{node}/hardware/firmware", follow: true},
}

// renderFirmwarePlan prints the entries that gain the component, each
// file's diff and the digest `firmware-component enable` needs.
func renderFirmwarePlan(w io.Writer, _ globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	comp := text(m["component"])
	if text(m["enabled"]) == "1" {
		fmt.Fprintf(w, "the '%s' component is already on every Debian entry\n", comp)
		return nil
	}
	for _, e := range listOf(m["entries"]) {
		fmt.Fprintf(w, "%s entry %s (%s): %s -> %s\n", text(e["path"]), text(e["index"]), words(e["suites"]),
			words(e["components-before"]), words(e["components-after"]))
	}
	for _, f := range listOf(m["files"]) {
		fmt.Fprint(w, text(f["diff"]))
	}
	if text(m["written"]) == "1" {
		fmt.Fprintln(w, "written; run 'hostadm apt update' next")
		return nil
	}
	_, err := fmt.Fprintf(w, "to write this: hostadm apt firmware-component enable %s\n", text(m["digest"]))
	return err
}

// renderFirmware prints fwupd's devices and updates, or why there are none.
func renderFirmware(w io.Writer, g globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	if msg := text(m["message"]); msg != "" {
		fmt.Fprintln(w, msg)
	}
	if text(m["installed"]) != "1" {
		return nil
	}
	fmt.Fprintln(w, "devices:")
	p := newPrinter(w, g)
	if err := p.print(anyList(m["devices"]), nil, []string{"name", "vendor", "version", "plugin", "updatable"}); err != nil {
		return err
	}
	fmt.Fprintln(w, "updates:")
	return p.print(anyList(m["updates"]), nil, []string{"device", "current-version", "version", "urgency", "summary"})
}

func anyList(v any) []any {
	l, _ := v.([]any)
	if l == nil {
		return []any{}
	}
	return l
}
