package pmxcfs

import (
	"database/sql"
	"fmt"
	"os"
	"path"
	"sort"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, as the store uses
)

// The tree table as pmxcfs creates it (src/pmxcfs/database.c).
const schemaSQL = `CREATE TABLE IF NOT EXISTS tree (` +
	`  inode INTEGER PRIMARY KEY NOT NULL,` +
	`  parent INTEGER NOT NULL CHECK(typeof(parent)=='integer'),` +
	`  version INTEGER NOT NULL CHECK(typeof(version)=='integer'),` +
	`  writer INTEGER NOT NULL CHECK(typeof(writer)=='integer'),` +
	`  mtime INTEGER NOT NULL CHECK(typeof(mtime)=='integer'),` +
	`  type INTEGER NOT NULL CHECK(typeof(type)=='integer'),` +
	`  name TEXT NOT NULL,` +
	`  data BLOB);`

// Entry types of the tree table: dirent.h's DT_DIR and DT_REG.
const (
	typeDir = 4
	typeReg = 8
)

// versionName is the name of inode 0, which carries the tree's version.
const versionName = "__version__"

// Row is one row of the tree table.
type Row struct {
	Inode, Parent, Version, Writer, MTime int64
	Type                                  int
	Name                                  string
	Data                                  []byte
}

// ReadDB loads a pmxcfs config.db into a Tree.
func ReadDB(file string) (*Tree, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := ReadRows(db)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return treeFromRows(rows)
}

// ReadRows returns every row of the tree table, by inode.
func ReadRows(db *sql.DB) ([]Row, error) {
	q, err := db.Query(`SELECT inode, parent, version, writer, mtime, type, name, data FROM tree ORDER BY inode`)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	defer q.Close()
	var out []Row
	for q.Next() {
		var r Row
		if err := q.Scan(&r.Inode, &r.Parent, &r.Version, &r.Writer, &r.MTime, &r.Type, &r.Name, &r.Data); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		out = append(out, r)
	}
	return out, q.Err()
}

// treeFromRows rebuilds paths from inode/parent links, with the checks
// pmxcfs makes when it loads the database.
func treeFromRows(rows []Row) (*Tree, error) {
	byInode := map[int64]Row{}
	for _, r := range rows {
		if r.Inode == 0 {
			if r.Name != versionName {
				return nil, fmt.Errorf("%w: root inode has unexpected name %q", ErrInvalid, r.Name)
			}
			continue
		}
		if r.Name == "" {
			return nil, fmt.Errorf("%w: inode %d has no name", ErrInvalid, r.Inode)
		}
		if r.Type != typeDir && r.Type != typeReg {
			return nil, fmt.Errorf("%w: inode %d has unknown type %d", ErrInvalid, r.Inode, r.Type)
		}
		if r.Type == typeDir && len(r.Data) > 0 {
			return nil, fmt.Errorf("%w: directory inode %d contains data", ErrInvalid, r.Inode)
		}
		byInode[r.Inode] = r
	}
	paths := map[int64]string{}
	var resolve func(inode int64, depth int) (string, error)
	resolve = func(inode int64, depth int) (string, error) {
		if p, ok := paths[inode]; ok {
			return p, nil
		}
		r := byInode[inode]
		if depth > 64 {
			return "", fmt.Errorf("%w: inode %d: parent loop", ErrInvalid, inode)
		}
		p := r.Name
		if r.Parent != 0 {
			parent, ok := byInode[r.Parent]
			if !ok || parent.Type != typeDir {
				return "", fmt.Errorf("%w: inode %d (%s): missing directory inode %d", ErrInvalid, inode, r.Name, r.Parent)
			}
			pp, err := resolve(r.Parent, depth+1)
			if err != nil {
				return "", err
			}
			p = pp + "/" + r.Name
		}
		paths[inode] = p
		return p, nil
	}
	t := &Tree{}
	seen := map[string]bool{}
	for inode, r := range byInode {
		p, err := resolve(inode, 0)
		if err != nil {
			return nil, err
		}
		if seen[p] {
			return nil, fmt.Errorf("%w: duplicate name %s", ErrInvalid, p)
		}
		seen[p] = true
		if r.Type == typeDir {
			t.Dirs = append(t.Dirs, p)
			continue
		}
		data := r.Data
		if data == nil {
			data = []byte{}
		}
		t.Files = append(t.Files, File{Path: p, Data: data, ModTime: time.Unix(r.MTime, 0)})
	}
	t.normalise()
	return t, t.Validate()
}

// Rows lays the tree out as pmxcfs would after creating it entry by entry:
// each directory before its contents, inodes and versions counting up from
// 1, inode 0 holding the tree's version. writer is the node id written as
// the writer of every entry.
func (t *Tree) Rows(writer int64) []Row {
	t.normalise()
	type item struct {
		path string
		dir  bool
		file File
	}
	var items []item
	for _, d := range t.Dirs {
		items = append(items, item{path: d, dir: true})
	}
	for _, f := range t.Files {
		items = append(items, item{path: f.Path, file: f})
	}
	// Parents sort before their contents: compare component by component.
	sort.Slice(items, func(i, j int) bool { return lessPath(items[i].path, items[j].path) })
	inodes := map[string]int64{}
	var rows []Row
	var latest int64
	for i, it := range items {
		inode := int64(i + 1)
		inodes[it.path] = inode
		r := Row{Inode: inode, Parent: inodes[path.Dir(it.path)], Version: inode, Writer: writer, Name: path.Base(it.path)}
		if it.dir {
			r.Type = typeDir
			r.MTime = dirTime(t, it.path)
		} else {
			r.Type = typeReg
			r.MTime = it.file.ModTime.Unix()
			r.Data = it.file.Data
		}
		latest = max(latest, r.MTime)
		rows = append(rows, r)
	}
	version := int64(len(items))
	return append([]Row{{Inode: 0, Parent: 0, Version: version, Writer: writer, MTime: latest, Type: typeReg, Name: versionName}}, rows...)
}

// dirTime is the newest modification time of the files in dir.
func dirTime(t *Tree, dir string) int64 {
	var m int64
	for _, f := range t.Files {
		if len(f.Path) > len(dir) && f.Path[:len(dir)+1] == dir+"/" {
			m = max(m, f.ModTime.Unix())
		}
	}
	return m
}

func lessPath(a, b string) bool {
	for a != "" && b != "" {
		ha, ra, _ := cut(a)
		hb, rb, _ := cut(b)
		if ha != hb {
			return ha < hb
		}
		a, b = ra, rb
	}
	return a == "" && b != ""
}

func cut(p string) (head, rest string, ok bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}

// WriteDB writes the tree as a new pmxcfs config.db at file (which must not
// exist), with pmxcfs's schema and pragmas.
func (t *Tree) WriteDB(file string, writer int64) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s exists already", file)
	}
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, stmt := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", schemaSQL} {
		if _, err := db.Exec(stmt); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.Prepare(`INSERT INTO tree (inode, parent, version, writer, mtime, type, name, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`)
	if err != nil {
		return err
	}
	for _, r := range t.Rows(writer) {
		// pmxcfs binds a NULL blob for directories, inode 0 and empty files.
		var data any
		if len(r.Data) > 0 {
			data = r.Data
		}
		if _, err := ins.Exec(r.Inode, r.Parent, r.Version, r.Writer, r.MTime, r.Type, r.Name, data); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Leave one self-contained file, as pmxcfs's backups are.
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
