package apt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
)

func TestMicrocodeEarlyHint(t *testing.T) {
	dir := t.TempDir()
	root, _ := host.NewRoot(dir)
	s := New(Config{Root: root})
	os.MkdirAll(filepath.Join(dir, "proc"), 0o755)
	os.WriteFile(filepath.Join(dir, "proc/cmdline"), []byte("BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n"), 0o644)
	out := &CPUSecurity{UpdatedEarly: 1}
	s.microcodeBoot(out)
	if out.EarlyLoadingDisabled != 0 || !strings.Contains(out.EarlyLoadingHint, "add 'dis_ucode_ldr'") ||
		!strings.Contains(out.EarlyLoadingHint, "PUT /nodes/{node}/boot/cmdline") {
		t.Errorf("after an early update: %+v", out)
	}
	os.WriteFile(filepath.Join(dir, "proc/cmdline"), []byte("root=/dev/sda1 dis_ucode_ldr quiet\n"), 0o644)
	out = &CPUSecurity{UpdatedEarly: 0}
	s.microcodeBoot(out)
	if out.EarlyLoadingDisabled != 1 || out.EarlyLoadingHint != "" {
		t.Errorf("booted with dis_ucode_ldr: %+v", out)
	}
}
