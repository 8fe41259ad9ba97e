// Package boot manages how the node boots, the way Proxmox VE's
// proxmox-boot-tool does: EFI system partitions (ESPs) listed by file-system
// UUID in /etc/kernel/proxmox-boot-uuids get the selected kernels and their
// initrds copied onto them with systemd-boot entries or a GRUB
// configuration; the kernel selection (running, newest, newest per series,
// manual additions, pins), pinning a kernel (also for the next boot only),
// and the kernel command line in /etc/kernel/cmdline or /etc/default/grub.
//
// Every host path lives under the service's Root and every command runs
// through its Runner, so tests use real vfat file systems on loop devices
// under a temporary root.
package boot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"hostadm/internal/host"
)

// Host paths and constants shared with Proxmox's tool.
const (
	ESPList        = "/etc/kernel/proxmox-boot-uuids"
	ESPPartType    = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
	ManualKernels  = "/etc/kernel/proxmox-boot-manual-kernels"
	PinFile        = "/etc/kernel/proxmox-boot-pin"
	NextBootPin    = "/etc/kernel/next-boot-pin"
	MountRoot      = "/var/tmp/espmounts"
	GrubPinSnippet = "/etc/default/grub.d/proxmox-kernel-pin.cfg"
	CmdlineFile    = "/etc/kernel/cmdline"
	GrubDefault    = "/etc/default/grub"
	AptKeepFile    = "/etc/apt/apt.conf.d/76pveconf"

	espKernelDir = "EFI/proxmox" // relative to an ESP's mount point
	loaderConf   = "loader/loader.conf"
	lockPath     = "/run/hostadm/boot.lck" // host.PrivateLock("boot"): root-only
	minESPSize   = 268435456               // 256 MiB, Proxmox's lower bound
	loaderTitle  = "Proxmox Virtual Environment"
)

// Config holds what a Service needs.
type Config struct {
	Root   host.Root
	Runner host.Runner
	Logger *slog.Logger
	// LockTimeout bounds the wait for the boot lock (10 s when zero).
	LockTimeout time.Duration
}

// Service runs proxmox-boot-tool's operations over one host root.
type Service struct {
	root    host.Root
	run     host.Runner
	log     *slog.Logger
	timeout time.Duration
}

// New builds a Service.
func New(cfg Config) *Service {
	s := &Service{root: cfg.Root, run: cfg.Runner, log: cfg.Logger, timeout: cfg.LockTimeout}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.timeout == 0 {
		s.timeout = 10 * time.Second
	}
	return s
}

// Out is where an operation prints: Proxmox's tool writes some lines to
// standard output and its warnings to standard error; a task log gets both.
type Out struct {
	Stdout io.Writer
	Stderr io.Writer
}

// OneWriter is an Out printing everything to w.
func OneWriter(w io.Writer) Out { return Out{Stdout: w, Stderr: w} }

func (o Out) say(format string, a ...any) {
	if o.Stdout != nil {
		fmt.Fprintf(o.Stdout, format+"\n", a...)
	}
}

func (o Out) warn(format string, a ...any) {
	if o.Stderr != nil {
		fmt.Fprintf(o.Stderr, format+"\n", a...)
	}
}

// UEFI tells whether the node booted in UEFI mode (/sys/firmware/efi exists).
func (s *Service) UEFI() bool { return s.root.Exists("/sys/firmware/efi") }

// lock takes the boot lock so two changes never interleave on the ESPs.
func (s *Service) lock(ctx context.Context) (func(), error) {
	return s.root.Lock(ctx, lockPath, s.timeout)
}

func (s *Service) cmd(ctx context.Context, out io.Writer, argv ...string) (host.Result, error) {
	return s.run.Run(ctx, host.Cmd{Argv: argv, Output: out, Timeout: 10 * time.Minute})
}

func hostCmd(argv ...string) host.Cmd {
	return host.Cmd{Argv: argv, Timeout: 2 * time.Minute}
}
