package chronyconf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

var testSources = []Source{
	{Type: "server", Address: "ntp1.example.com", Options: []string{"iburst"}},
	{Type: "server", Address: "192.0.2.123", Options: []string{"iburst", "minpoll", "4"}},
	{Type: "pool", Address: "2.debian.pool.ntp.org", Options: []string{"iburst", "maxsources", "2"}},
}

// TestGolden replaces the sources of each input; all other lines stay.
func TestGolden(t *testing.T) {
	golden.RunEdit(t, Parse, func(f *File) error {
		f.SetSources(testSources)
		return nil
	})
}

// TestChronydParses has the real chronyd parse every golden file.
func TestChronydParses(t *testing.T) {
	if _, err := exec.LookPath("chronyd"); err != nil {
		t.Skip("chronyd (Debian package chrony) is missing")
	}
	files, _ := filepath.Glob("testdata/*.golden")
	for _, file := range files {
		abs, _ := filepath.Abs(file)
		out, err := exec.Command("chronyd", "-p", "-f", abs).CombinedOutput()
		if err != nil {
			t.Errorf("%s: chronyd: %v: %s", file, err, out)
			continue
		}
		for _, s := range testSources {
			if !strings.Contains(string(out), s.Line()) {
				t.Errorf("%s: chronyd did not print %q:\n%s", file, s.Line(), out)
			}
		}
	}
}

func TestReadAndIncludes(t *testing.T) {
	in, _ := os.ReadFile("testdata/debian12.in")
	f, _ := Parse(bytes.NewReader(in))
	if !f.Includes("/etc/chrony/sources.d") || f.Includes("/etc/chrony/conf.d") {
		t.Error("sourcedir detection")
	}
	src := f.Sources()
	if len(src) != 1 || src[0].Line() != "pool 2.debian.pool.ntp.org iburst" {
		t.Errorf("sources %v", src)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		s  Source
		ok bool
	}{
		{Source{"server", "ntp.example.com", []string{"iburst"}}, true},
		{Source{"pool", "2001:db8::1", nil}, true},
		{Source{"server", "ntp.example.com\nallow all", nil}, false},
		{Source{"server", "ntp.example.com", []string{"iburst\nallow"}}, false},
		{Source{"server", "-f", nil}, false},
		{Source{"refclock", "PHC", nil}, false},
		{Source{"server", "a.example", []string{"minpoll"}}, false},
		{Source{"server", "a.example", []string{"minpoll", "x"}}, false},
	} {
		if err := tc.s.Check(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.s, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) { golden.FuzzRoundTrip(f, Parse, "pool a iburst\n# c\n") }
