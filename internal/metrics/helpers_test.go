package metrics

import (
	"os"
	"path/filepath"
	"testing"

	"hostadm/internal/host"
)

// fixture reads a file from testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustRoot opens a host root.
func mustRoot(t testing.TB, dir string) host.Root {
	t.Helper()
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return root
}
