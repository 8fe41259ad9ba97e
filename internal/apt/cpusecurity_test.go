package apt_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

// cpuFixture lays out a root with a cpuinfo and vulnerabilities directory
// from internal/apt/cpusec/testdata.
func cpuFixture(t *testing.T, root, cpuinfo, vulns, status, sources string) {
	t.Helper()
	td := "cpusec/testdata"
	mustCopy(t, filepath.Join(td, cpuinfo), filepath.Join(root, "proc/cpuinfo"))
	dst := filepath.Join(root, "sys/devices/system/cpu/vulnerabilities")
	os.MkdirAll(filepath.Dir(dst), 0o755)
	if out, err := exec.Command("cp", "-r", filepath.Join(td, "vulnerabilities", vulns), dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	for f, c := range map[string]string{
		"etc/os-release":       "ID=debian\nVERSION_CODENAME=bookworm\n",
		"var/lib/dpkg/status":  status,
		"etc/apt/sources.list": sources,
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte(c), 0o644)
	}
}

func mustCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(dst), 0o755)
	os.WriteFile(dst, b, 0o644)
}

type cpuSecurity struct {
	CPU struct {
		Vendor, Model, Microcode string
		Mixed                    int `json:"mixed-microcode"`
	} `json:"cpu"`
	Vulnerabilities []struct{ Name, State, Text string } `json:"vulnerabilities"`
	Vulnerable      int                                  `json:"vulnerable"`
	Package         struct {
		Name      string `json:"name"`
		Installed int    `json:"installed"`
		Version   string `json:"version"`
	} `json:"microcode-package"`
	Firmware struct {
		Name    string `json:"name"`
		Enabled int    `json:"enabled"`
	} `json:"firmware-component"`
	Early     int    `json:"microcode-updated-early"`
	KernelLog string `json:"kernel-log"`
	Source    string `json:"kernel-log-source"`
}

func getCPUSecurity(t *testing.T, env *daemontest.Env) cpuSecurity {
	t.Helper()
	res := env.MustOK(env.RootAuth(), "GET", node+"/hardware/cpu-security", nil)
	var cs cpuSecurity
	b, _ := json.Marshal(res.Data)
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

var (
	journalArgv = []string{"journalctl", "-k", "-b", "--no-pager", "-o", "cat", "--grep", "microcode"}
	dmesgArgv   = []string{"dmesg"}
)

// TestCPUSecurityThisMachine serves the files captured on the development
// machine (AMD EPYC VM, no microcode package, no early update) with its
// recorded dmesg and a journal without matches.
func TestCPUSecurityThisMachine(t *testing.T) {
	rec := host.NewRecorder()
	dmesg, _ := os.ReadFile("cpusec/testdata/dmesg-amd-epyc-vm-real.txt")
	rec.On(dmesgArgv, host.Reply{Stdout: string(dmesg)})
	rec.On(journalArgv, host.Reply{ExitCode: 1})
	env := daemontest.Start(t, daemontest.Options{Runner: rec, Prepare: func(root string) {
		cpuFixture(t, root, "cpuinfo-amd-epyc-vm-real.txt", "amd-epyc-vm-real", "",
			"deb http://deb.debian.org/debian bookworm main contrib\n")
	}})
	cs := getCPUSecurity(t, env)
	if cs.CPU.Vendor != "AuthenticAMD" || cs.CPU.Model != "AMD EPYC" || cs.CPU.Microcode != "0x1000065" {
		t.Errorf("cpu %+v", cs.CPU)
	}
	if len(cs.Vulnerabilities) != 19 || cs.Vulnerable != 2 {
		t.Errorf("%d vulnerabilities, %d vulnerable", len(cs.Vulnerabilities), cs.Vulnerable)
	}
	srso := cs.Vulnerabilities[slices.IndexFunc(cs.Vulnerabilities, func(v struct{ Name, State, Text string }) bool {
		return v.Name == "spec_rstack_overflow"
	})]
	if srso.State != "vulnerable" || srso.Text != "Vulnerable: Safe RET, no microcode" {
		t.Errorf("srso %+v", srso)
	}
	if cs.Package.Name != "amd64-microcode" || cs.Package.Installed != 0 {
		t.Errorf("package %+v", cs.Package)
	}
	if cs.Firmware.Name != "non-free-firmware" || cs.Firmware.Enabled != 0 {
		t.Errorf("firmware %+v", cs.Firmware)
	}
	if cs.Early != 0 || cs.KernelLog != "" {
		t.Errorf("early %d %q", cs.Early, cs.KernelLog)
	}
	want := []string{"dmesg", "journalctl -k -b --no-pager -o cat --grep microcode"}
	if got := rec.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

// TestCPUSecurityIntel uses the hand-written Intel fixtures: the package
// installed, the firmware component enabled, an early update in dmesg.
func TestCPUSecurityIntel(t *testing.T) {
	rec := host.NewRecorder()
	dmesg, _ := os.ReadFile("cpusec/testdata/dmesg-intel-6.8-handwritten.txt")
	rec.On(dmesgArgv, host.Reply{Stdout: string(dmesg)})
	status := "Package: intel-microcode\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.20240910.1~deb12u1\n" +
		"Description: Processor microcode firmware for Intel CPUs\n\n"
	env := daemontest.Start(t, daemontest.Options{Runner: rec, Prepare: func(root string) {
		cpuFixture(t, root, "cpuinfo-intel-xeon-mixed-handwritten.txt", "intel-xeon-skylake-handwritten", status,
			"deb http://deb.debian.org/debian bookworm main contrib non-free-firmware\n")
	}})
	cs := getCPUSecurity(t, env)
	if cs.CPU.Vendor != "GenuineIntel" || cs.CPU.Microcode != "0x2007006" || cs.CPU.Mixed != 1 {
		t.Errorf("cpu %+v", cs.CPU)
	}
	if len(cs.Vulnerabilities) != 13 || cs.Vulnerable != 0 {
		t.Errorf("%d vulnerabilities, %d vulnerable", len(cs.Vulnerabilities), cs.Vulnerable)
	}
	if cs.Package.Name != "intel-microcode" || cs.Package.Installed != 1 || cs.Package.Version != "3.20240910.1~deb12u1" {
		t.Errorf("package %+v", cs.Package)
	}
	if cs.Firmware.Enabled != 1 {
		t.Errorf("firmware %+v", cs.Firmware)
	}
	if cs.Early != 1 || cs.Source != "dmesg" || cs.KernelLog != "microcode: updated early: 0x2006e05 -> 0x2007006, date = 2023-03-06" {
		t.Errorf("early %d %q %q", cs.Early, cs.Source, cs.KernelLog)
	}
	if got := rec.Calls(); !slices.Equal(got, []string{"dmesg"}) {
		t.Errorf("calls %q", got)
	}
}
