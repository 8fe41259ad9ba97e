package hostsfile

import (
	"bytes"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden checks that valid files validate and round-trip byte for byte.
func TestGolden(t *testing.T) { golden.RunEdit(t, Parse, (*File).Validate) }

func TestValidate(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n", ""},
		{"  # indented comment\n\n\t\n192.0.2.1\tpve1.example.com pve1   \n", ""},
		{"192.0.2.300 pve1\n", "Invalid IP '192.0.2.300'"},
		{"pve1 192.0.2.1\n", "Invalid IP 'pve1'"},
		{" 192.0.2.1 pve1\n", "Invalid IP ''"},
		{"192.0.2.1 pve1 # the node\n", "Invalid Hostname '#'"},
		{"192.0.2.1 pve_1\n", "Invalid Hostname 'pve_1'"},
		{"192.0.2.1 pve1;reboot\n", "Invalid Hostname 'pve1;reboot'"},
		{"fe80::1%eth0 pve1\n", "Invalid IP 'fe80::1%eth0'"},
		{"192.0.2.1 pve1\r\n", ""}, // \s includes CR, as in Perl
		{"192.0.2.1 a\x00b\n", "Invalid NUL byte"},
	} {
		f, _ := Parse(bytes.NewReader([]byte(tc.in)))
		err := f.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.err)
		}
	}
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, _ := Parse(bytes.NewReader(in))
		p.Validate()
		var out bytes.Buffer
		p.Write(&out)
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatal("not byte for byte")
		}
	})
}
