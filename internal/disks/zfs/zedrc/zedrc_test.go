package zedrc

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden: an untouched file round-trips byte for byte; each edit is
// compared with its golden file, which must itself round-trip.
func TestGolden(t *testing.T) {
	cases := map[string]func(f *File) error{
		"mail": func(f *File) error {
			for k, v := range map[string]string{"ZED_EMAIL_ADDR": "admin@example.com ops@example.com",
				"ZED_NOTIFY_INTERVAL_SECS": "600", "ZED_NOTIFY_VERBOSE": "1", "ZED_EMAIL_OPTS": "-s '@SUBJECT@' @ADDRESS@"} {
				if err := f.Set(k, v); err != nil {
					return err
				}
			}
			return nil
		},
		"mail-off": func(f *File) error { return f.Unset("ZED_EMAIL_ADDR") },
		"new-key":  func(f *File) error { return f.Set("ZED_NTFY_TOPIC", "zfs-alerts") },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) { golden.Edit(t, Parse, "openzfs.in", name, edit) })
	}
}

func TestValues(t *testing.T) {
	f, _ := golden.Load(t, Parse, "openzfs.in")
	v := f.Values()
	if v["ZED_EMAIL_ADDR"] != "root" || v["ZED_USE_ENCLOSURE_LEDS"] != "1" || len(v) != 3 {
		t.Errorf("values %v", v)
	}
	f.Set("ZED_NOTIFY_VERBOSE", "1")
	if got, ok := f.Get("ZED_NOTIFY_VERBOSE"); !ok || got != "1" {
		t.Errorf("get %q %v", got, ok)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range [][2]string{
		{"ZED_EMAIL_ADDR", `root"; rm -rf /; "`},
		{"ZED_EMAIL_ADDR", "$(reboot)"},
		{"ZED_EMAIL_ADDR", "a\nZED_X=1"},
		{"PATH", "/tmp"},
		{"ZED_email", "x"},
	} {
		f, in := golden.Load(t, Parse, "openzfs.in")
		if err := f.Set(c[0], c[1]); err == nil {
			t.Errorf("%q=%q accepted", c[0], c[1])
		}
		if !bytes.Equal(golden.Written(t, f), in) {
			t.Errorf("%q: refused edit changed the file", c[0])
		}
	}
}

func FuzzZedRC(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "openzfs.in"))
	f.Add(string(b), "x@example.com")
	f.Add("ZED_EMAIL_ADDR=root\nZED_EMAIL_ADDR=\"a\"\n#ZED_EMAIL_ADDR=x", "b")
	f.Fuzz(func(t *testing.T, s, addr string) {
		file, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		var w bytes.Buffer
		if file.Write(&w) == nil && w.String() != s {
			t.Fatalf("round trip changed %q", s)
		}
		if file.Set("ZED_EMAIL_ADDR", addr) != nil {
			return
		}
		w.Reset()
		if file.Write(&w) != nil {
			return
		}
		again, _ := Parse(&w)
		if got, ok := again.Get("ZED_EMAIL_ADDR"); !ok || got != addr {
			t.Fatalf("set %q, read back %q in %q", addr, got, w.String())
		}
	})
}
