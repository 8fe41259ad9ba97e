package metrics

import (
	"testing"

	"hostadm/internal/host"
)

// mustRoot opens a host root.
func mustRoot(t testing.TB, dir string) host.Root {
	t.Helper()
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return root
}
