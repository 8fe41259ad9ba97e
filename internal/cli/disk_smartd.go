package cli

import (
	"fmt"
	"io"
)

// renderSmartd prints smartd.conf's entries and the digest to send back.
func renderSmartd(w io.Writer, g globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	rows := anyList(m["entries"])
	if err := newPrinter(w, g).print(rows, nil, []string{"device", "schedule", "mail", "ignored", "directives"}); err != nil {
		return err
	}
	if text(m["exists"]) != "1" {
		fmt.Fprintln(w, "/etc/smartd.conf does not exist (smartmontools not installed?)")
	}
	_, err := fmt.Fprintf(w, "digest: %s\n", text(m["digest"]))
	return err
}
