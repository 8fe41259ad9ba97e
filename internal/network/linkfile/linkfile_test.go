package linkfile

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden parses each testdata/*.in, validates and writes it, compares
// with the .golden file, then checks that the golden file comes back
// unchanged.
func TestGolden(t *testing.T) {
	golden.Run(t, func(src []byte) ([]byte, error) {
		f, err := Parse(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		if err := f.Validate(); err != nil {
			return nil, err
		}
		var b bytes.Buffer
		err = f.Write(&b)
		return b.Bytes(), err
	})
}

// TestPin checks the file Pin builds is Proxmox's template, byte for byte.
func TestPin(t *testing.T) {
	var b bytes.Buffer
	Pin("BC:24:11:AA:BB:01", "nic0").Write(&b)
	want, _ := os.ReadFile("testdata/proxmox.golden")
	if b.String() != string(want) {
		t.Errorf("Pin:\n%s", b.String())
	}
	f, _ := Parse(bytes.NewReader(want))
	if f.MAC() != "bc:24:11:aa:bb:01" || f.Name() != "nic0" || FileName("nic0") != "50-pve-nic0.link" {
		t.Errorf("MAC %q name %q", f.MAC(), f.Name())
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"Name=x\n", "line 1: setting before any section: Name=x"},
		{"[Link]\nName x\n", "line 2: unrecognized line: Name x"},
	} {
		if _, err := Parse(strings.NewReader(c.src)); err == nil || err.Error() != c.want {
			t.Errorf("%q: %v", c.src, err)
		}
	}
	for _, c := range []struct{ src, want string }{
		{"[Link]\nName=nic0\n", "no [Match] MACAddress"},
		{"[Match]\nMACAddress=zz\n[Link]\nName=nic0\n", `[Match] MACAddress "zz" is not a MAC address`},
		{"[Match]\nMACAddress=02:00:00:00:00:01\n[Link]\nName=a;reboot\n", `[Link] Name "a;reboot" is not a valid interface name`},
	} {
		f, err := Parse(strings.NewReader(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%q: %v", c.src, err)
		}
	}
}

// FuzzParse checks that parse(write(parse(x))) is stable.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"[Match]\nMACAddress=02:00:00:00:00:01\n\n[Link]\nName=nic0\n", "# c\n[A]\nB=c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(strings.NewReader(src))
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		p.Write(&a)
		q, err := Parse(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("rewrite does not parse: %v\n%s", err, a.String())
		}
		q.Write(&b)
		if a.String() != b.String() {
			t.Fatalf("not stable:\n%s\n%s", a.String(), b.String())
		}
	})
}
