package sysctlconf

import (
	"bytes"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden sets swappiness, disables IPv6 and deletes one key.
func TestGolden(t *testing.T) {
	golden.Run(t, func(in []byte) ([]byte, error) {
		f, err := Parse(bytes.NewReader(in))
		if err != nil {
			return nil, err
		}
		for _, kv := range [][2]string{{"vm.swappiness", "10"}, {"net/ipv6/conf/all/disable_ipv6", "1"},
			{"net.ipv6.conf.default.disable_ipv6", "1"}} {
			if err := f.Set(kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
		f.Delete("kernel.panic")
		var out bytes.Buffer
		err = f.Write(&out)
		return out.Bytes(), err
	})
}

func TestGetAndCheck(t *testing.T) {
	f, _ := Parse(strings.NewReader("vm.swappiness=60\n; c\n-vm/swappiness = 5\n"))
	if v, ok := f.Get("vm.swappiness"); !ok || v != "5" {
		t.Errorf("get %q %v", v, ok)
	}
	for _, kv := range [][2]string{{"vm.swappiness\nkernel.x", "1"}, {"vm.swappiness", "1\nkernel.panic = 1"},
		{"vm.swappiness", ""}, {"../etc", "1"}, {"vm.swappiness", " 1"}} {
		if err := f.Set(kv[0], kv[1]); err == nil {
			t.Errorf("%q accepted", kv)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("vm.swappiness = 10\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, _ := Parse(bytes.NewReader(in))
		var out bytes.Buffer
		if p.Write(&out) == nil && !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("%q -> %q", in, out.Bytes())
		}
	})
}
