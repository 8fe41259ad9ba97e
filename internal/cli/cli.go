// Package cli holds hostadm's command-line front ends: `serve`, the generic
// `pvesh` over the endpoint table, and the Proxmox tools (pveum, pvenode)
// as thin mappings onto API calls. As root on the node they call the API
// in-process against the same store; with --host they go over HTTPS.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Env is a command's standard streams.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// usageError makes Main print the usage line and exit 255 like Proxmox's
// CLI tools do on bad arguments.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs hostadm with its argument vector and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	name := filepath.Base(args[0])
	rest := args[1:]
	if _, ok := tools[name]; !ok {
		if len(rest) == 0 {
			printHelp(stdout)
			return 0
		}
		name, rest = rest[0], rest[1:]
	}
	run, ok := tools[name]
	if !ok {
		fmt.Fprintf(stderr, "hostadm: unknown command '%s'\n", name)
		printHelp(stderr)
		return 255
	}
	if err := run(env, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ec exitCode
		if errors.As(err, &ec) {
			if ec.msg != "" {
				fmt.Fprintln(stderr, strings.TrimRight(ec.msg, "\n"))
			}
			return ec.code
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "%s\n", ue.msg)
			return 255
		}
		fmt.Fprintln(stderr, strings.TrimRight(err.Error(), "\n"))
		return 255
	}
	return 0
}

// tools maps command and multi-call names to their entry points.
var tools = map[string]func(*Env, []string) error{
	"serve":             runServe,
	"pvesh":             runPvesh,
	"pveum":             runPveum,
	"pvenode":           runPvenode,
	"pvesubscription":   runPvesubscription, // internal/cli/subscription.go
	"network":           runNetwork,         // interfaces file, apply/rollback, pinning: internal/cli/network.go
	"metrics":           runMetrics,         // external metric servers: internal/cli/metrics.go
	"proxmox-boot-tool": runBootTool,        // ESPs, kernels, pins: internal/cli/boottool.go
	"pvesm":             runPvesm,           // storage configuration: internal/cli/pvesm.go
	"disk":              runDisk,            // disks, LVM, ZFS, BTRFS: internal/cli/disk.go
	"apt":               runApt,             // package repositories and updates: internal/cli/apt.go
	"time":              hostTool("time"),   // host settings: internal/cli/hostcfg.go
	"dns":               hostTool("dns"),
	"hosts":             hostTool("hosts"),
	"ntp":               hostTool("ntp"),
	"ksm":               hostTool("ksm"),
	"sysctl":            hostTool("sysctl"),
	"history":           runHistory, // who changed what: internal/cli/history.go
	"cfs":               runCfs,     // /etc/pve to and from Proxmox VE: internal/cli/cfs.go
	"pvecm":             runPvecm,   // cluster membership: internal/cli/pvecm.go
	"version":           runVersion,
	"help": func(e *Env, _ []string) error {
		printHelp(e.Stdout)
		return nil
	},
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `hostadm - Proxmox VE-compatible host administration

Usage:
  hostadm serve [--root DIR] [--data-dir DIR] [--listen ADDR] [--node NAME]
  hostadm pvesh get|set|create|delete|ls|usage PATH [--param value ...]
  hostadm pveum user|acl|role|passwd ...
  hostadm pvenode task list|log|status|config get|config set|wakeonlan ...
  hostadm pvesubscription get|set|update|delete ...
  hostadm time|dns|hosts|ntp|ksm|sysctl get|set|status ...
  hostadm pvesm add|remove|set|status|list ...
  hostadm disk list|smart|selftest|initgpt|wipe|lvm|lvmthin|directory|zfs|arc|btrfs ...
  hostadm network list|show|diff|apply|confirm|revert|pin ...
  hostadm history list|show ID|revert ID [--force] [--path P] [--user U] [--since T]
  hostadm cfs import FILE [--force] | export --format pmxcfs|tar FILE | backup FILE | restore FILE
  hostadm pvecm create|add|status|nodes|delnode|expected ...
  hostadm metrics servers|add|set|remove|show|test ...
  hostadm apt repos|enable|disable|add-standard|update|list-upgrades|changelog|upgrade|versions|
              firmware-component|microcode|firmware ...
  hostadm proxmox-boot-tool status|format|init|reinit|clean|refresh|kernel|help ...
  hostadm version

Each tool also runs under its own name (a symlink called pvesh, pveum,
pvenode or proxmox-boot-tool to the hostadm binary). Run 'hostadm COMMAND --help' for details.
`)
}
