package metrics

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// staticInfo is what cannot change while the node runs, read once: the
// CPU summary (CPU hotplug is rare on hypervisors; Proxmox VE caches it
// for the life of the daemon too), the running kernel and the boot mode.
type staticInfo struct {
	cpuinfo  CPUInfo
	kernel   Kernel
	kversion string
	boot     BootInfo
}

// Kernel is the running kernel as uname(2) reports it, the
// "current-kernel" object of the node status.
type Kernel struct {
	Sysname string `json:"sysname"`
	Release string `json:"release"`
	Version string `json:"version"`
	Machine string `json:"machine"`
}

// BootInfo is the "boot-info" object of the node status.
type BootInfo struct {
	// Mode is "efi" or "legacy-bios".
	Mode string `json:"mode"`
	// SecureBoot is set only in EFI mode.
	SecureBoot *Bool `json:"secureboot,omitempty"`
}

// Boot modes reported in BootInfo.Mode.
const (
	BootEFI    = "efi"
	BootLegacy = "legacy-bios"
)

// ParseSecureBoot reads the SecureBoot EFI variable: four attribute bytes,
// then one data byte that is 1 when secure boot is on.
func ParseSecureBoot(b []byte) bool {
	return len(b) >= 5 && b[4] == 1
}

// loadStaticLocked fills n.static on first use. A failure is not cached, so
// the next call tries again. Callers hold n.mu.
func (n *Node) loadStaticLocked() (*staticInfo, error) {
	if n.static != nil {
		return n.static, nil
	}
	ci, err := readParse(n, pathCPUInfo, ParseCPUInfo)
	if err != nil {
		return nil, err
	}
	boot, err := n.readBootInfoLocked()
	if err != nil {
		return nil, err
	}
	var k Kernel
	k.Sysname, k.Release, k.Version, k.Machine = n.cfg.Uname()
	n.static = &staticInfo{
		cpuinfo:  ci,
		kernel:   k,
		kversion: k.Sysname + " " + k.Release + " " + k.Version,
		boot:     boot,
	}
	return n.static, nil
}

// readBootInfoLocked tells EFI from legacy boot by /sys/firmware/efi and
// reads the secure boot state; a missing or short variable means "off".
func (n *Node) readBootInfoLocked() (BootInfo, error) {
	if _, err := os.Stat(n.paths[pathEFI]); errors.Is(err, fs.ErrNotExist) {
		return BootInfo{Mode: BootLegacy}, nil
	} else if err != nil {
		return BootInfo{}, fmt.Errorf("boot mode: %w", err)
	}
	b, err := n.readLocked(pathSecureBoot)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return BootInfo{}, fmt.Errorf("secure boot: %w", err)
	}
	sb := Bool(err == nil && ParseSecureBoot(b))
	return BootInfo{Mode: BootEFI, SecureBoot: &sb}, nil
}
