package cpusec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"hostadm/internal/apt/cpusec"
	"hostadm/internal/hostcfg/golden"
)

// TestVulnerabilitiesGolden parses every captured and hand-written
// vulnerabilities directory and compares with its golden file.
func TestVulnerabilitiesGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/vulnerabilities/*")
	if len(dirs) < 3 {
		t.Fatalf("fixtures missing: %v", dirs)
	}
	for _, dir := range dirs {
		if filepath.Ext(dir) == ".golden" {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []cpusec.Vulnerability
			for _, e := range entries {
				raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				got = append(got, cpusec.ParseVulnerability(e.Name(), raw))
			}
			goldenJSON(t, dir+".golden", got)
		})
	}
}

func goldenJSON(t *testing.T, path string, v any) {
	t.Helper()
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	golden.File(t, path, got)
}

func TestParseVulnerabilityStates(t *testing.T) {
	for text, want := range map[string]string{
		"Not affected\n":                              cpusec.NotAffected,
		"Vulnerable\n":                                cpusec.Vulnerable,
		"Vulnerable: Safe RET, no microcode\n":        cpusec.Vulnerable,
		"Vulnerable, IBPB: disabled, STIBP: disabled": cpusec.Vulnerable,
		"Mitigation: PTI\n":                           cpusec.Mitigated,
		"KVM: Mitigation: Split huge pages\n":         cpusec.Mitigated,
		"KVM: Vulnerable\n":                           cpusec.Vulnerable,
		"Processor vulnerable\n":                      cpusec.Vulnerable,
		"Unknown: Dependent on hypervisor status":     cpusec.Unknown,
		"": cpusec.Unknown,
	} {
		v := cpusec.ParseVulnerability("x", []byte(text))
		if v.State != want {
			t.Errorf("%q: state %q, want %q", text, v.State, want)
		}
	}
}

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		file                     string
		vendor, model, microcode string
		procs                    int
		mixed                    int
	}{
		{"cpuinfo-amd-epyc-vm-real.txt", "AuthenticAMD", "AMD EPYC", "0x1000065", 2, 0},
		{"cpuinfo-intel-xeon-mixed-handwritten.txt", "GenuineIntel", "Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz", "0x2007006", 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			c, err := cpusec.ParseCPUInfo(f)
			if err != nil {
				t.Fatal(err)
			}
			if c.Vendor != tc.vendor || c.Model != tc.model || c.Microcode != tc.microcode ||
				c.Processors != tc.procs || c.MixedMicrocode != tc.mixed {
				t.Errorf("got %+v", c)
			}
		})
	}
	if _, err := cpusec.ParseCPUInfo(bytes.NewReader([]byte("garbage\n"))); err == nil {
		t.Error("no processor: want an error")
	}
}

func TestMicrocodeEarly(t *testing.T) {
	tests := map[string]string{
		"dmesg-amd-epyc-vm-real.txt":      "",
		"dmesg-intel-6.1-handwritten.txt": "microcode: microcode updated early to revision 0x2007006, date = 2023-03-06",
		"dmesg-intel-6.8-handwritten.txt": "microcode: updated early: 0x2006e05 -> 0x2007006, date = 2023-03-06",
		"dmesg-amd-6.1-handwritten.txt":   "microcode: microcode updated early to new patch_level=0x0a201210",
		"dmesg-amd-6.8-handwritten.txt":   "microcode: Updated early from: 0x0a201205",
	}
	for file, want := range tests {
		raw, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		line, ok := cpusec.MicrocodeEarly(raw)
		if line != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", file, line, ok, want)
		}
	}
}

func FuzzParseCPUInfo(f *testing.F) {
	f.Add([]byte("processor\t: 0\nmicrocode\t: 0x1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cpusec.ParseCPUInfo(bytes.NewReader(b))
		cpusec.MicrocodeEarly(b)
		cpusec.ParseVulnerability("x", b)
	})
}
