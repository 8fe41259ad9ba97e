package cli

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
)

// unshareEnv marks a proxmox-boot-tool already re-executed in its own
// mount namespace (the name Proxmox's tool uses).
const unshareEnv = "PVE_EFIBOOT_UNSHARED"

// needsPrivateMounts tells whether a proxmox-boot-tool command mounts ESPs
// and so, like Proxmox's, runs in a private mount namespace: init, reinit,
// refresh and status (not --quiet), on the real root only.
func needsPrivateMounts(rootDir string, args []string, getenv func(string) string) bool {
	if rootDir != "/" || getenv(unshareEnv) != "" || len(args) == 0 {
		return false
	}
	if args[0] == "status" {
		return !slices.Contains(args[1:], "--quiet")
	}
	return slices.Contains([]string{"init", "reinit", "refresh"}, args[0])
}

// unshareArgv is the command line that runs the tool again in a new
// private mount namespace, so the ESP mounts (and update-grub's bind mount
// on /boot) are seen by nothing else on the node and vanish with it.
func unshareArgv(unshare, self string, args []string) []string {
	return append([]string{unshare, "--mount", "--propagation", "private", self, "proxmox-boot-tool"}, args...)
}

// reexecPrivate replaces this process by the tool in a private mount
// namespace. It returns only when that cannot be done (no unshare(1)),
// and the tool then runs here.
func reexecPrivate(env *Env, args []string) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return
	}
	self, err := os.Executable()
	if err != nil {
		return
	}
	fmt.Fprintf(env.Stdout, "Re-executing '%s' in new private mount namespace..\n", "proxmox-boot-tool")
	syscall.Exec(unshare, unshareArgv(unshare, self, args), append(os.Environ(), unshareEnv+"=1"))
}
