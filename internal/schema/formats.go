package schema

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// A format check returns the message Proxmox gives after "invalid format - "
// (with its trailing newline), or "" when the value is fine.
type formatFunc func(v string) string

var (
	reNode      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$`) })
	reIface     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9_]{1,20}([:\.]\d+)?$`) })
	reConfigID  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9_-]+$`) })
	reStorageID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`) })
	// reLVMName is pve-storage's parse_lvm_name (pve-storage-vgname).
	reLVMName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z0-9][a-z0-9\-_.]*[a-z0-9]$`) })
	// reZFSName is a ZFS pool or dataset name: the pool a letter first,
	// components of letters, digits, "_", ".", ":", "-" and inner blanks.
	reZFSName = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-zA-Z](?:[\w.: -]*[\w.:-])?(?:/[\w.:-](?:[\w.: -]*[\w.:-])?)*$`)
	})
	reVMID    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[1-9][0-9]{2,8}$`) })
	reStartup = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:(?:order=)?\d+)?(?:(?:^|,)(?:order|up|down)=\d+)*$`)
	})
	reTag     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z0-9_][a-z0-9_\-+.]*$`) })
	reCPUType = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:cputype=)?[A-Za-z0-9_\-.]+(?:,.*)?$`) })
	reMAC     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$`) })
	reDNSName = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$`)
	})
	reEmail = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[\w+\-~]+(\.[\w+\-~]+)*@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*$`)
	})
	reACMEDom = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(\*\.)?[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$`)
	})
	reACMEAlias = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^[a-z0-9_][a-z0-9_-]*(\.[a-z0-9_][a-z0-9_-]*)+$`)
	})
	reUserID  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$`) })
	reRealm   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.\-_]+$`) })
	reTokenID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.\-_]+$`) })
	reRoleID  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.\-_]+$`) })
	reGroupID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.\-_]+$`) })
	reVLAN    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)(?:-(\d+))?$`) })
	// reDirOverride is pve-storage's verify_dir_override: a content type
	// and a relative path in which no two dots follow each other.
	reDirOverride = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z]+)=([^.]*(?:\.?[^.]+)+)$`) })
)

// re checks against a regular expression compiled on first use.
func re(r func() *regexp.Regexp, msg string) formatFunc {
	return func(v string) string {
		if r().MatchString(v) {
			return ""
		}
		return msg + "\n"
	}
}

// formats is fixed at start-up and never changed afterwards.
var formats = map[string]formatFunc{
	"pve-node": re(reNode, "value does not look like a valid node name"),
	"pve-iface": func(v string) string {
		if len(v) >= 2 && len(v) <= 20 && reIface().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("invalid network interface name '%s'\n", v)
	},
	"pve-configid": func(v string) string {
		if reConfigID().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("invalid configuration ID '%s'\n", v)
	},
	"pve-storage-id": func(v string) string {
		if reStorageID().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("storage ID '%s' contains illegal characters\n", v)
	},
	"pve-storage-vgname": func(v string) string {
		if reLVMName().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("lvm name '%s' contains illegal characters\n", v)
	},
	// zfs-dataset-name is hostadm's own: pve-storage gives a zfspool's
	// pool no format, but the value becomes an argument of zfs commands.
	"zfs-dataset-name": func(v string) string {
		if len(v) <= 255 && reZFSName().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("invalid ZFS pool or dataset name '%s'\n", v)
	},
	"pve-vmid":             re(reVMID, "value does not look like a valid VM ID"),
	"pve-startup-order":    re(reStartup, "value does not look like a valid startup order"),
	"pve-tag":              re(reTag, "invalid characters in tag"),
	"pve-vm-cpu-conf":      re(reCPUType, "value does not look like a valid CPU type"),
	"mac-addr":             re(reMAC, "value does not look like a valid unicast MAC address"),
	"ipv4":                 checkIP(true, false, "value does not look like a valid IPv4 address"),
	"ipv6":                 checkIP(false, true, "value does not look like a valid IPv6 address"),
	"ip":                   checkIP(true, true, "value does not look like a valid IP address"),
	"ipv4mask":             checkMask,
	"CIDRv4":               checkCIDR(true, false, "value does not look like a valid IPv4 CIDR network"),
	"CIDRv6":               checkCIDR(false, true, "value does not look like a valid IPv6 CIDR network"),
	"CIDR":                 checkCIDR(true, true, "value does not look like a valid CIDR network"),
	"address":              checkAddress,
	"dns-name":             re(reDNSName, "value does not look like a valid DNS name"),
	"graphite-path":        re(reDNSName, "value does not look like a valid graphite path"),
	"email":                re(reEmail, "value does not look like a valid email address"),
	"pve-vlan-id-or-range": checkVLANRange,
	"pve-task-status-type": func(v string) string {
		switch strings.ToLower(v) {
		case "ok", "error", "warning", "unknown":
			return ""
		}
		return fmt.Sprintf("invalid status '%s'\n", v)
	},
	"pve-acme-domain":       re(reACMEDom, "value does not look like a valid domain name"),
	"pve-acme-alias":        re(reACMEAlias, "value does not look like a valid alias name"),
	"pem-certificate":       checkPEM(rePEMCert),
	"pem-certificate-chain": checkPEM(rePEMChain),
	"pem-string":            checkPEM(rePEMAny),
	"pve-realm": func(v string) string {
		if reRealm().MatchString(v) && len(v) <= 32 {
			return ""
		}
		return fmt.Sprintf("realm '%s' does not look like a valid realm name\n", v)
	},
	"pve-userid": func(v string) string {
		if reUserID().MatchString(v) && len(v) <= 64 {
			return ""
		}
		return fmt.Sprintf("value '%s' does not look like a valid user name\n", v)
	},
	"pve-tokenid": func(v string) string {
		user, name, ok := strings.Cut(v, "!")
		if ok && reUserID().MatchString(user) && reTokenID().MatchString(name) {
			return ""
		}
		return fmt.Sprintf("value '%s' does not look like a valid token ID\n", v)
	},
	"email-opt": func(v string) string {
		if v == "" || reEmail().MatchString(v) {
			return ""
		}
		return "value does not look like a valid email address\n"
	},
	"pve-roleid": func(v string) string {
		if reRoleID().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("role name '%s' contains invalid characters\n", v)
	},
	"pve-groupid": func(v string) string {
		if reGroupID().MatchString(v) {
			return ""
		}
		return fmt.Sprintf("group name '%s' contains invalid characters\n", v)
	},
	"pve-dir-override": checkDirOverride,
	"string":           func(string) string { return "" },
	"urlencoded": func(v string) string {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c == 0x7f {
				return "invalid urlencoded string\n"
			}
		}
		return ""
	},
}

// HasFormat tells whether a named format is known (a "-list" form counts).
func HasFormat(name string) bool {
	_, ok := formats[strings.TrimSuffix(name, "-list")]
	return ok || name == "pve-priv-list"
}

// CheckFormat validates v against a named format and returns the Proxmox
// message ("" when fine). "-list" formats split v on commas, semicolons,
// white space and NULs and check each item.
func CheckFormat(name, v string) string {
	if base, ok := strings.CutSuffix(name, "-list"); ok {
		f, known := formats[base]
		if !known {
			return ""
		}
		for _, item := range SplitList(v) {
			if msg := f(item); msg != "" {
				return msg
			}
		}
		return ""
	}
	if f, ok := formats[name]; ok {
		return f(v)
	}
	return ""
}

// SplitList splits a Proxmox list value on ',', ';', white space and NUL.
func SplitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		switch r {
		case ',', ';', 0, ' ', '\t', '\n', '\r', '\f', '\v':
			return true
		}
		return false
	})
}

func checkIP(v4, v6 bool, msg string) formatFunc {
	return func(v string) string {
		a, err := netip.ParseAddr(v)
		if err == nil && a.Zone() == "" && ((v4 && a.Is4()) || (v6 && a.Is6())) {
			return ""
		}
		return msg + "\n"
	}
}

// isIP is the "ip" format: an IPv4 or IPv6 address without a zone.
func isIP(v string) bool {
	a, err := netip.ParseAddr(v)
	return err == nil && a.Zone() == ""
}

func checkCIDR(v4, v6 bool, msg string) formatFunc {
	return func(v string) string {
		addr, bits, ok := strings.Cut(v, "/")
		if !ok {
			return msg + "\n"
		}
		a, err := netip.ParseAddr(addr)
		n, errN := strconv.Atoi(bits)
		if err != nil || errN != nil || a.Zone() != "" || strings.HasPrefix(bits, "+") {
			return msg + "\n"
		}
		switch {
		case v4 && a.Is4() && n >= 8 && n <= 32:
			return ""
		case v6 && a.Is6() && n >= 8 && n <= 128:
			return ""
		}
		return msg + "\n"
	}
}

func checkMask(v string) string {
	a, err := netip.ParseAddr(v)
	if err == nil && a.Is4() {
		b := a.As4()
		m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		if m == 0 || (^m)&(^m+1) == 0 {
			return ""
		}
	}
	return "value does not look like a valid IP netmask\n"
}

func checkAddress(v string) string {
	if isIP(v) || reDNSName().MatchString(v) {
		return ""
	}
	return fmt.Sprintf("value does not look like a valid address: %s\n", v)
}

// checkVLANRange follows pve_verify_vlan_id_or_range, messages included.
func checkVLANRange(v string) string {
	m := reVLAN().FindStringSubmatch(v)
	if m == nil {
		return fmt.Sprintf("invalid VLAN configuration '%s'\n", v)
	}
	for _, tag := range m[1:] {
		if tag == "" {
			continue
		}
		if n, err := strconv.Atoi(tag); err != nil || n < 2 || n > 4094 {
			return fmt.Sprintf("invalid VLAN tag '%s'\n", tag)
		}
	}
	if m[2] != "" {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if lo >= hi {
			return fmt.Sprintf("VLAN range must go from lower to higher tag '%s'\n", v)
		}
	}
	return ""
}

// checkDirOverride is a content-dirs item, "vtype=relative/path": a known
// content type and a path that cannot climb out of the storage (no "..")
// with Proxmox's length limits.
func checkDirOverride(v string) string {
	bad := "invalid override '" + v + "'\n"
	m := reDirOverride().FindStringSubmatch(v)
	if m == nil || len(m[2]) >= 1023 {
		return bad
	}
	switch m[1] {
	case "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none":
	default:
		return bad
	}
	for _, c := range strings.Split(m[2], "/") {
		if len(c) >= 255 {
			return bad
		}
	}
	return ""
}
