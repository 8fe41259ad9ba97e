// Package pmxcfs reads and writes Proxmox VE's own copies of /etc/pve: the
// SQLite database pmxcfs keeps in /var/lib/pve-cluster/config.db (one
// `tree` table of inodes) and a tar archive of the mounted tree. A Tree is
// the files of /etc/pve by path, so a node's configuration moves between
// Proxmox VE and hostadm's store without retyping it.
package pmxcfs

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Limits pmxcfs enforces (memdb.h); a tree past them would not load there.
const (
	MaxFileSize = 1024 * 1024       // MEMDB_MAX_FILE_SIZE
	MaxFSSize   = 128 * 1024 * 1024 // MEMDB_MAX_FSSIZE
	MaxInodes   = 256 * 1024        // MEMDB_MAX_INODES
)

// File is one regular file of the tree.
type File struct {
	Path    string // relative, slash-separated: "storage.cfg", "nodes/pve1/config"
	Data    []byte
	ModTime time.Time
}

// Tree is the files of /etc/pve and the directories that exist without
// files (pmxcfs keeps empty directories such as nodes/NAME/lxc).
type Tree struct {
	Files []File
	Dirs  []string // every directory, sorted, including those with files
}

// ErrInvalid marks a database or archive that is not a valid /etc/pve tree.
var ErrInvalid = errors.New("not a valid /etc/pve tree")

// Private reports whether p lies in a private area (priv/ or
// nodes/NAME/priv/): root-only in pmxcfs, mode 0600/0700.
func Private(p string) bool {
	if p == "priv" || strings.HasPrefix(p, "priv/") {
		return true
	}
	rest, ok := strings.CutPrefix(p, "nodes/")
	if !ok {
		return false
	}
	_, sub, ok := strings.Cut(rest, "/")
	return ok && (sub == "priv" || strings.HasPrefix(sub, "priv/"))
}

// Validate checks the tree against pmxcfs's limits and path rules.
func (t *Tree) Validate() error {
	var total int64
	seen := map[string]bool{}
	for _, f := range t.Files {
		if err := checkPath(f.Path); err != nil {
			return err
		}
		if seen[f.Path] {
			return fmt.Errorf("%w: %s appears twice", ErrInvalid, f.Path)
		}
		seen[f.Path] = true
		if len(f.Data) > MaxFileSize {
			return fmt.Errorf("%w: %s is %d bytes, pmxcfs allows %d", ErrInvalid, f.Path, len(f.Data), MaxFileSize)
		}
		total += int64(len(f.Data))
	}
	for _, d := range t.Dirs {
		if err := checkPath(d); err != nil {
			return err
		}
		if seen[d] {
			return fmt.Errorf("%w: %s is both a file and a directory", ErrInvalid, d)
		}
	}
	if total > MaxFSSize {
		return fmt.Errorf("%w: %d bytes in all, pmxcfs allows %d", ErrInvalid, total, MaxFSSize)
	}
	if n := len(t.Files) + len(t.Dirs); n > MaxInodes {
		return fmt.Errorf("%w: %d entries, pmxcfs allows %d", ErrInvalid, n, MaxInodes)
	}
	return nil
}

func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." || strings.ContainsRune(p, 0) {
		return fmt.Errorf("%w: bad path %q", ErrInvalid, p)
	}
	return nil
}

// normalise sorts the files and completes Dirs with every parent directory.
func (t *Tree) normalise() {
	sort.Slice(t.Files, func(i, j int) bool { return t.Files[i].Path < t.Files[j].Path })
	dirs := map[string]bool{}
	for _, d := range t.Dirs {
		addParents(dirs, d+"/x")
	}
	for _, f := range t.Files {
		addParents(dirs, f.Path)
	}
	t.Dirs = t.Dirs[:0]
	for d := range dirs {
		t.Dirs = append(t.Dirs, d)
	}
	sort.Strings(t.Dirs)
}

func addParents(dirs map[string]bool, p string) {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		dirs[d] = true
	}
}
