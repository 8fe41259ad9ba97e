package pmxcfs

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/cfs"
)

// realistic is a Proxmox VE /etc/pve of two nodes: what the files say is
// typical of a small cluster (the key material is short stand-in text).
func realistic() map[string]string {
	return map[string]string{
		"user.cfg":                        "user:root@pam:1:0:::root@example.com:::\nuser:alice@pve:1:0:Alice:Admin:alice@example.com:::\n\ngroup:admins:alice@pve::\n\nacl:1:/:@admins:Administrator:\n",
		"storage.cfg":                     "dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n\nlvmthin: local-lvm\n\tthinpool data\n\tvgname pve\n\tcontent rootdir,images\n",
		"datacenter.cfg":                  "keyboard: en-us\nemail_from: pve@example.com\n",
		"status.cfg":                      "graphite: carbon\n\tserver 192.0.2.10\n\tport 2003\n",
		"authkey.pub":                     "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n",
		"pve-root-ca.pem":                 "-----BEGIN CERTIFICATE-----\nMIIFzzCC\n-----END CERTIFICATE-----\n",
		"priv/authkey.key":                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n",
		"priv/pve-root-ca.key":            "-----BEGIN PRIVATE KEY-----\nMIIJQg\n-----END PRIVATE KEY-----\n",
		"priv/shadow.cfg":                 "alice@pve:$5$salt$hash:\n",
		"priv/token.cfg":                  "root@pam!automation 3b2c8f0e-9a1d-4c55-8f3e-000000000000\n",
		"priv/acme/plugins.cfg":           "dns: cf\n\tapi cf\n\tdata Q0ZfVG9rZW49c2VjcmV0Cg==\n",
		"nodes/pve1/config":               "acme: account=default\nacmedomain0: pve1.example.com,plugin=cf\n",
		"nodes/pve1/pve-ssl.pem":          "-----BEGIN CERTIFICATE-----\nMIIGdzCC\n-----END CERTIFICATE-----\n",
		"nodes/pve1/pve-ssl.key":          "-----BEGIN PRIVATE KEY-----\nMIIEvg\n-----END PRIVATE KEY-----\n",
		"nodes/pve1/qemu-server/100.conf": "boot: order=scsi0\ncores: 2\nmemory: 2048\nname: web\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\nscsi0: local-lvm:vm-100-disk-0,size=32G\n",
		"nodes/pve1/qemu-server/101.conf": "memory: 1024\nname: db\n\n[snap1]\nmemory: 1024\nsnaptime: 1700000000\n",
		"nodes/pve2/config":               "description: second node\n",
		"nodes/pve2/pve-ssl.pem":          "-----BEGIN CERTIFICATE-----\nMIIGeDCC\n-----END CERTIFICATE-----\n",
		"nodes/pve2/pve-ssl.key":          "-----BEGIN PRIVATE KEY-----\nMIIEvw\n-----END PRIVATE KEY-----\n",
		"nodes/pve2/qemu-server/200.conf": "memory: 512\nname: build\n",
		"nodes/pve2/priv/notes":           "",
		"vzdump.cron":                     "",
	}
}

var emptyDirs = []string{"nodes/pve1/lxc", "nodes/pve2/lxc", "nodes/pve1/openvz", "priv/lock", "ha", "sdn"}

// makePmxcfsDB builds a config.db the way pmxcfs fills it, with its table
// definition: inode 0 "__version__" carries the tree's version, every
// entry's inode is the tree version at its creation, parents are created
// before their entries, and later writes raise an entry's version only.
func makePmxcfsDB(t *testing.T, files map[string]string, dirs []string) (string, []Row) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.db")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(schemaSQL); err != nil {
		t.Fatal(err)
	}
	var version int64 = 3 // a tree that has seen a few writes before
	inodes := map[string]int64{"": 0}
	var rows []Row
	var mkdir func(d string)
	mkdir = func(d string) {
		if _, ok := inodes[d]; ok || d == "." {
			return
		}
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		mkdir(parent)
		version++
		inodes[d] = version
		rows = append(rows, Row{Inode: version, Parent: inodes[parent], Version: version, Writer: 1, MTime: 1700000000 + version, Type: typeDir, Name: path.Base(d)})
	}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, d := range dirs {
		mkdir(d)
	}
	for _, p := range names {
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		mkdir(parent)
		version++
		inodes[p] = version
		rows = append(rows, Row{Inode: version, Parent: inodes[parent], Version: version, Writer: 2, MTime: 1700000000 + version, Type: typeReg, Name: path.Base(p), Data: []byte(files[p])})
	}
	// A later edit of user.cfg: same inode, a newer version.
	version++
	for i := range rows {
		if rows[i].Name == "user.cfg" {
			rows[i].Version = version
		}
	}
	rows = append(rows, Row{Inode: 0, Parent: 0, Version: version, Writer: 2, MTime: 1700000000 + version, Type: typeReg, Name: versionName})
	for _, r := range rows {
		var data any
		if len(r.Data) > 0 {
			data = r.Data
		}
		if _, err := db.Exec(`INSERT INTO tree (inode, parent, version, writer, mtime, type, name, data) VALUES (?,?,?,?,?,?,?,?)`,
			r.Inode, r.Parent, r.Version, r.Writer, r.MTime, r.Type, r.Name, data); err != nil {
			t.Fatal(err)
		}
	}
	return file, rows
}

func openStore(t *testing.T) cfs.Store {
	t.Helper()
	s, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestDBRoundTripThroughStore imports a pmxcfs database into the store,
// exports it again and compares the two databases row by row (by path:
// inode numbers are pmxcfs's history, not content).
func TestDBRoundTripThroughStore(t *testing.T) {
	ctx := context.Background()
	files := realistic()
	src, _ := makePmxcfsDB(t, files, emptyDirs)
	tree, err := ReadDB(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Files) != len(files) {
		t.Fatalf("read %d files, want %d", len(tree.Files), len(files))
	}
	for _, d := range emptyDirs {
		if !slices.Contains(tree.Dirs, d) {
			t.Errorf("directory %s lost on reading", d)
		}
	}
	store := openStore(t)
	res, err := tree.ToStore(ctx, store, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != len(files) || res.Replaced {
		t.Errorf("import result %+v", res)
	}
	for p, want := range files {
		e, err := store.Get(ctx, p)
		if err != nil || string(e.Data) != want {
			t.Errorf("store %s = %q, %v; want %q", p, e.Data, err, want)
		}
	}
	back, err := FromStore(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	// The store keeps files only: give the exported tree the empty
	// directories back, as an export from a pmxcfs tree would have them.
	back.Dirs = append(back.Dirs, emptyDirs...)
	for i := range back.Files {
		back.Files[i].ModTime = tree.Files[i].ModTime
	}
	out := filepath.Join(t.TempDir(), "export.db")
	if err := back.WriteDB(out, 2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rowsByPath(t, src), rowsByPath(t, out)); diff != "" {
		t.Errorf("exported database differs (-pmxcfs +export):\n%s", diff)
	}
	again, err := ReadDB(out)
	if err != nil {
		t.Fatalf("our export does not load as pmxcfs loads: %v", err)
	}
	if diff := cmp.Diff(tree, again); diff != "" {
		t.Errorf("tree after the round trip (-before +after):\n%s", diff)
	}
}

type pathRow struct {
	Type  int
	MTime int64
	Data  string
}

// rowsByPath reads a database's rows keyed by full path, checking the
// structural rules on the way: one __version__ row at inode 0 holding the
// highest version, every parent a directory.
func rowsByPath(t *testing.T, file string) map[string]pathRow {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := ReadRows(db)
	if err != nil {
		t.Fatal(err)
	}
	byInode := map[int64]Row{}
	var top, rootVersion int64
	for _, r := range rows {
		byInode[r.Inode] = r
		if r.Inode == 0 {
			rootVersion = r.Version
			if r.Name != versionName || r.Data != nil {
				t.Errorf("%s: inode 0 is %+v", file, r)
			}
			continue
		}
		top = max(top, r.Version)
		if r.Type == typeDir && r.Data != nil {
			t.Errorf("%s: directory %s has data", file, r.Name)
		}
	}
	if rootVersion < top {
		t.Errorf("%s: __version__ %d below an entry's version %d", file, rootVersion, top)
	}
	out := map[string]pathRow{}
	for _, r := range rows {
		if r.Inode == 0 {
			continue
		}
		p := r.Name
		for parent := r.Parent; parent != 0; parent = byInode[parent].Parent {
			pr, ok := byInode[parent]
			if !ok || pr.Type != typeDir {
				t.Fatalf("%s: %s has no directory parent %d", file, r.Name, parent)
			}
			p = pr.Name + "/" + p
		}
		mtime := r.MTime
		if r.Type == typeDir {
			mtime = 0 // pmxcfs sets a directory's mtime when it is made; not content
		}
		out[p] = pathRow{Type: r.Type, MTime: mtime, Data: string(r.Data)}
	}
	return out
}

func TestTarRoundTrip(t *testing.T) {
	files := realistic()
	src, _ := makePmxcfsDB(t, files, emptyDirs)
	tree, err := ReadDB(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tree.WriteTar(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTar(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tree, back, cmp.Comparer(func(a, b time.Time) bool { return a.Unix() == b.Unix() })); diff != "" {
		t.Errorf("tar round trip (-before +after):\n%s", diff)
	}
}

func TestPrivate(t *testing.T) {
	for p, want := range map[string]bool{
		"priv": true, "priv/shadow.cfg": true, "nodes/pve1/priv": true, "nodes/pve1/priv/x": true,
		"private.cfg": false, "nodes/pve1/pve-ssl.key": false, "nodes/priv": false, "nodes/pve1/privx": false,
	} {
		if got := Private(p); got != want {
			t.Errorf("Private(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestBadDatabases are refusals pmxcfs makes when loading, and ours.
func TestBadDatabases(t *testing.T) {
	cases := map[string]struct {
		rows []Row
		want string
	}{
		"orphan":       {[]Row{{Inode: 5, Parent: 4, Version: 5, Type: typeReg, Name: "x"}}, "missing directory inode"},
		"dir data":     {[]Row{{Inode: 5, Version: 5, Type: typeDir, Name: "d", Data: []byte("x")}}, "contains data"},
		"unknown type": {[]Row{{Inode: 5, Version: 5, Type: 10, Name: "x"}}, "unknown type"},
		"duplicate":    {[]Row{{Inode: 5, Version: 5, Type: typeReg, Name: "x"}, {Inode: 6, Version: 6, Type: typeReg, Name: "x"}}, "duplicate"},
		"root name":    {[]Row{{Inode: 0, Type: typeReg, Name: "other"}}, "unexpected name"},
		"too large":    {[]Row{{Inode: 5, Version: 5, Type: typeReg, Name: "x", Data: make([]byte, MaxFileSize+1)}}, "pmxcfs allows"},
		"file parent":  {[]Row{{Inode: 5, Version: 5, Type: typeReg, Name: "f"}, {Inode: 6, Parent: 5, Version: 6, Type: typeReg, Name: "x"}}, "missing directory inode"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := treeFromRows(c.rows)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrInvalid with %q", err, c.want)
			}
		})
	}
}

// TestImportRefusesNonEmptyStore: nothing changes without force; with
// force the store holds exactly the imported tree.
func TestImportRefusesNonEmptyStore(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	if _, err := store.Put(ctx, "user.cfg", []byte("user:bob@pve:1:0::::::\n"), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "local-only.cfg", []byte("x"), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	tree := &Tree{Files: []File{{Path: "user.cfg", Data: []byte("user:root@pam:1:0::::::\n")}}}
	if _, err := tree.ToStore(ctx, store, false); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("import over a non-empty store: %v", err)
	}
	if e, _ := store.Get(ctx, "user.cfg"); string(e.Data) != "user:bob@pve:1:0::::::\n" {
		t.Fatalf("a refused import changed user.cfg to %q", e.Data)
	}
	res, err := tree.ToStore(ctx, store, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || res.Removed != 1 || !res.Replaced {
		t.Errorf("forced import: %+v", res)
	}
	if _, err := store.Get(ctx, "local-only.cfg"); !errors.Is(err, cfs.ErrNotFound) {
		t.Errorf("forced import kept a file the tree lacks: %v", err)
	}
}

func TestWriteDBRefusesExistingFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.db")
	tree := &Tree{Files: []File{{Path: "a", Data: []byte("x")}}}
	if err := tree.WriteDB(file, 1); err != nil {
		t.Fatal(err)
	}
	if err := tree.WriteDB(file, 1); err == nil {
		t.Fatal("WriteDB overwrote an existing database")
	}
}

func FuzzReadTar(f *testing.F) {
	var buf bytes.Buffer
	tree := &Tree{Files: []File{{Path: "nodes/a/config", Data: []byte("x: y\n")}}, Dirs: []string{"priv"}}
	if err := tree.WriteTar(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := ReadTar(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := tree.WriteTar(&out); err != nil {
			t.Fatalf("a tree read from an archive does not write: %v", err)
		}
		again, err := ReadTar(&out)
		if err != nil {
			t.Fatalf("our own archive does not read: %v", err)
		}
		if len(again.Files) != len(tree.Files) {
			t.Fatalf("files %d -> %d", len(tree.Files), len(again.Files))
		}
	})
}
