package apt

import (
	"bufio"
	"bytes"
	"strings"
)

// Installed is a package from the dpkg status database.
type Installed struct {
	Package, Version, Arch, Section, Priority, State string
	Title, Description                               string
}

// parseStatus reads a dpkg status file; keep selects packages by name.
func parseStatus(raw []byte, keep func(string) bool) []Installed {
	var out []Installed
	var cur *Installed
	var desc []string
	inDesc := false
	flush := func() {
		if cur != nil {
			cur.Description = strings.Join(desc, " ")
			out = append(out, *cur)
		}
		cur, desc, inDesc = nil, nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 256*1024), 16*1024*1024)
	skip := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			skip = false
			continue
		}
		if skip {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if inDesc && cur != nil {
				desc = append(desc, line[1:])
			}
			continue
		}
		inDesc = false
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		if k == "Package" {
			if !keep(v) {
				skip = true
				continue
			}
			cur = &Installed{Package: v}
			continue
		}
		if cur == nil {
			continue
		}
		switch k {
		case "Version":
			cur.Version = v
		case "Architecture":
			cur.Arch = v
		case "Section":
			cur.Section = v
		case "Priority":
			cur.Priority = v
		case "Status":
			f := strings.Fields(v)
			cur.State = currentState(f[len(f)-1])
		case "Description":
			cur.Title, inDesc = v, true
		}
	}
	flush()
	return out
}

// currentState maps dpkg's status word to Proxmox's CurrentState.
func currentState(s string) string {
	switch s {
	case "installed":
		return "Installed"
	case "unpacked":
		return "UnPacked"
	case "half-configured":
		return "HalfConfigured"
	case "half-installed":
		return "HalfInstalled"
	case "config-files":
		return "ConfigFiles"
	}
	return "NotInstalled"
}

// kernelRelease is the kernel release an installed kernel package holds
// ("" for other packages).
func kernelRelease(pkg string) string {
	for _, p := range []string{"proxmox-kernel-", "pve-kernel-", "linux-image-"} {
		if rel, ok := strings.CutPrefix(pkg, p); ok && rel != "" && rel[0] >= '0' && rel[0] <= '9' {
			rel = strings.TrimSuffix(rel, "-signed")
			if strings.Count(rel, ".") >= 1 && strings.Contains(rel, "-") {
				return rel
			}
		}
	}
	return ""
}

// naturalLess compares release strings with digit runs as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := leadingNumber(a)
		db, rb := leadingNumber(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingNumber(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}
