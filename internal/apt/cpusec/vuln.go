package cpusec

import (
	"bufio"
	"bytes"
	"strings"
)

// States of a CPU vulnerability.
const (
	Vulnerable  = "vulnerable"
	Mitigated   = "mitigated"
	NotAffected = "not affected"
	Unknown     = "unknown"
)

// Vulnerability is one entry of /sys/devices/system/cpu/vulnerabilities.
type Vulnerability struct {
	Name  string `json:"name"`  // the file name, e.g. spectre_v2
	State string `json:"state"` // one of the state constants above
	Text  string `json:"text"`  // the file's text as the kernel wrote it
}

// ParseVulnerability classifies the text of one vulnerabilities file.
// The kernel writes "Not affected", "Vulnerable[: detail]", "Mitigation:
// detail" or "Unknown: detail"; itlb_multihit prefixes its KVM state with
// "KVM: " and older kernels write "Processor vulnerable".
func ParseVulnerability(name string, raw []byte) Vulnerability {
	text := strings.TrimSpace(string(raw))
	v := Vulnerability{Name: name, State: Unknown, Text: text}
	t := strings.TrimPrefix(text, "KVM: ")
	switch {
	case strings.HasPrefix(t, "Not affected"):
		v.State = NotAffected
	case strings.HasPrefix(t, "Mitigation"):
		v.State = Mitigated
	case strings.HasPrefix(t, "Vulnerable"), strings.HasPrefix(t, "Processor vulnerable"):
		v.State = Vulnerable
	}
	return v
}

// MicrocodeEarly finds the kernel's report of a microcode update applied
// early during boot in a kernel log and returns that line. Kernels before
// 6.7 write "microcode: microcode updated early to revision 0x…" (Intel)
// or "… updated early to new patch_level=0x…" (AMD); later ones write
// "microcode: updated early: 0x… -> 0x…" (Intel) or "microcode: Updated
// early from: 0x…" (AMD).
func MicrocodeEarly(log []byte) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		l := sc.Text()
		low := strings.ToLower(l)
		if strings.Contains(low, "microcode") && strings.Contains(low, "updated early") {
			return strings.TrimSpace(stripTimestamp(l)), true
		}
	}
	return "", false
}

// stripTimestamp drops dmesg's "[    0.123456] " prefix.
func stripTimestamp(l string) string {
	if strings.HasPrefix(l, "[") {
		if _, rest, ok := strings.Cut(l, "] "); ok {
			return rest
		}
	}
	return l
}
