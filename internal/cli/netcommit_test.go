package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestNetworkCommit(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "etc/network/interfaces")
	os.MkdirAll(filepath.Dir(live), 0o755)
	os.WriteFile(live, []byte("iface enp1s0 inet manual\n"), 0o644)
	os.WriteFile(live+".new", []byte("iface nic0 inet manual\n"), 0o644)
	var out, errb bytes.Buffer
	if code := Main([]string{"hostadm", "network", "commit", "--root", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if b, _ := os.ReadFile(live); string(b) != "iface nic0 inet manual\n" || out.String() != "committed /etc/network/interfaces.new to /etc/network/interfaces\n" {
		t.Errorf("live %q, said %q", b, out.String())
	}
}
