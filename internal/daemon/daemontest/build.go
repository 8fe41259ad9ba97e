package daemontest

import (
	"os"
	"os/exec"
	"testing"
)

// BuildHostadm builds the real hostadm binary into path, for tests that
// need the CLI or the daemon as a process of its own. It uses the go
// command on PATH, which `go test` puts the running toolchain's first on.
func BuildHostadm(t testing.TB, path string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", path, "hostadm/cmd/hostadm")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}
