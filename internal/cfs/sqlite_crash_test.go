package cfs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// crashEnv names the database the crash helper writes to before it kills
// itself.
const crashEnv = "CFS_CRASH_DB"

// TestCrashHelper is not a test of its own: TestCrashSafety runs the test
// binary again with crashEnv set, and this function then writes and dies
// by SIGKILL without closing the store.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	s, err := OpenSQLite(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := range 50 {
		if _, err := s.Put(context.Background(), fmt.Sprintf("f/%02d", i), []byte("data"), NoVersion); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

func TestCrashSafety(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("helper did not die by signal: %v\n%s", err, out)
	}
	ctx := context.Background()
	s := openTest(t, path)
	var ok string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	es, err := s.List(ctx, "f/")
	if err != nil || len(es) != 50 {
		t.Fatalf("after crash List = %d entries, %v; want 50", len(es), err)
	}
	if r, _ := s.Revision(ctx); r != 50 {
		t.Errorf("after crash Revision = %d, want 50", r)
	}
	if _, err := s.Put(ctx, "f/50", nil, NoVersion); err != nil {
		t.Errorf("Put after crash: %v", err)
	}
}
