// Command hostadm manages a Debian virtualization node through a Proxmox
// VE-compatible API: `hostadm serve` is the node daemon, every other
// subcommand (and the multi-call names pvesh, pvenode, pveum) is a CLI.
package main

import (
	"os"

	"hostadm/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
