package cfsfs

import (
	"context"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"hostadm/internal/cfs"
)

// fileNode is a file of the store.
type fileNode struct {
	fs.Inode
	m *mountState
}

var (
	_ fs.NodeOpener    = (*fileNode)(nil)
	_ fs.NodeGetattrer = (*fileNode)(nil)
	_ fs.NodeSetattrer = (*fileNode)(nil)
)

// Open takes a snapshot of the file: a reader sees one whole version, and a
// writer edits a private copy that reaches the store when it is closed.
func (f *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	h := &handle{node: f}
	if flags&syscall.O_TRUNC != 0 {
		h.dirty = true
	} else {
		e, err := f.m.cfg.Store.Get(ctx, f.Path(nil))
		if err != nil {
			return nil, 0, errno(err)
		}
		h.data = e.Data
	}
	return h, fuse.FOPEN_DIRECT_IO, 0
}

func (f *fileNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	p := f.Path(nil)
	if h, ok := fh.(*handle); ok && h.isDirty() {
		setAttr(&out.Attr, syscall.S_IFREG|fileMode(p), h.size(), time.Now(), f.m.gid)
		return 0
	}
	e, err := f.m.cfg.Store.Get(ctx, p)
	if err != nil {
		return errno(err)
	}
	setAttr(&out.Attr, syscall.S_IFREG|fileMode(p), len(e.Data), e.ModTime, f.m.gid)
	return 0
}

// Setattr truncates (open handle or not) and accepts pmxcfs's owner and
// modes; times are the store's and cannot be set.
func (f *fileNode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	p := f.Path(nil)
	if e := f.m.checkOwnerMode(in, fileMode(p)); e != 0 {
		return e
	}
	if size, ok := in.GetSize(); ok {
		if h, ok := fh.(*handle); ok && h != nil {
			h.truncate(int(size))
		} else if e := f.truncate(ctx, p, int(size)); e != 0 {
			return e
		}
	}
	return f.Getattr(ctx, fh, out)
}

func (f *fileNode) truncate(ctx context.Context, p string, size int) syscall.Errno {
	if size > cfs.MaxFileSize {
		return syscall.EFBIG
	}
	e, err := f.m.cfg.Store.Get(ctx, p)
	if err != nil {
		return errno(err)
	}
	data := resize(e.Data, size)
	if v := f.m.validate(p, data); v != 0 {
		return v
	}
	_, err = f.m.cfg.Store.Put(ctx, p, data, e.Version)
	return errno(err)
}

func resize(data []byte, size int) []byte {
	out := make([]byte, size)
	copy(out, data)
	return out
}

// handle is an open file: a snapshot to read, a private copy to write.
type handle struct {
	node  *fileNode
	mu    sync.Mutex
	data  []byte
	dirty bool
}

var (
	_ fs.FileReader   = (*handle)(nil)
	_ fs.FileWriter   = (*handle)(nil)
	_ fs.FileFlusher  = (*handle)(nil)
	_ fs.FileFsyncer  = (*handle)(nil)
	_ fs.FileReleaser = (*handle)(nil)
)

func (h *handle) isDirty() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dirty
}

func (h *handle) size() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.data)
}

func (h *handle) truncate(size int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.data = resize(h.data, size)
	h.dirty = true
}

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if off >= int64(len(h.data)) {
		return fuse.ReadResultData(nil), 0
	}
	end := min(int(off)+len(dest), len(h.data))
	return fuse.ReadResultData(h.data[off:end]), 0
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	end := int(off) + len(data)
	if end > cfs.MaxFileSize {
		return 0, syscall.EFBIG
	}
	if end > len(h.data) {
		h.data = resize(h.data, end)
	} else if !h.dirty {
		h.data = append([]byte(nil), h.data...) // the snapshot is shared with the store's answer
	}
	copy(h.data[off:], data)
	h.dirty = true
	return uint32(len(data)), 0
}

// Flush writes a changed copy to the store; close(2) reports its errors.
func (h *handle) Flush(ctx context.Context) syscall.Errno { return h.commit(ctx) }

func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno { return h.commit(ctx) }

func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.commit(ctx) // nothing left to write after a Flush; errors went there
	return 0
}

func (h *handle) commit(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.dirty || h.node == nil {
		return 0
	}
	m, p := h.node.m, h.node.Path(nil)
	if e := m.validate(p, h.data); e != 0 {
		h.dirty = false // refused once; the old file stays
		return e
	}
	if _, err := m.cfg.Store.Put(ctx, p, h.data, cfs.AnyVersion); err != nil {
		return errno(err)
	}
	h.dirty = false
	return 0
}
