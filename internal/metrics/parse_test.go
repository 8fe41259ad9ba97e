package metrics

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/hostcfg/golden"
)

func TestParseLoadavg(t *testing.T) {
	got, err := ParseLoadavg(golden.Read(t, "loadavg.vm-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	want := Loadavg{Text: [3]string{"0.46", "0.22", "0.09"}, Values: [3]float64{0.46, 0.22, 0.09}, Running: 1, Total: 88}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseLoadavg (-want +got):\n%s", diff)
	}
}

func TestParseUptime(t *testing.T) {
	got, err := ParseUptime(golden.Read(t, "uptime.vm-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Uptime{Seconds: 315.55, Idle: 543.92}); got != want {
		t.Errorf("ParseUptime = %+v, want %+v", got, want)
	}
}

func TestParsePressure(t *testing.T) {
	got, err := ParsePressure(golden.Read(t, "pressure-io.vm-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	want := Pressure{
		Some: PressureLine{Avg10: 0.16, Avg60: 0.18, Avg300: 0.17, Total: 1552758},
		Full: PressureLine{Avg10: 0.15, Avg60: 0.15, Avg300: 0.14, Total: 1258258},
	}
	if got != want {
		t.Errorf("ParsePressure = %+v, want %+v", got, want)
	}
}

func TestParseNetDev(t *testing.T) {
	got, err := ParseNetDev(golden.Read(t, "netdev.vm-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	want := []NetDev{
		{Name: "lo", RxBytes: 3193, RxPackets: 29, TxBytes: 3193, TxPackets: 29},
		{Name: "ifb0"},
		{Name: "ifb1"},
		{Name: "eth0", RxBytes: 100845059, RxPackets: 6086, TxBytes: 489787, TxPackets: 4609},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseNetDev (-want +got):\n%s", diff)
	}
}

func TestParseARCStats(t *testing.T) {
	got, err := ParseARCStats(golden.Read(t, "arcstats.zfs"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (ARCStats{Size: 3871251320, Min: 1054745472, Max: 16876527616}); got != want {
		t.Errorf("ParseARCStats = %+v, want %+v", got, want)
	}
}

func TestParseKSM(t *testing.T) {
	got, err := ParseKSMPagesSharing([]byte("12\n"))
	if err != nil || got != 12*4096 {
		t.Errorf("ParseKSMPagesSharing = %d, %v; want %d", got, err, 12*4096)
	}
}

func TestParseSecureBoot(t *testing.T) {
	for in, want := range map[string]bool{
		"\x06\x00\x00\x00\x01": true,
		"\x06\x00\x00\x00\x00": false,
		"\x06\x00\x00":         false,
		"":                     false,
	} {
		if got := ParseSecureBoot([]byte(in)); got != want {
			t.Errorf("ParseSecureBoot(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestSmallParserErrors feeds malformed text to every small parser.
func TestSmallParserErrors(t *testing.T) {
	parsers := map[string]func([]byte) error{
		"loadavg":  func(b []byte) error { _, err := ParseLoadavg(b); return err },
		"uptime":   func(b []byte) error { _, err := ParseUptime(b); return err },
		"pressure": func(b []byte) error { _, err := ParsePressure(b); return err },
		"netdev":   func(b []byte) error { _, err := ParseNetDev(b); return err },
		"arcstats": func(b []byte) error { _, err := ParseARCStats(b); return err },
		"ksm":      func(b []byte) error { _, err := ParseKSMPagesSharing(b); return err },
	}
	cases := []struct{ parser, in string }{
		{"loadavg", ""},
		{"loadavg", "0.1 0.2\n"},
		{"loadavg", "0.1 0.2 0.3 12 5\n"},
		{"loadavg", "0.1 x 0.3 1/2 5\n"},
		{"uptime", ""},
		{"uptime", "12.5\n"},
		{"uptime", "-1 2\n"},
		{"pressure", "some avg10=x avg60=0 avg300=0 total=0\n"},
		{"pressure", "most avg10=0\n"},
		{"pressure", "some avg10\n"},
		{"netdev", "h\nh\n  eth0 1 2 3\n"},
		{"netdev", "h\nh\n  eth0: 1 2 3\n"},
		{"arcstats", "13 1 0x01\nname type data\nhits 4 1\n"},
		{"arcstats", "size 4 big\n"},
		{"ksm", ""},
		{"ksm", "-3\n"},
	}
	for _, c := range cases {
		if err := parsers[c.parser]([]byte(c.in)); err == nil {
			t.Errorf("%s(%q): no error", c.parser, c.in)
		}
	}
}
