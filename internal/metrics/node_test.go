package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/host"
	"hostadm/internal/host/hosttest"
	"hostadm/internal/hostcfg/golden"
)

// hostFiles is a minimal node: the files Status needs, from this machine.
func hostFiles(t testing.TB) map[string][]byte {
	return map[string][]byte{
		pathStat:    golden.Read(t, "stat.vm-amd64"),
		pathMeminfo: golden.Read(t, "meminfo.vm-amd64"),
		pathLoadavg: golden.Read(t, "loadavg.vm-amd64"),
		pathUptime:  golden.Read(t, "uptime.vm-amd64"),
		pathCPUInfo: golden.Read(t, "cpuinfo.vm-amd64-epyc"),
	}
}

// newRoot writes files (host path → content) under a temporary root.
func newRoot(t testing.TB, files map[string][]byte) host.Root {
	t.Helper()
	dir := t.TempDir()
	for p, b := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func newTestNode(t testing.TB, files map[string][]byte, ttl time.Duration) (*Node, *hosttest.Clock, host.Root) {
	clock := hosttest.NewClock(time.Unix(1795715500, 0))
	root := newRoot(t, files)
	n := NewNode(NodeConfig{
		Root: root,
		Statfs: func(path string) (total, free, avail uint64, err error) {
			if path != root.Path("/") {
				return 0, 0, 0, errors.New("statfs of " + path)
			}
			return 1000 << 20, 400 << 20, 350 << 20, nil
		},
		Uname: func() (string, string, string, string) {
			return "Linux", "6.8.12-4-pve", "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z)", "x86_64"
		},
		Clock:     clock.Now,
		StatusTTL: ttl,
	})
	return n, clock, root
}

func TestStatus(t *testing.T) {
	n, _, _ := newTestNode(t, hostFiles(t), 0)
	got, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const k = 1024
	used, total := 5735.0+2434+37+21, 5735.0+2434+37+21+54392+200
	want := Status{
		BootInfo: BootInfo{Mode: "legacy-bios"},
		CPU:      used / total,
		Wait:     200 / total,
		CPUInfo:  got.CPUInfo, // checked in TestParseCPUInfo
		CurrentKernel: Kernel{Sysname: "Linux", Release: "6.8.12-4-pve",
			Version: "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z)", Machine: "x86_64"},
		KVersion: "Linux 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z)",
		Loadavg:  [3]string{"0.46", "0.22", "0.09"},
		Memory: Memory{Total: 24684084 * k, Used: (24684084 - 24339160) * k,
			Free: 24217652 * k, Available: 24339160 * k},
		RootFS: RootFS{Total: 1000 << 20, Used: 600 << 20, Free: 400 << 20, Avail: 350 << 20},
		Uptime: 315,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	if got.CPUInfo.Model != "AMD EPYC" || got.CPUInfo.CPUs != 2 {
		t.Errorf("cpuinfo = %+v", got.CPUInfo)
	}
}

// TestStatusJSON checks the keys and value types against API.md §2.2.
func TestStatusJSON(t *testing.T) {
	n, _, _ := newTestNode(t, hostFiles(t), 0)
	st, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	wantKeys := map[string][]string{
		"":               {"boot-info", "cpu", "cpuinfo", "current-kernel", "idle", "ksm", "kversion", "loadavg", "memory", "rootfs", "swap", "uptime", "wait"},
		"boot-info":      {"mode"},
		"cpuinfo":        {"cores", "cpus", "family", "flags", "hvm", "mhz", "model", "sockets", "user_hz", "vendor"},
		"current-kernel": {"machine", "release", "sysname", "version"},
		"ksm":            {"shared"},
		"memory":         {"available", "free", "total", "used"},
		"rootfs":         {"avail", "free", "total", "used"},
		"swap":           {"free", "total", "used"},
	}
	for obj, keys := range wantKeys {
		o := m
		if obj != "" {
			o = m[obj].(map[string]any)
		}
		got := make([]string, 0, len(o))
		for key := range o {
			got = append(got, key)
		}
		slices.Sort(got)
		if diff := cmp.Diff(keys, got); diff != "" {
			t.Errorf("keys of %q (-want +got):\n%s", obj, diff)
		}
	}
	for _, frag := range []string{`"loadavg":["0.46","0.22","0.09"]`, `"mhz":"2596.142"`, `"hvm":""`, `"user_hz":100`, `"idle":0`, `"uptime":315`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, b)
		}
	}
}

func TestStatusBootInfo(t *testing.T) {
	efivar := pathSecureBoot
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"legacy", nil, `{"mode":"legacy-bios"}`},
		{"efi secure boot on", map[string][]byte{efivar: []byte("\x06\x00\x00\x00\x01")}, `{"mode":"efi","secureboot":1}`},
		{"efi secure boot off", map[string][]byte{efivar: []byte("\x06\x00\x00\x00\x00")}, `{"mode":"efi","secureboot":0}`},
		{"efi without the variable", map[string][]byte{pathEFI + "/systab": []byte("x")}, `{"mode":"efi","secureboot":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := hostFiles(t)
			for p, b := range tt.files {
				files[p] = b
			}
			n, _, _ := newTestNode(t, files, 0)
			st, err := n.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(st.BootInfo)
			if string(b) != tt.want {
				t.Errorf("boot-info = %s, want %s", b, tt.want)
			}
		})
	}
}
