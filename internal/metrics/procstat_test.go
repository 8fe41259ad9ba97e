package metrics

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/hostcfg/golden"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want CPUStat
	}{
		{"vm-amd64", golden.Read(t, "stat.vm-amd64"), CPUStat{
			User: 5735, System: 2434, Idle: 54392, IOWait: 200, SoftIRQ: 37, Steal: 21,
			CPUs: 2, BootTime: 1795715235,
		}},
		{"guest counters", []byte("cpu  10 2 3 40 5 6 7 8 4 1\ncpu0 10 2 3 40 5 6 7 8 4 1\n"), CPUStat{
			User: 10, Nice: 2, System: 3, Idle: 40, IOWait: 5, IRQ: 6, SoftIRQ: 7, Steal: 8,
			Guest: 4, GuestNice: 1, CPUs: 1,
		}},
		{"old kernel, four counters", []byte("cpu 1 2 3 4\n"), CPUStat{User: 1, Nice: 2, System: 3, Idle: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStat (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStatErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"no cpu line":    "cpu0 1 2 3 4\nbtime 5\n",
		"short cpu line": "cpu 1 2 3\n",
		"negative":       "cpu -1 2 3 4\n",
		"overflow":       "cpu 99999999999999999999999 2 3 4\n",
		"bad btime":      "cpu 1 2 3 4\nbtime x\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseStat([]byte(in)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestCPUUsage(t *testing.T) {
	boot := CPUStat{User: 60, System: 20, Idle: 100, IOWait: 20} // total 200
	later := boot
	later.User += 50
	later.Idle += 40
	later.IOWait += 10 // +100 ticks
	u := cpuUsage{minTicks: 100}
	if cpu, wait := u.update(boot); cpu != 0.4 || wait != 0.1 {
		t.Errorf("since boot: cpu %v wait %v, want 0.4 0.1", cpu, wait)
	}
	tiny := boot
	tiny.Idle += 5
	if cpu, _ := u.update(tiny); cpu != 0.4 {
		t.Errorf("short window: cpu %v, want previous 0.4", cpu)
	}
	if cpu, wait := u.update(later); cpu != 0.5 || wait != 0.1 {
		t.Errorf("window: cpu %v wait %v, want 0.5 0.1", cpu, wait)
	}
	if cpu, _ := u.update(boot); cpu != 0.5 {
		t.Errorf("counters backwards: cpu %v, want previous 0.5", cpu)
	}
}
