package metrics

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"hostadm/internal/hostcfg/golden"
)

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		want      CPUInfo
		flagsHave string
	}{
		{"vm-amd64 epyc", "cpuinfo.vm-amd64-epyc", CPUInfo{
			CPUs: 2, Cores: 2, Sockets: 1, Model: "AMD EPYC", MHz: "2596.142", UserHZ: 100,
			HVM: false, Vendor: "AuthenticAMD", Family: "25",
		}, "avx512f"},
		{"x86 2 sockets", "cpuinfo.x86-2socket", CPUInfo{
			CPUs: 16, Cores: 8, Sockets: 2, Model: "Intel(R) Xeon(R) CPU E5-2643 0 @ 3.30GHz",
			MHz: "1200.000", UserHZ: 100, HVM: true, Vendor: "GenuineIntel", Family: "6",
		}, " vmx "},
		{"arm64 altra", "cpuinfo.arm64-altra", CPUInfo{
			CPUs: 4, Cores: 4, Sockets: 1, Model: "ARM Neoverse-N1", MHz: "0", UserHZ: 100,
			Vendor: "ARM", Family: "8",
		}, "asimd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCPUInfo(golden.Read(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.Flags, tt.flagsHave) {
				t.Errorf("flags %q lack %q", got.Flags, tt.flagsHave)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(CPUInfo{}, "Flags")); diff != "" {
				t.Errorf("ParseCPUInfo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestARMNames(t *testing.T) {
	tests := []struct{ impl, part, vendor, model string }{
		{"0x41", "0xd0c", "ARM", "ARM Neoverse-N1"},
		{"0xc0", "0xac3", "Ampere", "Ampere Ampere-1"},
		{"0x41", "0xfff", "ARM", "ARM part 0xfff"},
		{"0x99", "0xd0c", "implementer 0x99", "implementer 0x99 part 0xd0c"},
		{"junk", "junk", "implementer junk", "implementer junk part junk"},
	}
	for _, tt := range tests {
		v, m := armNames(tt.impl, tt.part)
		if v != tt.vendor || m != tt.model {
			t.Errorf("armNames(%s, %s) = %q, %q; want %q, %q", tt.impl, tt.part, v, m, tt.vendor, tt.model)
		}
	}
}

func TestCPUInfoJSON(t *testing.T) {
	for hvm, want := range map[bool]string{true: `"hvm":"1"`, false: `"hvm":""`} {
		b, err := json.Marshal(CPUInfo{HVM: PerlBool(hvm)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("hvm=%v: %s lacks %s", hvm, b, want)
		}
	}
}

func TestParseCPUInfoErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"no processor": "model name\t: x\n",
		"bad index":    "processor\t: a\n",
		"bad mhz":      "processor\t: 0\ncpu MHz\t\t: fast\n",
		"bad cores":    "processor\t: 0\nphysical id\t: 0\ncpu cores\t: -2\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCPUInfo([]byte(in)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func FuzzParseCPUInfo(f *testing.F) {
	for _, name := range []string{"cpuinfo.vm-amd64-epyc", "cpuinfo.x86-2socket", "cpuinfo.arm64-altra"} {
		f.Add(golden.Read(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ci, err := ParseCPUInfo(b)
		if err != nil {
			return
		}
		if ci.CPUs < 1 || ci.Sockets < 1 || ci.Cores < 1 || ci.Model == "" || ci.MHz == "" {
			t.Errorf("incomplete result: %+v", ci)
		}
	})
}

func TestBoolJSONRoundTrip(t *testing.T) {
	for _, in := range []string{"1", "0", "true", "false", `""`, `"1"`} {
		var b Bool
		var p PerlBool
		if err := json.Unmarshal([]byte(in), &b); err != nil {
			t.Errorf("Bool %s: %v", in, err)
		}
		if err := json.Unmarshal([]byte(in), &p); err != nil || bool(p) != bool(b) {
			t.Errorf("PerlBool %s: %v, %v", in, p, err)
		}
	}
	var b Bool
	if err := json.Unmarshal([]byte(`"yes"`), &b); err == nil {
		t.Error(`Bool "yes": no error`)
	}
}
