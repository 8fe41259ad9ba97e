package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLockFileSafety replays hole 6: a symlink at a lock path made root
// create the file it pointed to, and lock files were 0644. Now a planted
// symlink or a file others may open is replaced, lock files are 0600 and
// hostadm's own locks live in a 0700 directory.
func TestLockFileSafety(t *testing.T) {
	dir := t.TempDir()
	root, _ := NewRoot(dir)
	ctx := context.Background()
	os.MkdirAll(filepath.Join(dir, "run/lock"), 0o1777)
	victim := filepath.Join(dir, "victim")
	os.Symlink(victim, filepath.Join(dir, "run/lock/shared.lck"))
	unlock, err := root.Lock(ctx, "/run/lock/shared.lck", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if _, err := os.Lstat(victim); err == nil {
		t.Error("the lock followed a planted symlink and created its target")
	}
	fi, err := os.Lstat(filepath.Join(dir, "run/lock/shared.lck"))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("shared lock file: %v, %v; want a regular 0600 file", fi.Mode(), err)
	}
	open := filepath.Join(dir, "run/lock/open.lck")
	os.WriteFile(open, nil, 0o644)
	unlock, err = root.Lock(ctx, "/run/lock/open.lck", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o600 {
		t.Errorf("a 0644 lock file stayed %v", fi.Mode().Perm())
	}
	unlock, err = root.Lock(ctx, PrivateLock("sysctl"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if fi, _ := os.Stat(root.Path(PrivateLockDir)); fi.Mode().Perm() != 0o700 {
		t.Errorf("%s is %v, want 0700", PrivateLockDir, fi.Mode().Perm())
	}
}

// TestLocalUserCannotHoldLocks: an unprivileged user (nobody, through
// setpriv) tries to take each kind of lock with flock(1) while it is
// free: it must not be able to open the files at all.
func TestLocalUserCannotHoldLocks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run flock as another user")
	}
	for _, tool := range []string{"setpriv", "flock"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (Debian package util-linux) is missing", tool)
		}
	}
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // let nobody reach the lock directories
	}
	root, _ := NewRoot(dir)
	os.MkdirAll(root.Path("/var/lock"), 0o1777)
	for _, p := range []string{"/var/lock/pve-etchosts.lck", PrivateLock("timezone")} {
		unlock, err := root.Lock(context.Background(), p, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		unlock()
		cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "flock", "-n", root.Path(p), "true")
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("user nobody took the lock %s (%s)", p, out)
		}
	}
}
