package guests

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func (s *Service) runPath(vmid int, ext string) string {
	return s.cfg.Root.Path(filepath.Join(RunDir, strconv.Itoa(vmid)+ext))
}

func (s *Service) qmpPath(vmid int) string { return s.runPath(vmid, ".qmp") }
func (s *Service) pidPath(vmid int) string { return s.runPath(vmid, ".pid") }
func (s *Service) logPath(vmid int) string { return s.runPath(vmid, ".log") }

// qmpArg is the -qmp value; it also identifies the VM's process in /proc.
func (s *Service) qmpArg(vmid int) string { return "unix:" + s.qmpPath(vmid) + ",server=on,wait=off" }

// Running returns the VM's QEMU process, or nil when it does not run. It
// reads the pid file and checks the process is alive and is this VM's
// QEMU, so it works the same for VMs a previous daemon started.
func (s *Service) Running(vmid int) *procInfo {
	b, err := os.ReadFile(s.pidPath(vmid))
	if err != nil {
		return nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return nil
	}
	p, ok := readProc(pid)
	if !ok || !cmdlineHas(pid, s.qmpArg(vmid)) {
		return nil
	}
	return &p
}

// accel picks KVM when /dev/kvm can be opened, else TCG.
func (s *Service) accel() string {
	if s.cfg.Accel != "" {
		return s.cfg.Accel
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return "tcg"
	}
	f.Close()
	return "kvm"
}

// Argv is the QEMU command line for a VM (without the binary). incoming,
// when set, is a migration address QEMU waits on instead of booting.
func (s *Service) Argv(vmid int, st Settings, incoming string) []string {
	accel := s.accel()
	machine := st.Machine
	if machine == "" {
		machine = "pc"
	}
	cpu := st.CPU
	switch {
	case cpu == "" && accel == "kvm":
		cpu = "kvm64"
	case cpu == "" || (cpu == "host" && accel != "kvm"):
		cpu = "qemu64" // TCG cannot pass the host CPU through
	}
	name := st.Name
	if name == "" {
		name = "VM" + strconv.Itoa(vmid)
	}
	n := st.VCPUs()
	argv := []string{
		"-name", "guest=" + name + ",debug-threads=on",
		"-qmp", s.qmpArg(vmid),
		"-pidfile", s.pidPath(vmid),
		"-nodefaults", "-no-user-config", "-display", "none",
		"-machine", "type=" + machine + ",accel=" + accel,
		"-cpu", cpu,
		"-m", strconv.Itoa(st.MemoryMiB),
		"-smp", fmt.Sprintf("%d,sockets=%d,cores=%d,maxcpus=%d", n, st.Sockets, st.Cores, n),
		"-rtc", "base=utc",
	}
	if st.BalloonMiB != 0 {
		argv = append(argv, "-device", "virtio-balloon-pci,id=balloon0")
	}
	argv = append(argv, "-S")
	if incoming != "" {
		// "defer": the address is given over QMP (migrate-incoming), which
		// answers once QEMU listens, so the source never connects too early.
		argv = append(argv, "-incoming", "defer")
	}
	return argv
}

// launch starts QEMU for a VM and waits until its QMP socket answers. The
// process runs in its own session, outliving the request and the daemon;
// the reaper goroutine collects its exit status when this process is its
// parent. (QEMU runs for the VM's whole life, so it cannot go through the
// host Runner, which waits for commands to finish.)
func (s *Service) launch(ctx context.Context, vmid int, st Settings, incoming string) (int, error) {
	if err := os.MkdirAll(s.cfg.Root.Path(RunDir), 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", RunDir, err)
	}
	if p := s.qmpPath(vmid); len(p) > 100 {
		return 0, fmt.Errorf("QMP socket path too long for a unix socket: %s", p)
	}
	s.cleanupRuntime(vmid)
	logf, err := os.OpenFile(s.logPath(vmid), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return 0, fmt.Errorf("open qemu log: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(s.cfg.QEMU, s.Argv(vmid, st, incoming)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start qemu for VM %d: %w", vmid, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := s.waitQMP(ctx, vmid, exited); err != nil {
		_ = signal(cmd.Process.Pid, syscall.SIGKILL)
		return 0, err
	}
	return cmd.Process.Pid, nil
}

// waitQMP waits until the VM's QMP socket accepts a connection.
func (s *Service) waitQMP(ctx context.Context, vmid int, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("unix", s.qmpPath(vmid), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("start failed: QEMU exited: %s", s.logTail(vmid))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("start failed: QMP socket of VM %d did not appear: %w", vmid, os.ErrDeadlineExceeded)
		}
	}
}

func (s *Service) logTail(vmid int) string {
	b, _ := os.ReadFile(s.logPath(vmid))
	t := strings.TrimSpace(string(b))
	if len(t) > 500 {
		t = t[len(t)-500:]
	}
	if t == "" {
		return "no output"
	}
	return t
}

// cleanupRuntime removes a stopped VM's socket and pid file.
func (s *Service) cleanupRuntime(vmid int) {
	for _, p := range []string{s.qmpPath(vmid), s.pidPath(vmid), s.runPath(vmid, ".started"), s.incomingPath(vmid)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.cfg.Logger.Warn("remove vm runtime file", "path", p, "err", err)
		}
	}
}
