package guests

import (
	"strconv"
	"strings"

	"hostadm/internal/guests/vmconf"
)

// Settings are the values of a VM config hostadm acts on, with Proxmox's
// defaults filled in.
type Settings struct {
	Name       string
	MemoryMiB  int
	BalloonMiB int // the minimum for auto-ballooning; 0 disables the balloon device
	Shares     int
	Cores      int
	Sockets    int
	CPU        string
	OnBoot     bool
	Startup    Startup
	Machine    string
	Tags       string
	// Unsupported lists keys of the config hostadm cannot run (disks,
	// NICs, args): a VM with any of them is not started.
	Unsupported []string
}

// VCPUs is the number of virtual CPUs.
func (st Settings) VCPUs() int { return st.Cores * st.Sockets }

// SettingsOf reads a config's settings; invalid values fall back to the
// defaults, as Proxmox's parser drops them.
func SettingsOf(c *vmconf.Config) Settings {
	st := Settings{MemoryMiB: 512, Shares: 1000, Cores: 1, Sockets: 1, Startup: Startup{Order: -1, Up: -1, Down: -1}}
	v := func(k string) (string, bool) {
		s, ok := c.Get(k)
		if ok && CheckValue(k, s) != "" {
			return "", false
		}
		return s, ok
	}
	st.Name, _ = v("name")
	if m, ok := v("memory"); ok {
		st.MemoryMiB = atoi(strings.TrimPrefix(m, "current="), 512)
	}
	st.BalloonMiB = st.MemoryMiB
	if b, ok := v("balloon"); ok {
		st.BalloonMiB = atoi(b, st.MemoryMiB)
	}
	if b, ok := v("shares"); ok {
		st.Shares = atoi(b, 1000)
	}
	if b, ok := v("cores"); ok {
		st.Cores = atoi(b, 1)
	}
	if b, ok := v("sockets"); ok {
		st.Sockets = atoi(b, 1)
	}
	st.CPU, _ = v("cpu")
	st.CPU = strings.TrimPrefix(st.CPU, "cputype=")
	if b, ok := v("onboot"); ok {
		st.OnBoot = b == "1"
	}
	if b, ok := v("startup"); ok {
		st.Startup, _ = ParseStartup(b)
	}
	st.Machine, _ = v("machine")
	st.Machine = strings.TrimPrefix(st.Machine, "type=")
	st.Tags, _ = v("tags")
	for _, k := range c.Keys() {
		if IsDiskKey(k) || strings.HasPrefix(k, "net") || k == "args" || k == "hostpci0" {
			st.Unsupported = append(st.Unsupported, k)
		}
	}
	return st
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}
