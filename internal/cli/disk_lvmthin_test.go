package cli_test

import (
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestDiskLvmthinBadInput: the new lvmthin verbs refuse bad names and
// sizes with the parameter's message before anything runs.
func TestDiskLvmthinBadInput(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	for _, args := range [][]string{
		{"lvmthin", "create-in-vg", "pve", "vz;reboot", "10G"},
		{"lvmthin", "create-in-vg", "pve", "vz", "ten"},
		{"lvmthin", "volume", "pve", "data", "vz", "-5G"},
		{"lvmthin", "volume", "pve", "data", "vz", "1G", "--directory", "-vz"},
		{"lvmthin", "volume", "pve", "data", "vz", "1G", "--add_storage", "1"}, // no directory named
	} {
		code, _, errOut := run(t, "", append(append([]string{"hostadm", "disk"}, args...), flags...)...)
		if code == 0 || !strings.Contains(errOut, "invalid") && !strings.Contains(errOut, "add_storage: requires 'directory'") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}
