package apt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"time"

	"hostadm/internal/apt/cpusec"
	"hostadm/internal/host"
)

// vulnDir is where the kernel reports the CPU's vulnerabilities.
const vulnDir = "/sys/devices/system/cpu/vulnerabilities"

// CPUSecurity is the answer of GET /nodes/{node}/hardware/cpu-security (a
// hostadm extension). Booleans are 1/0 like Proxmox's.
type CPUSecurity struct {
	CPU             *cpusec.CPU            `json:"cpu"`
	Vulnerabilities []cpusec.Vulnerability `json:"vulnerabilities"`
	// Vulnerable counts the entries in state "vulnerable".
	Vulnerable int `json:"vulnerable"`
	// MicrocodePackage is the vendor's Debian package and whether it is installed.
	MicrocodePackage MicrocodePackage `json:"microcode-package"`
	// FirmwareComponent is the Debian component that carries it.
	FirmwareComponent FirmwareComponent `json:"firmware-component"`
	// UpdatedEarly is 1 when the kernel log reports an early microcode
	// update; KernelLog is that line and KernelLogSource where it was found.
	UpdatedEarly    int    `json:"microcode-updated-early"`
	KernelLog       string `json:"kernel-log,omitempty"`
	KernelLogSource string `json:"kernel-log-source,omitempty"`
	KernelLogError  string `json:"kernel-log-error,omitempty"`
	// EarlyLoadingDisabled is 1 when the running kernel was booted with
	// dis_ucode_ldr; EarlyLoadingHint says how to set it after an early
	// update (see cpusec_boot.go).
	EarlyLoadingDisabled int    `json:"dis-ucode-ldr"`
	EarlyLoadingHint     string `json:"microcode-early-hint,omitempty"`
}

// MicrocodePackage is the vendor's microcode package ("" for other vendors).
type MicrocodePackage struct {
	Name      string `json:"name,omitempty"`
	Installed int    `json:"installed"`
	Version   string `json:"version,omitempty"`
}

// FirmwareComponent says whether the component with the microcode is
// enabled in an entry of the Debian archive for the running release.
type FirmwareComponent struct {
	Name    string `json:"name"`
	Enabled int    `json:"enabled"`
}

// CPUSecurity reports the CPU model and running microcode, the kernel's
// vulnerability states, the microcode package, the firmware component and
// whether the kernel applied a microcode update early.
func (s *Service) CPUSecurity(ctx context.Context) (*CPUSecurity, error) {
	raw, err := s.cfg.Root.ReadFile("/proc/cpuinfo")
	if err != nil {
		return nil, fmt.Errorf("read /proc/cpuinfo: %w", err)
	}
	cpu, err := cpusec.ParseCPUInfo(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("/proc/cpuinfo: %w", err)
	}
	out := &CPUSecurity{CPU: cpu}
	if out.Vulnerabilities, err = s.vulnerabilities(); err != nil {
		return nil, err
	}
	for _, v := range out.Vulnerabilities {
		if v.State == cpusec.Vulnerable {
			out.Vulnerable++
		}
	}
	out.MicrocodePackage = s.microcodePackage(cpu.Vendor)
	if out.FirmwareComponent, err = s.firmwareComponentStatus(); err != nil {
		return nil, err
	}
	s.kernelLog(ctx, out)
	s.microcodeBoot(out)
	return out, nil
}

// vulnerabilities reads every file of the vulnerabilities directory, in
// name order; a kernel without the directory reports none.
func (s *Service) vulnerabilities() ([]cpusec.Vulnerability, error) {
	out := []cpusec.Vulnerability{}
	entries, err := os.ReadDir(s.cfg.Root.Path(vulnDir))
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", vulnDir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		raw, err := s.cfg.Root.ReadFile(path.Join(vulnDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Join(vulnDir, e.Name()), err)
		}
		out = append(out, cpusec.ParseVulnerability(e.Name(), raw))
	}
	return out, nil
}

// microcodePackage looks the vendor's package up in the dpkg database.
func (s *Service) microcodePackage(vendor string) MicrocodePackage {
	mp := MicrocodePackage{Name: cpusec.MicrocodePackage(vendor)}
	if mp.Name == "" {
		return mp
	}
	raw, _ := s.cfg.Root.ReadFile(dpkgStatus)
	for _, p := range parseStatus(raw, func(n string) bool { return n == mp.Name }) {
		if p.State == "Installed" {
			mp.Installed, mp.Version = 1, p.Version
		}
	}
	return mp
}

// firmwareComponentStatus checks the sources for the firmware component.
func (s *Service) firmwareComponentStatus() (FirmwareComponent, error) {
	codename, err := s.Codename()
	if err != nil {
		return FirmwareComponent{}, err
	}
	sn, err := s.Read()
	if err != nil {
		return FirmwareComponent{}, err
	}
	fc := FirmwareComponent{Name: firmwareComponent(codename)}
	if ok, _, _ := firmwareEnabled(sn, codename); ok {
		fc.Enabled = 1
	}
	return fc, nil
}

// kernelLogCmds are where the early-update message is looked for: the
// kernel ring buffer, then (it may have wrapped on a long-running host)
// the journal's kernel messages of this boot.
func kernelLogCmds() []kernelLogCmd {
	return []kernelLogCmd{
		{"dmesg", host.Cmd{Argv: []string{"dmesg"}, Timeout: 30 * time.Second}},
		{"journal", host.Cmd{Argv: []string{"journalctl", "-k", "-b", "--no-pager", "-o", "cat", "--grep", "microcode"},
			OKCodes: []int{1}, Timeout: 30 * time.Second}},
	}
}

type kernelLogCmd struct {
	source string
	cmd    host.Cmd
}

// kernelLog fills in whether the kernel log reports an early update.
func (s *Service) kernelLog(ctx context.Context, out *CPUSecurity) {
	var errs []string
	cmds := kernelLogCmds()
	for _, k := range cmds {
		res, err := s.cfg.Runner.Run(ctx, k.cmd)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if line, ok := cpusec.MicrocodeEarly(res.Stdout); ok {
			out.UpdatedEarly, out.KernelLog, out.KernelLogSource = 1, line, k.source
			return
		}
	}
	if len(errs) == len(cmds) {
		out.KernelLogError = errs[0]
	}
}
