package metrics

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/hostcfg/golden"
)

func TestParseMeminfo(t *testing.T) {
	const k = 1024
	tests := []struct {
		name string
		in   []byte
		want Meminfo
	}{
		{"vm-amd64", golden.Read(t, "meminfo.vm-amd64"), Meminfo{
			MemTotal: 24684084 * k, MemFree: 24217652 * k, MemAvailable: 24339160 * k,
			Buffers: 13964 * k, Cached: 295252 * k, Shmem: 8872 * k, SReclaimable: 56648 * k,
		}},
		{"no MemAvailable (before 3.14)", []byte("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\nSwapTotal: 8 kB\nSwapFree: 2 kB\n"), Meminfo{
			MemTotal: 100 * k, MemFree: 10 * k, MemAvailable: 35 * k, Buffers: 5 * k, Cached: 20 * k,
			SwapTotal: 8 * k, SwapFree: 2 * k,
		}},
		{"unit-less rows and unknown rows", []byte("MemTotal: 4 kB\nMemAvailable: 1 kB\nHugePages_Total: 0\nWeird(x): 1 kB\n\n"), Meminfo{
			MemTotal: 4 * k, MemAvailable: 1 * k,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMeminfo(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMeminfo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMeminfoDerived(t *testing.T) {
	m := Meminfo{MemTotal: 100, MemAvailable: 30, SwapTotal: 10, SwapFree: 4}
	if m.MemUsed() != 70 || m.SwapUsed() != 6 {
		t.Errorf("used %d swap used %d, want 70 6", m.MemUsed(), m.SwapUsed())
	}
	if (Meminfo{MemTotal: 1, MemAvailable: 2}).MemUsed() != 0 {
		t.Error("used underflows")
	}
}

func TestParseMeminfoErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"no total":     "MemFree: 1 kB\n",
		"no colon":     "MemTotal 1 kB\n",
		"bad number":   "MemTotal: 1x kB\n",
		"bad unit":     "MemTotal: 1 MB\n",
		"overflow kB":  "MemTotal: 18446744073709551615 kB\n",
		"missing data": "MemTotal:\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseMeminfo([]byte(in)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func FuzzParseMeminfo(f *testing.F) {
	f.Add(golden.Read(f, "meminfo.vm-amd64"))
	f.Add([]byte("MemTotal: 100 kB\nMemFree: 10 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMeminfo(b)
		if err != nil {
			return
		}
		if m.MemUsed() > m.MemTotal || m.SwapUsed() > m.SwapTotal {
			t.Errorf("used exceeds total: %+v", m)
		}
	})
}
