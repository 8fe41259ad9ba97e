package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"hostadm/internal/boot"
	"hostadm/internal/host"
)

// exitCode is an error that ends the command with a given exit status
// after its message (Proxmox's tools exit 1 on errors, status exits 2).
type exitCode struct {
	code int
	msg  string
}

func (e exitCode) Error() string { return e.msg }

// runBootTool is `hostadm proxmox-boot-tool` (also the multi-call name
// proxmox-boot-tool), a drop-in for Proxmox's tool with its subcommands,
// arguments, messages and exit codes. It works on the node itself, as
// root, like Proxmox's (it mounts ESPs): no --host. hostadm adds one
// leading option, --root DIR, for a host root other than /.
func runBootTool(env *Env, args []string) error {
	rootDir := "/"
	if len(args) >= 2 && args[0] == "--root" {
		rootDir, args = args[1], args[2:]
	}
	if needsPrivateMounts(rootDir, args, os.Getenv) {
		reexecPrivate(env, args)
	}
	root, err := host.NewRoot(rootDir)
	if err != nil {
		return err
	}
	s := boot.New(boot.Config{Root: root, Runner: host.ExecRunner{}})
	o := boot.Out{Stdout: env.Stdout, Stderr: env.Stderr}
	if len(args) == 0 {
		bootUsage(env.Stderr, "")
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = bootCommand(ctx, s, o, env, args)
	var ec exitCode
	if err != nil && !errors.As(err, &ec) {
		err = exitCode{code: 1, msg: err.Error()}
	}
	return err
}

func bootCommand(ctx context.Context, s *boot.Service, o boot.Out, env *Env, args []string) error {
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "format":
		if len(rest) == 0 {
			return bootMandatory(env, "E: <partition> is mandatory.", "format")
		}
		return s.Format(ctx, rest[0], len(rest) > 1 && rest[1] == "--force", o)
	case "init":
		if len(rest) == 0 {
			return bootMandatory(env, "E: <partition> is mandatory.", "init")
		}
		mode := ""
		if len(rest) > 1 {
			mode = rest[1]
		}
		return s.Init(ctx, rest[0], mode, o)
	case "reinit":
		if len(rest) > 0 {
			return bootMandatory(env, "E: no arguments allowed.", "reinit")
		}
		return s.Reinit(ctx, o)
	case "clean":
		return bootClean(ctx, s, o, rest)
	case "refresh":
		return bootRefresh(ctx, s, o, env, rest)
	case "kernel", "kernels":
		return bootKernel(ctx, s, o, env, rest)
	case "status":
		return bootStatus(ctx, s, o, env, rest)
	case "help", "--help", "-h": // --help: for man pages and completion (hostadm's addition)
		bootHelp(env.Stdout)
		return nil
	}
	fmt.Fprintf(env.Stderr, "Invalid/unknown command '%s'.\n\n", cmd)
	bootUsage(env.Stderr, "")
	return exitCode{code: 1}
}

func bootMandatory(env *Env, msg, sub string) error {
	fmt.Fprintf(env.Stderr, "%s\n\n", msg)
	bootUsage(env.Stderr, sub)
	return exitCode{code: 1}
}

func bootClean(ctx context.Context, s *boot.Service, o boot.Out, rest []string) error {
	err := s.Clean(ctx, len(rest) > 0 && rest[0] == "--dry-run", o)
	return err
}

func bootRefresh(ctx context.Context, s *boot.Service, o boot.Out, env *Env, rest []string) error {
	hook := ""
	switch {
	case len(rest) == 2 && rest[0] == "--hook":
		hook = rest[1]
	case len(rest) != 0:
		bootUsage(env.Stderr, "refresh")
		return exitCode{code: 1}
	}
	_, err := s.Refresh(ctx, hook, o)
	return err
}

func bootStatus(ctx context.Context, s *boot.Service, o boot.Out, env *Env, rest []string) error {
	quiet := len(rest) == 1 && rest[0] == "--quiet"
	if len(rest) > 0 && !quiet {
		bootUsage(env.Stderr, "status")
		return exitCode{code: 1}
	}
	_, err := s.Status(ctx, quiet, o)
	if errors.Is(err, boot.ErrNoESPList) {
		if quiet {
			return exitCode{code: 2}
		}
		return exitCode{code: 2, msg: err.Error()}
	}
	return err
}

func bootKernel(ctx context.Context, s *boot.Service, o boot.Out, env *Env, rest []string) error {
	if len(rest) == 0 {
		return bootMandatory(env, "E: subcommand is mandatory for 'kernel'.", "kernel")
	}
	arg := func(i int) string {
		if len(rest) > i {
			return rest[i]
		}
		return ""
	}
	switch rest[0] {
	case "add":
		return s.AddKernel(ctx, arg(1), o)
	case "remove":
		return s.RemoveKernel(ctx, arg(1), o)
	case "list":
		return s.ListKernels(o)
	case "pin":
		if len(rest) == 3 && rest[2] == "--next-boot" || len(rest) == 2 {
			return s.Pin(ctx, rest[1], len(rest) == 3, o)
		}
	case "unpin":
		if len(rest) == 2 && rest[1] == "--next-boot" || len(rest) == 1 {
			return s.Unpin(ctx, len(rest) == 2, o)
		}
	default:
		fmt.Fprintf(env.Stderr, "E: invalid 'kernel' subcommand '%s'.\n\n", rest[0])
	}
	bootUsage(env.Stderr, "kernel")
	return exitCode{code: 1}
}

// bootUsage prints Proxmox's usage lines, all or those of one subcommand.
func bootUsage(w io.Writer, sub string) {
	const me = "proxmox-boot-tool"
	if sub == "" {
		fmt.Fprintf(w, "USAGE: %s <commands> [ARGS]\n\n", me)
	}
	for _, u := range [][2]string{
		{"format", "format <partition> [--force]"},
		{"init", "init <partition> [grub|systemd-boot]"},
		{"reinit", "reinit"},
		{"clean", "clean [--dry-run]"},
		{"refresh", "refresh [--hook <name>]"},
		{"kernel", "kernel <add|remove> <kernel-version>"},
		{"kernel", "kernel pin <kernel-version> [--next-boot]"},
		{"kernel", "kernel unpin [--next-boot]"},
		{"kernel", "kernel list"},
		{"status", "status [--quiet]"},
		{"help", "help"},
	} {
		if sub == "" || sub == u[0] {
			fmt.Fprintf(w, "  %s %s\n", me, u[1])
		}
	}
}

func bootHelp(w io.Writer) {
	const me = "proxmox-boot-tool"
	var b strings.Builder
	for _, h := range [][]string{
		{"format <partition> [--force]", "format <partition> as EFI system partition. Use --force to format even if <partition> is currently in use."},
		{"init <partition> [grub|systemd-boot]", "initialize EFI system partition at <partition> for automatic synchronization of Proxmox kernels and their associated initrds."},
		{"reinit", "reinitialize all configured EFI system partitions from " + boot.ESPList + "."},
		{"clean [--dry-run]", "remove no longer existing EFI system partition UUIDs from " + boot.ESPList + ". Use --dry-run to only print outdated entries instead of removing them."},
		{"refresh [--hook <name>]", "refresh all configured EFI system partitions. Use --hook to only run the specified hook, omit to run all."},
		{"kernel <add|remove> <kernel-version>", "add/remove proxmox-kernel with ABI <kernel-version> to list of synced kernels, in addition to automatically selected ones.",
			"NOTE: you need to manually run 'refresh' once you're finished with adding/removing kernels from the list"},
		{"kernel pin <kernel-version> [--next-boot]", "pin proxmox-kernel with ABI <kernel-version> as the default entry to be booted.",
			"with --next-boot sets <kernel-version> only for the next boot.", "NOTE: you need to manually run 'refresh' once you're finished with pinning kernels"},
		{"kernel unpin [--next-boot]", "unpin removes pinned and next-boot kernel settings.", "with --next-boot only removes the pin for the next boot."},
		{"kernel list", "list kernel versions currently selected for inclusion on ESPs."},
		{"status [--quiet]", "Print details about the ESPs configuration. Exits with 0 if any ESP is configured, else with 2."},
	} {
		fmt.Fprintf(&b, "USAGE: %s %s\n\n", me, h[0])
		for _, l := range h[1:] {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}
