// Package cpusec parses what the kernel says about the CPU's security: the
// processor model and running microcode revision from /proc/cpuinfo, the
// state of each entry of /sys/devices/system/cpu/vulnerabilities, and
// whether the kernel log reports an early microcode update. It is pure:
// bytes in, values out; the caller reads the files and runs the commands.
package cpusec

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// CPU is what /proc/cpuinfo says about the processors.
type CPU struct {
	Vendor    string `json:"vendor"`    // vendor_id: GenuineIntel, AuthenticAMD
	Model     string `json:"model"`     // model name
	Family    string `json:"family"`    // cpu family
	ModelID   string `json:"model-id"`  // model (number)
	Stepping  string `json:"stepping"`  // stepping
	Microcode string `json:"microcode"` // running revision of the first CPU, e.g. 0x1000065
	// Processors is the number of processor entries.
	Processors int `json:"processors"`
	// MixedMicrocode is 1 (a boolean as Proxmox's API writes it) when not
	// every processor runs the same revision (a late load that did not
	// reach every core).
	MixedMicrocode int `json:"mixed-microcode"`
}

// ErrNoProcessor is returned for a cpuinfo without a processor entry.
var ErrNoProcessor = errors.New("cpuinfo: no processor entry")

// ParseCPUInfo reads /proc/cpuinfo. The model fields come from the first
// processor; the microcode revision is compared across all of them.
func ParseCPUInfo(r io.Reader) (*CPU, error) {
	c := &CPU{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "processor" {
			c.Processors++
			continue
		}
		if k == "microcode" && c.Processors > 1 && v != c.Microcode {
			c.MixedMicrocode = 1
		}
		if c.Processors > 1 {
			continue
		}
		c.set(k, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if c.Processors == 0 {
		return nil, ErrNoProcessor
	}
	return c, nil
}

func (c *CPU) set(k, v string) {
	switch k {
	case "vendor_id":
		c.Vendor = v
	case "model name":
		c.Model = v
	case "cpu family":
		c.Family = v
	case "model":
		c.ModelID = v
	case "stepping":
		c.Stepping = v
	case "microcode":
		c.Microcode = v
	}
}

// MicrocodePackage is Debian's microcode package for a CPU vendor ("" for
// other vendors).
func MicrocodePackage(vendor string) string {
	switch vendor {
	case "GenuineIntel":
		return "intel-microcode"
	case "AuthenticAMD":
		return "amd64-microcode"
	}
	return ""
}
