package smartdconf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

func str(s string) *string { return &s }

// TestGolden applies one edit per case to a file and compares the result
// with its golden file; the golden file read and written again must not
// change (idempotence), and the untouched input round-trips byte for byte.
func TestGolden(t *testing.T) {
	cases := []struct {
		name, in string
		edit     func(f *File) error
	}{
		{"debian-schedule", "debian-default.in", func(f *File) error {
			return f.Set(DeviceScan, Change{Schedule: str("(S/../.././02|L/../../6/03)"), Mail: str("admin@example.com")})
		}},
		{"debian-disk-override", "debian-default.in", func(f *File) error {
			return f.Set("/dev/disk/by-id/nvme-SAMSUNG_1", Change{Schedule: str("L/../../7/04")})
		}},
		{"overrides-change-boot", "overrides.in", func(f *File) error {
			return f.Set("/dev/disk/by-id/ata-BOOT", Change{Mail: str(""), Schedule: str("S/../.././03")})
		}},
		{"overrides-remove-sdb", "overrides.in", func(f *File) error {
			if !f.Remove("/dev/sdb") {
				t.Error("no /dev/sdb entry")
			}
			return nil
		}},
		{"overrides-new-disk", "overrides.in", func(f *File) error {
			return f.Set("/dev/sdc", Change{Mail: str("ops@example.com,root")})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { golden.Edit(t, Parse, c.in, c.name, c.edit) })
	}
}

func TestEntries(t *testing.T) {
	f, _ := golden.Load(t, Parse, "overrides.in")
	var names []string
	for _, e := range f.Entries() {
		names = append(names, e.Device)
	}
	if strings.Join(names, " ") != "DEFAULT /dev/disk/by-id/ata-BOOT /dev/sdb DEVICESCAN /dev/sdz" {
		t.Fatalf("entries %q", names)
	}
	boot := f.Find("/dev/disk/by-id/ata-BOOT")
	if s, _ := boot.Flag("-s"); s != "(S/../.././02|L/../../6/03)" {
		t.Errorf("schedule %q", s)
	}
	if m, _ := boot.Flag("-m"); m != "admin@example.com" || boot.First != 4 || boot.Last != 6 {
		t.Errorf("boot %+v", boot)
	}
}

// TestBadInput: refused values change nothing.
func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		device string
		change Change
	}{
		{"/dev/sda; rm", Change{}},
		{"/dev/../etc/passwd", Change{}},
		{"sda", Change{}},
		{DeviceScan, Change{Schedule: str("S/../.././02 -M exec /bin/sh")}},
		{DeviceScan, Change{Schedule: str("(S/../.././02")}},
		{DeviceScan, Change{Schedule: str("nothing")}},
		{DeviceScan, Change{Mail: str("root -M exec /tmp/x")}},
		{DeviceScan, Change{Mail: str("a@b,,c")}},
	} {
		f, _ := golden.Load(t, Parse, "overrides.in")
		before := golden.Written(t, f)
		if err := f.Set(c.device, c.change); err == nil {
			t.Errorf("%q %+v accepted", c.device, c.change)
		}
		if !bytes.Equal(golden.Written(t, f), before) {
			t.Errorf("%q: refused edit changed the file", c.device)
		}
	}
}

func FuzzSmartdConf(f *testing.F) {
	for _, n := range []string{"debian-default.in", "overrides.in"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(string(b))
	}
	f.Add("a \\\nb \\")
	f.Fuzz(func(t *testing.T, s string) {
		file, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if file.Write(&b) == nil && b.String() != s {
			t.Fatalf("round trip changed %q to %q", s, b.String())
		}
		if err := file.Set("/dev/sdq", Change{Schedule: str("S/../.././01"), Mail: str("root")}); err != nil {
			t.Fatal(err)
		}
		b.Reset()
		if file.Write(&b) != nil {
			return
		}
		again, _ := Parse(&b)
		e := again.Find("/dev/sdq")
		if e == nil {
			t.Fatalf("new entry lost in %q", b.String())
		}
		if m, _ := e.Flag("-m"); m != "root" {
			t.Fatalf("mail %q in %q", m, b.String())
		}
	})
}
