package cfsfs

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"hostadm/internal/cfs"
)

// dirNode is a directory: implied by the files under it, or made with mkdir.
type dirNode struct {
	fs.Inode
	m *mountState
}

var (
	_ fs.NodeLookuper  = (*dirNode)(nil)
	_ fs.NodeReaddirer = (*dirNode)(nil)
	_ fs.NodeGetattrer = (*dirNode)(nil)
	_ fs.NodeCreater   = (*dirNode)(nil)
	_ fs.NodeMkdirer   = (*dirNode)(nil)
	_ fs.NodeUnlinker  = (*dirNode)(nil)
	_ fs.NodeRmdirer   = (*dirNode)(nil)
	_ fs.NodeRenamer   = (*dirNode)(nil)
	_ fs.NodeSetattrer = (*dirNode)(nil)
)

func (d *dirNode) path() string { return d.Path(nil) }

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// kind is what a path is in the store: a file, a directory or nothing.
func (m *mountState) kind(ctx context.Context, p string) (cfs.Entry, bool, bool, error) {
	e, err := m.cfg.Store.Get(ctx, p)
	if err == nil {
		return e, true, false, nil
	}
	if !errors.Is(err, cfs.ErrNotFound) {
		return e, false, false, err
	}
	m.mu.Lock()
	made := m.dirs[p]
	m.mu.Unlock()
	if made {
		return e, false, true, nil
	}
	dirs, err := m.impliedDirs(ctx)
	return e, false, dirs[p], err
}

// impliedDirs is the set of directories the store's files imply, kept
// until the store's revision moves: a path lookup checks every component,
// and listing the store for each would make `ls -lR` quadratic.
func (m *mountState) impliedDirs(ctx context.Context) (map[string]bool, error) {
	rev, err := m.cfg.Store.Revision(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.dirCache != nil && m.dirRev == rev {
		defer m.mu.Unlock()
		return m.dirCache, nil
	}
	m.mu.Unlock()
	list, err := m.cfg.Store.List(ctx, "")
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, e := range list {
		for d := path.Dir(e.Path); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	m.mu.Lock()
	m.dirCache, m.dirRev = dirs, rev
	m.mu.Unlock()
	return dirs, nil
}

func (d *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	dir := d.path()
	if dir == "" {
		if ch := d.virtual(ctx, name, out); ch != nil {
			return ch, 0
		}
	}
	p := join(dir, name)
	e, isFile, isDir, err := d.m.kind(ctx, p)
	if err != nil {
		return nil, errno(err)
	}
	switch {
	case isFile:
		setAttr(&out.Attr, syscall.S_IFREG|fileMode(p), len(e.Data), e.ModTime, d.m.gid)
		return d.child(ctx, name, &fileNode{m: d.m}, syscall.S_IFREG), 0
	case isDir:
		setAttr(&out.Attr, syscall.S_IFDIR|dirMode(p), 0, d.m.start, d.m.gid)
		return d.child(ctx, name, &dirNode{m: d.m}, syscall.S_IFDIR), 0
	}
	d.RmChild(name)
	return nil, syscall.ENOENT
}

// child returns the existing inode for name when it is of the same type,
// else a new one.
func (d *dirNode) child(ctx context.Context, name string, node fs.InodeEmbedder, mode uint32) *fs.Inode {
	if ch := d.GetChild(name); ch != nil && ch.Mode()&syscall.S_IFMT == mode {
		return ch
	}
	return d.NewInode(ctx, node, fs.StableAttr{Mode: mode})
}

func (d *dirNode) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	dir := d.path()
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	list, err := d.m.cfg.Store.List(ctx, prefix)
	if err != nil {
		return nil, errno(err)
	}
	seen := map[string]uint32{}
	for _, e := range list {
		rest := strings.TrimPrefix(e.Path, prefix)
		if name, _, sub := strings.Cut(rest, "/"); sub {
			seen[name] = syscall.S_IFDIR
		} else {
			seen[rest] = syscall.S_IFREG
		}
	}
	d.m.mu.Lock()
	for p := range d.m.dirs {
		if path.Dir(p) == dir || (dir == "" && !strings.Contains(p, "/")) {
			seen[path.Base(p)] = syscall.S_IFDIR
		}
	}
	d.m.mu.Unlock()
	if dir == "" {
		for name, mode := range d.virtualNames() {
			seen[name] = mode
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	entries := make([]fuse.DirEntry, 0, len(names))
	for _, n := range names {
		entries = append(entries, fuse.DirEntry{Name: n, Mode: seen[n]})
	}
	return fs.NewListDirStream(entries), 0
}

func (d *dirNode) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	setAttr(&out.Attr, syscall.S_IFDIR|dirMode(d.path()), 0, d.m.start, d.m.gid)
	return 0
}

// Setattr accepts what pmxcfs accepts: owner root:www-data and its modes.
func (d *dirNode) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := d.m.checkOwnerMode(in, dirMode(d.path())); e != 0 {
		return e
	}
	return d.Getattr(ctx, f, out)
}

func (d *dirNode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if d.path() == "" && d.isVirtual(name) {
		return nil, nil, 0, syscall.EEXIST
	}
	p := join(d.path(), name)
	if _, err := d.m.cfg.Store.Put(ctx, p, []byte{}, cfs.NoVersion); err != nil && !errors.Is(err, cfs.ErrConflict) {
		return nil, nil, 0, errno(err)
	}
	d.m.forgetDir(p)
	ch := d.child(ctx, name, &fileNode{m: d.m}, syscall.S_IFREG)
	fn, _ := ch.Operations().(*fileNode)
	setAttr(&out.Attr, syscall.S_IFREG|fileMode(p), 0, d.m.start, d.m.gid)
	return ch, &handle{node: fn, dirty: true}, fuse.FOPEN_DIRECT_IO, 0
}

func (d *dirNode) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	p := join(d.path(), name)
	if _, isFile, isDir, err := d.m.kind(ctx, p); err != nil {
		return nil, errno(err)
	} else if isFile || isDir || (d.path() == "" && d.isVirtual(name)) {
		return nil, syscall.EEXIST
	}
	d.m.mu.Lock()
	d.m.dirs[p] = true
	d.m.mu.Unlock()
	setAttr(&out.Attr, syscall.S_IFDIR|dirMode(p), 0, d.m.start, d.m.gid)
	return d.child(ctx, name, &dirNode{m: d.m}, syscall.S_IFDIR), 0
}

func (d *dirNode) Unlink(ctx context.Context, name string) syscall.Errno {
	if d.path() == "" && d.isVirtual(name) {
		return syscall.EACCES
	}
	return errno(d.m.cfg.Store.Delete(ctx, join(d.path(), name), cfs.AnyVersion))
}

func (d *dirNode) Rmdir(ctx context.Context, name string) syscall.Errno {
	p := join(d.path(), name)
	list, err := d.m.cfg.Store.List(ctx, p+"/")
	if err != nil {
		return errno(err)
	}
	if len(list) > 0 {
		return syscall.ENOTEMPTY
	}
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	if !d.m.dirs[p] {
		return syscall.ENOENT
	}
	delete(d.m.dirs, p)
	return 0
}

// Rename moves a file: the target gets the source's content in one Put
// (after validation, so an editor's write-temp-then-rename is checked like
// any write), then the source goes. Directories move only while empty.
func (d *dirNode) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if flags != 0 {
		return syscall.EINVAL // RENAME_EXCHANGE and RENAME_NOREPLACE: not offered
	}
	np, ok := newParent.(*dirNode)
	if !ok {
		return syscall.EXDEV
	}
	src, dst := join(d.path(), name), join(np.path(), newName)
	if (d.path() == "" && d.isVirtual(name)) || (np.path() == "" && np.isVirtual(newName)) {
		return syscall.EACCES
	}
	e, isFile, isDir, err := d.m.kind(ctx, src)
	if err != nil {
		return errno(err)
	}
	if isDir {
		return d.m.renameEmptyDir(ctx, src, dst)
	}
	if !isFile {
		return syscall.ENOENT
	}
	if e := d.m.validate(dst, e.Data); e != 0 {
		return e
	}
	if _, err := d.m.cfg.Store.Put(ctx, dst, e.Data, cfs.AnyVersion); err != nil {
		return errno(err)
	}
	d.m.forgetDir(dst)
	return errno(d.m.cfg.Store.Delete(ctx, src, cfs.AnyVersion))
}

func (m *mountState) renameEmptyDir(ctx context.Context, src, dst string) syscall.Errno {
	list, err := m.cfg.Store.List(ctx, src+"/")
	if err != nil {
		return errno(err)
	}
	if len(list) > 0 {
		return syscall.EXDEV // mv falls back to copying file by file
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.dirs, src)
	m.dirs[dst] = true
	return 0
}

// forgetDir drops the mkdir records a file at p makes unnecessary.
func (m *mountState) forgetDir(p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := path.Dir(p); d != "." && d != ""; d = path.Dir(d) {
		delete(m.dirs, d)
	}
}

func (m *mountState) checkOwnerMode(in *fuse.SetAttrIn, mode uint32) syscall.Errno {
	if uid, ok := in.GetUID(); ok && uid != 0 {
		return syscall.EPERM
	}
	if gid, ok := in.GetGID(); ok && int(gid) != m.gid {
		return syscall.EPERM
	}
	if want, ok := in.GetMode(); ok && want&0o7777 != mode {
		return syscall.EPERM
	}
	return 0
}
