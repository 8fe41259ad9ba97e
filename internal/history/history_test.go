package history

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

type fixture struct {
	h     *History
	root  host.Root // records
	raw   host.Root
	store cfs.Store // records
	rawSt cfs.Store
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	h, err := Open(Config{File: filepath.Join(dir, "history.db"), Node: "n1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	st, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := host.NewRoot(filepath.Join(dir, "root"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{h: h, root: raw.WithJournal(h.HostJournal()), raw: raw, store: h.Store(st), rawSt: st, dir: dir}
}

func alice(ctx context.Context) context.Context {
	return host.WithActor(ctx, host.Actor{User: "alice@pve", Endpoint: "PUT /nodes/n1/hosts", UPID: "UPID:n1:1:2:3:x::alice@pve:"})
}

func TestHostChangesAndRevert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v1 := []byte("127.0.0.1 localhost\n")
	v2 := []byte("127.0.0.1 localhost\n192.0.2.1 pve1.example.com pve1\n")
	if err := f.root.WriteFileContext(alice(ctx), "/etc/hosts", v1, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.root.WriteFileContext(alice(ctx), "/etc/hosts", v2, 0o644); err != nil {
		t.Fatal(err)
	}
	f.root.WriteFile("/var/lib/hostadm/stamp", []byte("x"), 0o644) // state, not configuration
	list, total, err := f.h.List(ctx, Filter{})
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("list: %d %v %v", total, list, err)
	}
	c, err := f.h.Get(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "alice@pve" || c.Endpoint != "PUT /nodes/n1/hosts" || !strings.HasPrefix(c.UPID, "UPID:") || c.Path != "/etc/hosts" || c.Kind != KindHost {
		t.Errorf("change %+v", c)
	}
	if !strings.Contains(c.Diff, "+192.0.2.1 pve1.example.com pve1") || !strings.Contains(c.Diff, "--- a/etc/hosts") {
		t.Errorf("diff:\n%s", c.Diff)
	}
	// Revert the second change: the file is v1 again, byte for byte.
	id, err := f.h.Revert(ctx, c.ID, false, Files{Root: f.raw, Store: f.rawSt})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f.raw.Path("/etc/hosts")); !bytes.Equal(b, v1) {
		t.Errorf("after the revert /etc/hosts is %q", b)
	}
	rc, _ := f.h.Get(ctx, id)
	if rc.Action != ActionRevert || rc.Reverts != c.ID {
		t.Errorf("revert recorded as %+v", rc)
	}
	// Reverting the first change now: the file is as it left it (v1)...
	// but reverting change 2 again is refused: the file changed since.
	if _, err := f.h.Revert(ctx, c.ID, false, Files{Root: f.raw, Store: f.rawSt}); !errors.Is(err, ErrChangedSince) {
		t.Errorf("second revert of the same change: %v", err)
	}
	if _, err := f.h.Revert(ctx, list[1].ID, false, Files{Root: f.raw, Store: f.rawSt}); err != nil {
		t.Errorf("reverting the creation: %v", err)
	}
	if _, err := os.Stat(f.raw.Path("/etc/hosts")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reverting the creation left the file: %v", err)
	}
}

func TestOutsideChangeNoticed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.root.WriteFileContext(alice(ctx), "/etc/resolv.conf", []byte("nameserver 192.0.2.53\n"), 0o644)
	os.WriteFile(f.raw.Path("/etc/resolv.conf"), []byte("nameserver 198.51.100.1\n"), 0o644) // by hand
	if _, err := f.root.ReadFile("/etc/resolv.conf"); err != nil {
		t.Fatal(err)
	}
	f.root.ReadFile("/etc/resolv.conf") // a second read records nothing new
	list, _, _ := f.h.List(ctx, Filter{Path: "/etc/resolv.conf"})
	if len(list) != 2 || list[0].Action != ActionOutside {
		t.Fatalf("changes %+v", list)
	}
	c, _ := f.h.Get(ctx, list[0].ID)
	if !strings.Contains(c.Diff, "-nameserver 192.0.2.53") || !strings.Contains(c.Diff, "+nameserver 198.51.100.1") {
		t.Errorf("outside diff:\n%s", c.Diff)
	}
}

func TestStoreChangesAndSecrets(t *testing.T) {
	f := newFixture(t)
	ctx := alice(context.Background())
	secret := "3b2c8f0e-9a1d-4c55-8f3e-5ecre7000000"
	if _, err := f.store.Put(ctx, "storage.cfg", []byte("dir: local\n\tpath /var/lib/vz\n"), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Put(ctx, "priv/token.cfg", []byte("root@pam!ci "+secret+"\n"), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Delete(ctx, "storage.cfg", cfs.AnyVersion); err != nil {
		t.Fatal(err)
	}
	list, total, _ := f.h.List(context.Background(), Filter{User: "alice@pve"})
	if total != 3 {
		t.Fatalf("%d changes: %+v", total, list)
	}
	tok, _ := f.h.Get(context.Background(), list[1].ID)
	if !tok.Secret || tok.Diff != "" || tok.Before != nil || tok.After != nil {
		t.Errorf("secret change %+v", tok)
	}
	if _, err := f.h.Revert(context.Background(), tok.ID, false, Files{Root: f.raw, Store: f.rawSt}); !errors.Is(err, ErrSecret) {
		t.Errorf("reverting a secret change: %v", err)
	}
	// Revert the delete: storage.cfg is back.
	if _, err := f.h.Revert(context.Background(), list[0].ID, false, Files{Root: f.raw, Store: f.rawSt}); err != nil {
		t.Fatal(err)
	}
	if e, err := f.rawSt.Get(context.Background(), "storage.cfg"); err != nil || string(e.Data) != "dir: local\n\tpath /var/lib/vz\n" {
		t.Errorf("storage.cfg after reverting its deletion: %q %v", e.Data, err)
	}
	f.h.Close()
	for _, name := range []string{"history.db", "history.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(f.dir, name))
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the token secret", name)
		}
	}
}

func TestFiltersAndPrune(t *testing.T) {
	f := newFixture(t)
	now := time.Unix(1_800_000_000, 0)
	f.h.cfg.Now = func() time.Time { return now }
	ctx := context.Background()
	for i, p := range []string{"nodes/n1/config", "nodes/n2/config", "storage.cfg"} {
		now = now.Add(time.Hour)
		f.store.Put(alice(ctx), p, []byte{byte('a' + i)}, cfs.AnyVersion)
	}
	if l, n, _ := f.h.List(ctx, Filter{Path: "nodes/"}); n != 2 || len(l) != 2 {
		t.Errorf("path prefix: %d", n)
	}
	if _, n, _ := f.h.List(ctx, Filter{Since: time.Unix(1_800_000_000, 0).Add(90 * time.Minute)}); n != 2 {
		t.Errorf("since: %d", n)
	}
	if l, n, _ := f.h.List(ctx, Filter{Limit: 1, Start: 1}); n != 3 || len(l) != 1 || l[0].Path != "nodes/n2/config" {
		t.Errorf("page: %d %+v", n, l)
	}
	now = now.Add(91 * 24 * time.Hour)
	f.store.Put(alice(ctx), "storage.cfg", []byte("new"), cfs.AnyVersion)
	if n, err := f.h.Prune(ctx); err != nil || n != 3 {
		t.Errorf("pruned %d (%v), want the 3 old changes", n, err)
	}
	f.h.cfg.MaxBytes = 1
	f.store.Put(alice(ctx), "storage.cfg", []byte("newer"), cfs.AnyVersion)
	if n, _ := f.h.Prune(ctx); n != 2 {
		t.Errorf("size prune dropped %d, want 2", n)
	}
}

// TestDiffMadeOnRead checks that a write stores the contents only and Get
// makes the diff from them, while a change recorded with its diff (before
// diffs were made on reading) keeps the stored one.
func TestDiffMadeOnRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, v := range []string{"a\nb\n", "a\nc\n"} {
		if err := f.root.WriteFileContext(alice(ctx), "/etc/hosts", []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list, _, err := f.h.List(ctx, Filter{})
	if err != nil || len(list) != 2 {
		t.Fatal(list, err)
	}
	var stored string
	if err := f.h.db.QueryRow(`SELECT diff FROM changes WHERE id = ?`, list[0].ID).Scan(&stored); err != nil || stored != "" {
		t.Errorf("the write stored a diff %q (%v)", stored, err)
	}
	c, err := f.h.Get(ctx, list[0].ID)
	if err != nil || !strings.Contains(c.Diff, "-b\n+c\n") {
		t.Errorf("diff made on reading: %q %v", c.Diff, err)
	}
	if _, err := f.h.db.Exec(`UPDATE changes SET diff = ? WHERE id = ?`, "recorded diff\n", list[1].ID); err != nil {
		t.Fatal(err)
	}
	if c, err := f.h.Get(ctx, list[1].ID); err != nil || c.Diff != "recorded diff\n" {
		t.Errorf("an older change's stored diff: %q %v", c.Diff, err)
	}
}
