package cfsfs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/cfs/pmxcfs"
)

// mounted starts a store with a small tree and mounts it in a temp dir.
func mounted(t *testing.T, validate func(string, []byte) error) (cfs.Store, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting FUSE needs root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	store, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	for p, data := range map[string]string{
		"storage.cfg":                   "dir: local\n\tpath /var/lib/vz\n\tcontent iso\n",
		"user.cfg":                      "user:root@pam:1:0::::::\n",
		"nodes/n1/config":               "description: first\n",
		"nodes/n1/qemu-server/100.conf": "memory: 512\n",
		"nodes/n2/qemu-server/200.conf": "memory: 256\n",
		"priv/authkey.key":              "secret\n",
	} {
		if _, err := store.Put(ctx, p, []byte(data), cfs.NoVersion); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "pve")
	srv, err := Mount(ctx, Config{Store: store, Dir: dir, Node: "n1", Validate: validate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return store, dir
}

func storeData(t *testing.T, s cfs.Store, p string) string {
	t.Helper()
	e, err := s.Get(context.Background(), p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(e.Data)
}

// refuseBadStorage stands in for the daemon's check of storage.cfg: a
// section header must name a type.
func refuseBadStorage(p string, data []byte) error {
	if p == "storage.cfg" && bytes.Contains(data, []byte("garbage")) {
		return errors.New("storage.cfg: line 1: no section type")
	}
	return nil
}

func TestReadTree(t *testing.T) {
	store, dir := mounted(t, nil)
	b, err := os.ReadFile(filepath.Join(dir, "nodes/n1/config"))
	if err != nil || string(b) != "description: first\n" {
		t.Fatalf("cat nodes/n1/config: %q %v", b, err)
	}
	for p, mode := range map[string]os.FileMode{
		"storage.cfg": 0o640, "priv/authkey.key": 0o600, "priv": os.ModeDir | 0o700, "nodes": os.ModeDir | 0o755,
	} {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != mode || st.Uid != 0 || int(st.Gid) != wwwDataGID() {
			t.Errorf("%s: %v uid %d gid %d, want %v root:www-data", p, fi.Mode(), st.Uid, st.Gid, mode)
		}
	}
	if target, err := os.Readlink(filepath.Join(dir, "local")); err != nil || target != "nodes/n1" {
		t.Errorf("local -> %q %v", target, err)
	}
	names, err := os.ReadDir(filepath.Join(dir, "qemu-server"))
	if err != nil || len(names) != 1 || names[0].Name() != "100.conf" {
		t.Errorf("ls qemu-server: %v %v", names, err)
	}
	var vmlist struct {
		IDs map[string]struct{ Node, Type string }
	}
	b, err = os.ReadFile(filepath.Join(dir, ".vmlist"))
	if err == nil {
		err = json.Unmarshal(b, &vmlist)
	}
	if err != nil || vmlist.IDs["200"].Node != "n2" || vmlist.IDs["100"].Type != "qemu" {
		t.Errorf(".vmlist %s: %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".vmlist"), []byte("x"), 0o640); err == nil {
		t.Error("wrote a status file")
	}
	// A write through the store reads at once through the mount.
	if _, err := store.Put(context.Background(), "nodes/n1/config", []byte("description: changed\n"), cfs.AnyVersion); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "nodes/n1/config")); string(b) != "description: changed\n" {
		t.Errorf("after a store write the mount reads %q", b)
	}
	out, err := exec.Command("ls", "-lR", dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "100.conf") || !strings.Contains(string(out), "www-data") {
		t.Errorf("ls -lR: %v\n%s", err, out)
	}
}

// TestEditorWrites: cp, a shell redirect, and vi's write-temp-then-rename
// all reach the store whole; a refused write leaves the old file.
func TestEditorWrites(t *testing.T) {
	store, dir := mounted(t, refuseBadStorage)
	good := "dir: local\n\tpath /var/lib/vz\n\tcontent iso,backup\n"
	src := filepath.Join(t.TempDir(), "storage.cfg")
	os.WriteFile(src, []byte(good), 0o644)
	if out, err := exec.Command("cp", src, filepath.Join(dir, "storage.cfg")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if got := storeData(t, store, "storage.cfg"); got != good {
		t.Fatalf("after cp the store has %q", got)
	}
	os.WriteFile(src, []byte("garbage\n"), 0o644)
	out, err := exec.Command("cp", src, filepath.Join(dir, "storage.cfg")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Invalid argument") {
		t.Errorf("cp of a bad storage.cfg: %v %s", err, out)
	}
	if got := storeData(t, store, "storage.cfg"); got != good {
		t.Errorf("a refused write changed storage.cfg to %q", got)
	}
	// vi: write a temporary file beside it, rename it over the original.
	tmp := filepath.Join(dir, ".storage.cfg.tmp")
	edited := good + "\ndir: backup\n\tpath /srv/backup\n\tcontent backup\n"
	if err := os.WriteFile(tmp, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "storage.cfg")); err != nil {
		t.Fatal(err)
	}
	if got := storeData(t, store, "storage.cfg"); got != edited {
		t.Errorf("after the rename the store has %q", got)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is still there: %v", err)
	}
	os.WriteFile(tmp, []byte("garbage"), 0o640)
	if err := os.Rename(tmp, filepath.Join(dir, "storage.cfg")); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("renaming a bad file over storage.cfg: %v", err)
	}
	if got := storeData(t, store, "storage.cfg"); got != edited {
		t.Errorf("a refused rename changed storage.cfg to %q", got)
	}
	// mkdir, a new file in it, rmdir refused while it holds the file.
	if err := os.MkdirAll(filepath.Join(dir, "nodes/n3/qemu-server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nodes/n3/qemu-server/300.conf"), []byte("memory: 64\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got := storeData(t, store, "nodes/n3/qemu-server/300.conf"); got != "memory: 64\n" {
		t.Errorf("new file: %q", got)
	}
	if err := os.Remove(filepath.Join(dir, "nodes/n3/qemu-server")); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Errorf("rmdir of a directory with a file: %v", err)
	}
	big := bytes.Repeat([]byte("x"), cfs.MaxFileSize+1)
	if err := os.WriteFile(filepath.Join(dir, "big"), big, 0o640); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("writing %d bytes: %v", len(big), err)
	}
	if err := os.Chmod(filepath.Join(dir, "user.cfg"), 0o666); !errors.Is(err, syscall.EPERM) {
		t.Errorf("chmod 0666: %v", err)
	}
}

// TestReadersNeverSeeTornFiles reads a file over and over while a writer
// replaces it with one of two whole versions.
func TestReadersNeverSeeTornFiles(t *testing.T) {
	_, dir := mounted(t, nil)
	file := filepath.Join(dir, "nodes/n1/config")
	a := bytes.Repeat([]byte("a"), 300*1024)
	b := bytes.Repeat([]byte("b"), 200*1024)
	if err := os.WriteFile(file, a, 0o640); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var torn atomic.Int64
	var reads atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				got, err := os.ReadFile(file)
				if err != nil || !(bytes.Equal(got, a) || bytes.Equal(got, b)) {
					torn.Add(1)
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 40 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := os.WriteFile(file, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if torn.Load() > 0 || reads.Load() == 0 {
		t.Errorf("%d of %d reads saw a torn or failed file", torn.Load(), reads.Load())
	}
}

// TestTarOfTree archives the mount with tar and reads the archive back.
func TestTarOfTree(t *testing.T) {
	store, dir := mounted(t, nil)
	out, err := exec.Command("tar", "-C", dir, "-cf", "-", ".").Output()
	if err != nil {
		t.Fatalf("tar: %v", err)
	}
	tree, err := pmxcfs.ReadTar(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := store.List(context.Background(), "")
	if len(tree.Files) != len(list) {
		t.Fatalf("the archive has %d files, the store %d", len(tree.Files), len(list))
	}
	for _, f := range tree.Files {
		if got := storeData(t, store, f.Path); got != string(f.Data) {
			t.Errorf("%s: archive %q, store %q", f.Path, f.Data, got)
		}
	}
}

// TestStaleMountCleanedUp kills a process that holds a mount and mounts
// again at the same place.
func TestStaleMountCleanedUp(t *testing.T) {
	if os.Getenv("CFSFS_HOLD_MOUNT") != "" {
		holdMount(os.Getenv("CFSFS_HOLD_MOUNT"))
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting FUSE needs root")
	}
	dir := filepath.Join(t.TempDir(), "pve")
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestStaleMountCleanedUp$")
	cmd.Env = append(os.Environ(), "CFSFS_HOLD_MOUNT="+dir+"|"+ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL); syscall.Unmount(dir, syscall.MNT_DETACH) })
	for i := 0; ; i++ {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("the helper did not mount")
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(dir); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("after the kill the mount point answers %v, want ENOTCONN", err)
	}
	store, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	store.Put(context.Background(), "user.cfg", []byte("x\n"), cfs.NoVersion)
	srv, err := Mount(context.Background(), Config{Store: store, Dir: dir, Node: "n1"})
	if err != nil {
		t.Fatalf("mounting over a stale mount: %v", err)
	}
	defer srv.Unmount()
	if b, err := os.ReadFile(filepath.Join(dir, "user.cfg")); err != nil || string(b) != "x\n" {
		t.Errorf("after the new mount: %q %v", b, err)
	}
}

func holdMount(arg string) {
	dir, ready, _ := strings.Cut(arg, "|")
	store, err := cfs.OpenSQLite(filepath.Join(filepath.Dir(ready), "held.db"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if _, err := Mount(context.Background(), Config{Store: store, Dir: dir, Node: "n1"}); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.WriteFile(ready, nil, 0o600)
	select {}
}
