package sysctlconf

import (
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden sets swappiness, disables IPv6 and deletes one key.
func TestGolden(t *testing.T) {
	golden.RunEdit(t, Parse, func(f *File) error {
		for _, kv := range [][2]string{{"vm.swappiness", "10"}, {"net/ipv6/conf/all/disable_ipv6", "1"},
			{"net.ipv6.conf.default.disable_ipv6", "1"}} {
			if err := f.Set(kv[0], kv[1]); err != nil {
				return err
			}
		}
		f.Delete("kernel.panic")
		return nil
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

func FuzzRoundTrip(f *testing.F) { golden.FuzzRoundTrip(f, Parse, "vm.swappiness = 10\n") }
