package network

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"hostadm/internal/network/ifaces"
)

// Kernel reads what the host knows about its links: the names in
// ROOT/proc/net/dev, which of them are physical NICs and which are up
// (ROOT/sys/class/net). A link is physical when sysfs shows a device
// behind it, or, without that, when its name looks like a NIC's (the rule
// Proxmox 8 used).
func (s *Service) Kernel() *ifaces.Kernel {
	k := &ifaces.Kernel{Physical: map[string][]string{}, Up: map[string]bool{}}
	data, err := s.cfg.Root.ReadFile("/proc/net/dev")
	if err != nil {
		return k
	}
	for _, name := range ProcNetDevNames(string(data)) {
		sys := s.cfg.Root.Path(filepath.Join("/sys/class/net", name))
		if isPhysical(sys, name) {
			k.Physical[name] = nil
		}
		if flags, err := os.ReadFile(filepath.Join(sys, "flags")); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(flags)), 0, 64); err == nil && v&1 != 0 {
				k.Up[name] = true
			}
		}
	}
	return k
}

func isPhysical(sys, name string) bool {
	if _, err := os.Stat(filepath.Join(sys, "device")); err == nil {
		// a virtual device with a parent (a VLAN on a NIC) has no
		// device link of its own; bridges, bonds, veths have none either
		return true
	}
	return ifaces.PhysicalNIC().MatchString(name)
}

// ProcNetDevNames lists the interface names of a /proc/net/dev file.
func ProcNetDevNames(data string) []string {
	var names []string
	for _, line := range strings.Split(data, "\n") {
		name, _, ok := strings.Cut(line, ":")
		if !ok || strings.Contains(name, "|") {
			continue
		}
		if n := strings.TrimSpace(name); n != "" {
			names = append(names, n)
		}
	}
	return names
}
