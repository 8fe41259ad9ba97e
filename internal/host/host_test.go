package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRootPath(t *testing.T) {
	r, err := NewRoot("/tmp/x")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"/etc/hosts":           "/tmp/x/etc/hosts",
		"etc/hosts":            "/tmp/x/etc/hosts",
		"/../../etc/passwd":    "/tmp/x/etc/passwd",
		"/etc/../../../shadow": "/tmp/x/shadow",
	} {
		if got := r.Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
	slash, _ := NewRoot("/")
	if got := slash.Path("/etc/hosts"); got != "/etc/hosts" {
		t.Errorf("root / maps to %q", got)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	r, _ := NewRoot(dir)
	if err := r.WriteFile("/etc/network/interfaces", []byte("auto lo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := r.ReadFile("/etc/network/interfaces")
	if err != nil || string(b) != "auto lo\n" {
		t.Fatalf("read back %q %v", b, err)
	}
	fi, _ := os.Stat(r.Path("/etc/network/interfaces"))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	if err := r.WriteFile("/etc/network/interfaces", []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(r.Path("/etc/network"))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "file-as-dir/x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "file-as-dir/x/y"), nil, 0o644); err == nil {
		t.Error("writing below a file succeeded")
	}
}

func TestLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "a.lock")
	unlock, err := LockFile(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = LockFile(context.Background(), path, 100*time.Millisecond)
	if !errors.Is(err, ErrLockTimeout) || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("second lock: %v after %v", err, time.Since(start))
	}
	unlock()
	unlock2, err := LockFile(context.Background(), path, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
}

func TestCheckDigest(t *testing.T) {
	d := Digest([]byte("x"))
	if CheckDigest(d, "") != nil || CheckDigest(d, strings.ToUpper(d)) != nil {
		t.Error("empty or same digest refused")
	}
	if !errors.Is(CheckDigest(d, Digest([]byte("y"))), ErrDigestMismatch) {
		t.Error("different digest accepted")
	}
}

func TestExecRunner(t *testing.T) {
	ctx := context.Background()
	res, err := ExecRunner{}.Run(ctx, Cmd{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.ExitCode != 3 || ee.Stderr != "err" || string(res.Stdout) != "out\n" {
		t.Fatalf("exit 3: %v %+v", err, res)
	}
	if _, err := (ExecRunner{}).Run(ctx, Cmd{Argv: []string{"sh", "-c", "exit 4"}, OKCodes: []int{4}}); err != nil {
		t.Errorf("OK code refused: %v", err)
	}
	if _, err := (ExecRunner{}).Run(ctx, Cmd{Argv: []string{"sleep", "5"}, Timeout: 50 * time.Millisecond}); err == nil {
		t.Error("timeout not enforced")
	}
	if _, err := (ExecRunner{}).Run(ctx, Cmd{Argv: []string{"cat"}, Stdin: []byte("in")}); err != nil {
		t.Error(err)
	}
	var sb strings.Builder
	if _, err := (ExecRunner{}).Run(ctx, Cmd{Argv: []string{"echo", "streamed"}, Output: &sb}); err != nil || sb.String() != "streamed\n" {
		t.Errorf("output %q %v", sb.String(), err)
	}
}

func TestRecorder(t *testing.T) {
	rec := NewRecorder()
	rec.On([]string{"zpool", "list"}, Reply{Stdout: "first"})
	rec.On([]string{"zpool", "list"}, Reply{Stdout: "second"})
	rec.On([]string{"smartctl", "-j", "/dev/sda"}, Reply{Stdout: "{}", ExitCode: 4})
	ctx := context.Background()
	for _, want := range []string{"first", "second", "second"} {
		res, err := rec.Run(ctx, Cmd{Argv: []string{"zpool", "list"}})
		if err != nil || string(res.Stdout) != want {
			t.Errorf("got %q %v, want %q", res.Stdout, err, want)
		}
	}
	if _, err := rec.Run(ctx, Cmd{Argv: []string{"smartctl", "-j", "/dev/sda"}, OKCodes: []int{4}}); err != nil {
		t.Errorf("bit-mask exit: %v", err)
	}
	if _, err := rec.Run(ctx, Cmd{Argv: []string{"rm", "-rf", "/"}}); err == nil {
		t.Error("unrecorded command ran")
	}
	want := "zpool list|zpool list|zpool list|smartctl -j /dev/sda|rm -rf /"
	if got := strings.Join(rec.Calls(), "|"); got != want {
		t.Errorf("transcript %q", got)
	}
}
