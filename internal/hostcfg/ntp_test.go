package hostcfg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/chronyconf"
)

// TestSetNTPChronyConf: a chrony.conf that does not include sources.d gets
// its own source lines replaced (every other line kept), after the real
// chronyd accepted the new file.
func TestSetNTPChronyConf(t *testing.T) {
	if _, err := exec.LookPath("chronyd"); err != nil {
		t.Skip("chronyd (Debian package chrony) is missing")
	}
	s, rec, dir := newTestService(t)
	rec.Fallback = host.ExecRunner{}
	conf := "# node\nserver old.example.com iburst\nmakestep 1 3\n"
	p := filepath.Join(dir, ChronyConf)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(conf), 0o640); err != nil {
		t.Fatal(err)
	}
	d, err := s.SetNTP(context.Background(), []chronyconf.Source{{Type: "server", Address: "192.0.2.123"}})
	if err != nil || d != Chrony {
		t.Fatalf("daemon %q, err %v", d, err)
	}
	got, _ := os.ReadFile(p)
	if want := "# node\nserver 192.0.2.123\nmakestep 1 3\n"; string(got) != want {
		t.Errorf("chrony.conf %q, want %q", got, want)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	if calls := rec.Calls(); len(calls) != 1 || !strings.HasPrefix(calls[0], "chronyd -p -f "+dir) {
		t.Errorf("calls %q", calls)
	}
}
