package network

import (
	"os"
	"path/filepath"
	"testing"

	"hostadm/internal/host"
)

// TestParseCache checks that parseBoth reuses the last staged parse only
// for the same bytes and kernel facts: the file made live by an apply is
// not parsed again, but a live file changed behind the applier's back, a
// new staged file or another kernel is.
func TestParseCache(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"etc/network", "proc/net"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root, _ := host.NewRoot(dir)
	s := New(Config{Root: root})
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, path), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := "auto vmbr0\niface vmbr0 inet static\n\taddress 10.0.0.1/24\n\tbridge-ports none\n"
	b := "auto vmbr0\niface vmbr0 inet static\n\taddress 10.0.0.2/24\n\tbridge-ports none\n"
	write(LivePath, a)
	write(StagedPath, b)
	old1, next1, staged, err := s.parseBoth()
	if err != nil || !staged {
		t.Fatal(staged, err)
	}
	old2, next2, _, _ := s.parseBoth()
	if next2 != next1 {
		t.Error("the same staged file was parsed again")
	}
	if old2 == old1 {
		t.Error("a live file that was never staged came from the cache")
	}
	if _, err := s.Promote(); err != nil {
		t.Fatal(err)
	}
	old3, _, staged, _ := s.parseBoth()
	if staged || old3 != next1 {
		t.Errorf("the live file the last apply staged was parsed again (staged %v)", staged)
	}
	// an edit behind the applier's back, same length
	write(LivePath, a)
	old4, _, _, _ := s.parseBoth()
	if old4 == next1 || old4.Ifaces["vmbr0"].Address != "10.0.0.1" {
		t.Errorf("a changed live file gave the cached config: %+v", old4.Ifaces["vmbr0"])
	}
	// other kernel facts: a link came up
	write(StagedPath, b)
	_, next5, _, _ := s.parseBoth()
	write("proc/net/dev", "Inter-|   Receive\n face |bytes\n    lo: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n  eno1: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n")
	_, next6, _, _ := s.parseBoth()
	if next6 == next5 {
		t.Error("a staged file parsed under other kernel facts came from the cache")
	}
	if _, ok := next6.Ifaces["eno1"]; !ok {
		t.Errorf("the new NIC is missing from the reparsed config: %v", next6.Names())
	}
}
