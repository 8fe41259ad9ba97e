package metrics

import (
	"errors"
	"fmt"
	"strconv"
)

// CPUInfo is the node's processor summary, in the shape of the "cpuinfo"
// object of GET /nodes/{node}/status.
type CPUInfo struct {
	CPUs    int    `json:"cpus"`
	Cores   int    `json:"cores"`
	Sockets int    `json:"sockets"`
	Model   string `json:"model"`
	MHz     string `json:"mhz"`
	UserHZ  int    `json:"user_hz"`
	// HVM tells whether the CPU has Intel VT-x or AMD-V.
	HVM    PerlBool `json:"hvm"`
	Flags  string   `json:"flags"`
	Vendor string   `json:"vendor,omitempty"`
	Family string   `json:"family,omitempty"`
}

// cpuinfoScan collects what ParseCPUInfo needs while it walks the file.
type cpuinfoScan struct {
	info        CPUInfo
	socket      string         // the current block's "physical id"
	socketCores map[string]int // "cpu cores" per physical id
	order       []string       // physical ids in first-seen order
	implementer string         // arm64 "CPU implementer"
	part        string         // arm64 "CPU part"
	arch        string         // arm64 "CPU architecture"
}

// ParseCPUInfo parses /proc/cpuinfo. On x86, sockets are the distinct
// "physical id" values and cores the sum of each socket's "cpu cores". On
// arm64, which has no "model name", vendor and model come from the
// implementer and part codes; without topology rows every logical CPU is
// counted as a core on one socket.
func ParseCPUInfo(b []byte) (CPUInfo, error) {
	s := cpuinfoScan{socketCores: map[string]int{}}
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		key, val, ok := splitKey(line)
		if !ok {
			continue // blank separators between processors
		}
		if err := s.row(string(key), val); err != nil {
			return CPUInfo{}, fmt.Errorf("cpuinfo line %d: %w", n, err)
		}
	}
	return s.finish()
}

func (s *cpuinfoScan) row(key string, val []byte) error {
	in := &s.info
	switch key {
	case "processor":
		if _, err := atou(val); err != nil {
			return fmt.Errorf("processor %q: %w", val, err)
		}
		in.CPUs++
	case "model name":
		setOnce(&in.Model, val)
	case "cpu MHz":
		if _, err := strconv.ParseFloat(string(val), 64); err != nil {
			return fmt.Errorf("cpu MHz %q: %w", val, err)
		}
		setOnce(&in.MHz, val)
	case "flags", "Features":
		setOnce(&in.Flags, val)
	case "vendor_id":
		setOnce(&in.Vendor, val)
	case "cpu family":
		setOnce(&in.Family, val)
	case "physical id":
		s.socket = string(val)
		if _, ok := s.socketCores[s.socket]; !ok {
			s.socketCores[s.socket] = 0
			s.order = append(s.order, s.socket)
		}
	case "cpu cores":
		v, err := atou(val)
		if err != nil || v > 1<<20 {
			return fmt.Errorf("cpu cores %q: %w", val, errNumber)
		}
		s.socketCores[s.socket] = int(v)
	case "CPU implementer":
		setOnce(&s.implementer, val)
	case "CPU part":
		setOnce(&s.part, val)
	case "CPU architecture":
		setOnce(&s.arch, val)
	}
	return nil
}

func setOnce(dst *string, val []byte) {
	if *dst == "" {
		*dst = string(val)
	}
}

func (s *cpuinfoScan) finish() (CPUInfo, error) {
	in := s.info
	if in.CPUs == 0 {
		return CPUInfo{}, errors.New("cpuinfo: no processor entries")
	}
	in.UserHZ = UserHZ
	in.HVM = PerlBool(hasHVM(in.Flags))
	in.Sockets = max(len(s.order), 1)
	for _, id := range s.order {
		in.Cores += s.socketCores[id]
	}
	if in.Cores == 0 {
		in.Cores = in.CPUs
	}
	if in.Model == "" && s.implementer != "" {
		in.Vendor, in.Model = armNames(s.implementer, s.part)
		in.Family = s.arch
	}
	if in.Model == "" {
		in.Model = "unknown"
	}
	if in.MHz == "" {
		in.MHz = "0"
	}
	return in, nil
}

// hasHVM tells whether the flag list names vmx (Intel VT-x) or svm (AMD-V).
func hasHVM(flags string) bool {
	rest := []byte(flags)
	for len(rest) > 0 {
		var f []byte
		f, rest = nextField(rest)
		if string(f) == "vmx" || string(f) == "svm" {
			return true
		}
	}
	return false
}
