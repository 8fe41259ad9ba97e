package network

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
)

func TestCommitStaged(t *testing.T) {
	dir := t.TempDir()
	root, _ := host.NewRoot(dir)
	s := New(Config{Root: root})
	live := filepath.Join(dir, "etc/network/interfaces")
	os.MkdirAll(filepath.Dir(live), 0o755)
	os.WriteFile(live, []byte("auto lo\niface lo inet loopback\n\niface enp1s0 inet manual\n"), 0o644)
	if done, err := s.CommitStaged(context.Background()); done || err != nil {
		t.Fatalf("nothing staged: %v %v", done, err)
	}
	staged := "auto lo\niface lo inet loopback\n\niface nic0 inet manual\n"
	os.WriteFile(live+".new", []byte(staged), 0o644)
	if done, err := s.CommitStaged(context.Background()); !done || err != nil {
		t.Fatalf("commit: %v %v", done, err)
	}
	if b, _ := os.ReadFile(live); string(b) != staged {
		t.Errorf("live file %q", b)
	}
	if _, err := os.Stat(live + ".new"); !os.IsNotExist(err) {
		t.Errorf("staged file still there: %v", err)
	}
	os.WriteFile(live+".new", nil, 0o644)
	if done, _ := s.CommitStaged(context.Background()); done {
		t.Error("an empty staged file was committed")
	}
}

// TestPinThenCommitAtBoot: the names pinning stages become the live file
// when the boot-time commit runs, before networking reads it.
func TestPinThenCommitAtBoot(t *testing.T) {
	svc, root := pinRoot(t)
	if _, err := svc.Pin(context.Background(), PinOptions{}); err != nil {
		t.Fatal(err)
	}
	staged, _ := os.ReadFile(filepath.Join(root, StagedPath))
	if done, err := svc.CommitStaged(context.Background()); !done || err != nil {
		t.Fatalf("commit: %v %v", done, err)
	}
	live, _ := os.ReadFile(filepath.Join(root, LivePath))
	if string(live) != string(staged) || !strings.Contains(string(live), "bond-slaves nic1 nic2") {
		t.Errorf("live file after the boot-time commit:\n%s", live)
	}
}
