package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

// TestMountedStore writes through the daemon's /etc/pve mount as an admin
// would: a bad storage.cfg is refused with the old file kept, a user added
// to user.cfg is known to the API at once, and a certificate pair copied
// into the node's directory is served without a restart.
func TestMountedStore(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting FUSE needs root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	mnt := filepath.Join(t.TempDir(), "etc-pve")
	env := daemontest.Start(t, daemontest.Options{Tune: func(c *daemon.Config) { c.Mount = mnt }})
	root := env.RootAuth()
	env.MustOK(root, "POST", "/storage", url.Values{"storage": {"first"}, "type": {"dir"}, "path": {"/srv/first"}, "content": {"iso"}})
	before, err := os.ReadFile(filepath.Join(mnt, "storage.cfg"))
	if err != nil || !bytes.Contains(before, []byte("dir: first")) {
		t.Fatalf("storage.cfg through the mount: %q %v", before, err)
	}

	bad := filepath.Join(t.TempDir(), "storage.cfg")
	os.WriteFile(bad, []byte("dir first\n\tpath\n"), 0o644)
	if out, err := exec.Command("cp", bad, filepath.Join(mnt, "storage.cfg")).CombinedOutput(); err == nil {
		t.Errorf("cp of a broken storage.cfg succeeded: %s", out)
	}
	after, _ := os.ReadFile(filepath.Join(mnt, "storage.cfg"))
	if !bytes.Equal(after, before) {
		t.Errorf("a refused write changed storage.cfg:\n%s", after)
	}
	if r := env.MustOK(root, "GET", "/storage/first", nil); r.Data == nil {
		t.Error("the storage is gone after a refused write")
	}

	userCfg := filepath.Join(mnt, "user.cfg")
	b, err := os.ReadFile(userCfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("user:carol@pve:1:0:Carol::carol@example.com:::\n")...)
	if err := os.WriteFile(userCfg, b, 0o640); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol@pve in the API", func() bool { return env.Do(root, "GET", "/access/users/carol@pve", nil).Status == 200 })

	certPEM, keyPEM := selfSigned(t)
	nodeDir := filepath.Join(mnt, "nodes", daemontest.Node)
	if err := os.WriteFile(filepath.Join(nodeDir, "pveproxy-ssl.key"), keyPEM, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nodeDir, "pveproxy-ssl.pem"), certPEM, 0o640); err != nil {
		t.Fatal(err)
	}
	want := pemDER(t, certPEM)
	waitFor(t, "the copied certificate served", func() bool { return bytes.Equal(peerCert(t, env.URL).Raw, want) })

	if target, err := os.Readlink(filepath.Join(mnt, "local")); err != nil || target != "nodes/"+daemontest.Node {
		t.Errorf("local -> %q %v", target, err)
	}
	if err := env.Server.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after stop the mount point answers %v", err)
	}
	if out, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(out), mnt) {
		t.Errorf("%s is still mounted after stop", mnt)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
