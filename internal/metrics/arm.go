package metrics

import (
	"fmt"
	"strconv"
	"strings"
)

// armImplementers names the arm64 "CPU implementer" codes seen on servers
// and boards Proxmox VE runs on (codes as in the Arm MIDR_EL1 register and
// util-linux's lscpu table).
var armImplementers = map[uint64]string{
	0x41: "ARM",
	0x42: "Broadcom",
	0x43: "Cavium",
	0x46: "Fujitsu",
	0x48: "HiSilicon",
	0x4e: "NVIDIA",
	0x50: "APM",
	0x51: "Qualcomm",
	0x61: "Apple",
	0xc0: "Ampere",
}

// armParts names common server and board cores, keyed by implementer<<16|part.
var armParts = map[uint64]string{
	0x41<<16 | 0xd03: "Cortex-A53",
	0x41<<16 | 0xd05: "Cortex-A55",
	0x41<<16 | 0xd07: "Cortex-A57",
	0x41<<16 | 0xd08: "Cortex-A72",
	0x41<<16 | 0xd0b: "Cortex-A76",
	0x41<<16 | 0xd0c: "Neoverse-N1",
	0x41<<16 | 0xd40: "Neoverse-V1",
	0x41<<16 | 0xd49: "Neoverse-N2",
	0x41<<16 | 0xd4f: "Neoverse-V2",
	0x43<<16 | 0x0af: "ThunderX2 99xx",
	0x46<<16 | 0x001: "A64FX",
	0x48<<16 | 0xd01: "Kunpeng-920",
	0x50 << 16:       "X-Gene", // part 0x000
	0xc0<<16 | 0xac3: "Ampere-1",
	0xc0<<16 | 0xac4: "Ampere-1a",
}

// armNames turns hex implementer and part codes ("0x41", "0xd0c") into a
// vendor and a model name such as "ARM", "ARM Neoverse-N1". Unknown codes
// keep their hex form so the model is never empty.
func armNames(implementer, part string) (vendor, model string) {
	impl, implErr := parseHex(implementer)
	vendor, ok := armImplementers[impl]
	if implErr != nil || !ok {
		vendor = "implementer " + implementer
	}
	p, partErr := parseHex(part)
	name, ok := armParts[impl<<16|p]
	if implErr != nil || partErr != nil || !ok {
		name = "part " + part
	}
	return vendor, vendor + " " + name
}

func parseHex(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("hex code %q: %w", s, err)
	}
	return v, nil
}
