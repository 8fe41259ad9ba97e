package disks

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestParseSmartctlJSON(t *testing.T) {
	for _, name := range []string{"ata-ssd", "ata-failing", "nvme", "sas", "loop-unavailable", "nvme-selftest"} {
		t.Run(name, func(t *testing.T) {
			sd, err := ParseSmartctlJSON(golden.Read(t, "smart/"+name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			out := struct {
				*SmartData
				ExitStatus int        `json:"exit_status"`
				SelfTests  []SelfTest `json:"selftests,omitempty"`
			}{sd, sd.ExitStatus, sd.SelfTests}
			b, _ := json.MarshalIndent(out, "", "  ")
			golden.File(t, "testdata/smart/"+name+".golden", append(b, '\n'))
		})
	}
}

func TestWearLeveling(t *testing.T) {
	cases := map[string]int{"ata-ssd": 93, "nvme": 97, "sas": 93}
	for name, want := range cases {
		sd, _ := ParseSmartctlJSON(golden.Read(t, "smart/"+name+".json"))
		if got, ok := sd.WearLeveling(); !ok || got != want {
			t.Errorf("%s: wearout %d %v, want %d", name, got, ok, want)
		}
	}
	used := &SmartData{Attributes: []SmartAttr{{Name: "Percent_Lifetime_Used", Value: 12}}}
	if got, _ := used.WearLeveling(); got != 88 {
		t.Errorf("Used attribute: %d", got)
	}
}

func TestSmartExitStatus(t *testing.T) {
	root := t.TempDir()
	mkBlock(t, filepath.Join(root, "dev/sdx"), 1)
	rec := host.NewRecorder()
	rec.On(strings.Fields("smartctl -j -H -A /dev/sdx"), host.Reply{Stdout: string(golden.Read(t, "smart/loop-unavailable.json")), ExitCode: 1})
	rec.On(strings.Fields("smartctl -j -H /dev/sdx"), host.Reply{Stdout: string(golden.Read(t, "smart/ata-failing.json")), ExitCode: 24})
	s := newTestService(t, root, rec)
	if _, err := s.Smart(t.Context(), "/dev/sdx", false); err == nil || err.Error() != "Error getting S.M.A.R.T. data: Exit code: 1" {
		t.Errorf("exit 1: %v", err)
	}
	sd, err := s.Smart(t.Context(), "/dev/sdx", true)
	if err != nil || sd.Health != "FAILED!" || sd.ExitStatus != 24 {
		t.Errorf("exit 24: %+v %v", sd, err)
	}
	if _, err := s.Smart(t.Context(), "/dev/nonexistent", true); err != ErrNotBlockDevice {
		t.Errorf("missing device: %v", err)
	}
}

func TestSmartSelfTest(t *testing.T) {
	root := t.TempDir()
	mkBlock(t, filepath.Join(root, "dev/nvme0n1"), 1)
	rec := host.NewRecorder()
	rec.On(strings.Fields("smartctl -j -l selftest /dev/nvme0n1"), host.Reply{Stdout: string(golden.Read(t, "smart/nvme-selftest.json"))})
	rec.On(strings.Fields("smartctl -t short /dev/nvme0n1"), host.Reply{Stdout: "Self-test has begun\n", ExitCode: 4})
	rec.On(strings.Fields("smartctl -X /dev/nvme0n1"), host.Reply{})
	s := newTestService(t, root, rec)
	tests, err := s.SmartSelfTests(t.Context(), "/dev/nvme0n1")
	if err != nil || len(tests) != 1 || tests[0].Type != "Short" || !tests[0].Passed || tests[0].PowerOnHours != 9870 {
		t.Errorf("self-tests %+v %v", tests, err)
	}
	var l disktest.Log
	if err := s.SmartTest(t.Context(), &l, "/dev/nvme0n1", "short"); err != nil {
		t.Errorf("short: %v", err)
	}
	if err := s.SmartTest(t.Context(), &l, "/dev/nvme0n1", "abort"); err != nil {
		t.Errorf("abort: %v", err)
	}
	if err := s.SmartTest(t.Context(), &l, "/dev/nvme0n1", "conveyance; rm -rf /"); err == nil {
		t.Error("unknown test accepted")
	}
	want := "smartctl -j -l selftest /dev/nvme0n1\nsmartctl -t short /dev/nvme0n1\nsmartctl -X /dev/nvme0n1"
	if got := strings.Join(rec.Calls(), "\n"); got != want {
		t.Errorf("calls:\n%s", got)
	}
}
