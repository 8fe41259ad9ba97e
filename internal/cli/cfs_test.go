package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/cfs/pmxcfs"
	"hostadm/internal/daemon/daemontest"
)

// TestCfsImportExport moves a node's /etc/pve out of the store and back in
// as Proxmox VE's files, with the daemon running: the imported user.cfg is
// live in the API, a non-empty store is refused without --force, and a
// pmxcfs database exported afterwards holds every byte of the import.
func TestCfsImportExport(t *testing.T) {
	env := daemontest.Start(t)
	dir := t.TempDir()
	exported := filepath.Join(dir, "etc-pve.tar")
	out := mustRun(t, "hostadm", "cfs", "export", "--format", "tar", exported, "--root", env.Root)
	if !strings.Contains(out, "exported") {
		t.Fatalf("export said %q", out)
	}
	f, err := os.Open(exported)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := pmxcfs.ReadTar(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	storageCfg := "dir: imported\n\tpath /srv/imported\n\tcontent iso,backup\n"
	found := false
	for i := range tree.Files {
		if tree.Files[i].Path == "user.cfg" {
			tree.Files[i].Data = append(tree.Files[i].Data, []byte("user:alice@pve:1:0:Alice::alice@example.com:::\n")...)
			found = true
		}
	}
	if !found {
		t.Fatal("the export has no user.cfg")
	}
	tree.Files = append(tree.Files, pmxcfs.File{Path: "storage.cfg", Data: []byte(storageCfg), ModTime: time.Unix(1700000000, 0)})
	var buf bytes.Buffer
	if err := tree.WriteTar(&buf); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "edited.tar")
	if err := os.WriteFile(edited, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	code, _, errOut := run(t, "", "hostadm", "cfs", "import", edited, "--root", env.Root)
	if code == 0 || !strings.Contains(errOut, "the store is not empty") || !strings.Contains(errOut, "--force") {
		t.Fatalf("import over a non-empty store: exit %d, %q", code, errOut)
	}
	if r := env.Do(env.RootAuth(), "GET", "/access/users/alice@pve", nil); r.Status == 200 {
		t.Fatal("a refused import created alice@pve")
	}
	out = mustRun(t, "hostadm", "cfs", "import", edited, "--force", "--root", env.Root)
	if !strings.Contains(out, "replacing the store's content") || !strings.Contains(out, "storage.cfg") {
		t.Errorf("import said %q", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for env.Do(env.RootAuth(), "GET", "/access/users/alice@pve", nil).Status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the imported user is not known to the running daemon")
		}
		time.Sleep(50 * time.Millisecond)
	}

	db := filepath.Join(dir, "config.db")
	mustRun(t, "hostadm", "cfs", "export", "--format", "pmxcfs", db, "--root", env.Root)
	back, err := pmxcfs.ReadDB(db)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range back.Files {
		got[f.Path] = string(f.Data)
	}
	for _, f := range tree.Files {
		if got[f.Path] != string(f.Data) {
			t.Errorf("%s after import and export: %q, want %q", f.Path, got[f.Path], f.Data)
		}
	}
	if code, _, _ := run(t, "", "hostadm", "cfs", "export", "--format", "pmxcfs", db, "--root", env.Root); code == 0 {
		t.Error("export overwrote an existing file")
	}
}
