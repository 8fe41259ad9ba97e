package resolvconf

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden sets search and servers on each input; every other line is kept.
func TestGolden(t *testing.T) {
	golden.RunEdit(t, Parse, func(f *File) error {
		f.Set("example.com", []string{"192.0.2.53", "", "2001:db8::53", "192.0.2.53"})
		return nil
	})
}

func TestUntouchedRoundTrip(t *testing.T) {
	for _, in := range []string{"", "nameserver 1.1.1.1", "# c\n\nsearch a b\noptions rotate\n"} {
		f, _ := Parse(strings.NewReader(in))
		var out bytes.Buffer
		f.Write(&out)
		if out.String() != in {
			t.Errorf("%q -> %q", in, out.String())
		}
	}
}

func TestRead(t *testing.T) {
	f, _ := Parse(strings.NewReader("domain first.example\nsearch a.example b.example\n nameserver 192.0.2.1\n" +
		"nameserver fe80::1%eth0\nnameserver bogus\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n"))
	if f.Search() != "a.example" {
		t.Errorf("search %q", f.Search())
	}
	if ns := f.Nameservers(); !slices.Equal(ns, []string{"192.0.2.1", "fe80::1", "192.0.2.3"}) {
		t.Errorf("servers %v", ns)
	}
}

func FuzzRoundTrip(f *testing.F) { golden.FuzzRoundTrip(f, Parse, "search a\nnameserver 1.2.3.4\n") }
