package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// indexCache keeps parsed index files between List calls, so a list over
// a large history costs a scan of compact records rather than a parse.
// The index is append-only: a grown file is parsed from where the last
// parse ended; a changed inode, a shrink, or changed bytes at the old end
// force a full parse. Files are keyed by device and inode, so the cache
// follows index when it is rotated to index.1.
type indexCache struct {
	mu    sync.Mutex
	files map[fileKey]*cachedFile
	// saveErr is the last failure to write a cache file, for List to log.
	saveErr error
}

type fileKey struct{ dev, ino uint64 }

// cachedFile is one parsed index file. Records are in file order; those
// from newline-terminated lines are the first nComplete and cover bytes
// [0, complete). An unterminated last line is parsed (Proxmox reads it
// too) and parsed again once it grows.
type cachedFile struct {
	size, complete int64
	mtime          time.Time
	nComplete      int
	chunks         []string // file content, one string per parse
	bases          []int64  // the file offset each chunk starts at
	persisted      int      // records the cache file on disk holds
	parsed         int      // lines parsed into this value (tests read it)
	recs           []record
	check          string // the bytes just before complete, to detect rewrites
	used           bool
	// Type, id and user values are interned: a history holds few distinct
	// ones, and filters then compare small integers.
	strs  []string
	index map[string]uint32
}

// record is an index line reduced to what the filters test, in 32
// pointer-free bytes, so a scan over a hundred thousand of them reads
// little memory and the garbage collector need not look at them. The
// Entry is parsed again from the line when it is needed.
type record struct {
	start         int64
	off, n, chunk uint32 // the line
	typ, id, user uint32 // interned; user is the user part of the auth id
	class         statusClass
}

// load returns the parsed index file at path (nil when it does not
// exist). Callers hold c.mu and must not modify the result.
func (c *indexCache) load(path string) (*cachedFile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open task index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat task index %s: %w", path, err)
	}
	key := keyOf(fi)
	cf := c.files[key]
	switch {
	case cf != nil && cf.size == fi.Size() && cf.mtime.Equal(fi.ModTime()):
	case cf != nil && cf.canExtend(f, fi.Size()):
		err = cf.parseFrom(f, cf.complete, fi)
	default:
		cf = &cachedFile{}
		if !loadSidecar(cf, path, f, key, fi) {
			err = cf.parseFrom(f, 0, fi)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read task index %s: %w", path, err)
	}
	if err := saveSidecar(cf, path, key); err != nil {
		c.saveErr = err
	}
	cf.used = true
	c.files[key] = cf
	return cf, nil
}

// sweep forgets files not loaded since the last sweep.
func (c *indexCache) sweep() {
	for k, cf := range c.files {
		if !cf.used {
			delete(c.files, k)
		}
		cf.used = false
	}
}

func keyOf(fi fs.FileInfo) fileKey {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileKey{dev: uint64(st.Dev), ino: st.Ino}
	}
	return fileKey{}
}

// canExtend reports whether the file still holds what was parsed.
func (cf *cachedFile) canExtend(f *os.File, size int64) bool {
	if size < cf.complete {
		return false
	}
	buf := make([]byte, len(cf.check))
	_, err := f.ReadAt(buf, cf.complete-int64(len(buf)))
	return err == nil && string(buf) == cf.check
}

// parseFrom parses the file from offset from (a line start) to its end.
func (cf *cachedFile) parseFrom(f *os.File, from int64, fi fs.FileInfo) error {
	buf := make([]byte, fi.Size()-from)
	n, err := f.ReadAt(buf, from)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	// buf is never written again, so it can back a string without a copy.
	data := unsafe.String(unsafe.SliceData(buf), n)
	if from == 0 {
		*cf = cachedFile{index: map[string]uint32{}}
	}
	// Drop the records of an unterminated last line; it is parsed again.
	recs := cf.recs[:cf.nComplete:cf.nComplete]
	if len(cf.recs) == cf.nComplete {
		recs = cf.recs // nothing dropped: append in place
	}
	if need := cf.nComplete + bytes.Count(buf[:n], []byte{'\n'}) + 1; cap(recs) < need {
		recs = append(make([]record, 0, need+need/4), recs...)
	}
	chunk := uint32(len(cf.chunks))
	cf.chunks = append(cf.chunks, data)
	cf.bases = append(cf.bases, from)
	for off := 0; off < len(data); {
		end := strings.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data) - off
		}
		cf.parsed++
		if e, ok := parseIndexLine(data[off : off+end]); ok {
			recs = append(recs, record{start: e.StartTime, off: uint32(off), n: uint32(end), chunk: chunk,
				typ: cf.intern(e.Type), id: cf.intern(e.ID), user: cf.intern(e.User), class: classOf(e.Status)})
		}
		off += end + 1
		if off <= len(data) {
			cf.complete, cf.nComplete = from+int64(off), len(recs)
			cf.check = data[max(0, off-64):off]
		}
	}
	cf.recs, cf.size, cf.mtime = recs, from+int64(n), fi.ModTime()
	return nil
}

// intern returns the number of s in cf.strs, adding it when new.
func (cf *cachedFile) intern(s string) uint32 {
	if i, ok := cf.index[s]; ok {
		return i
	}
	i := uint32(len(cf.strs))
	cf.strs = append(cf.strs, s)
	cf.index[s] = i
	return i
}

// lookup returns the number of an interned string.
func (cf *cachedFile) lookup(s string) (uint32, bool) {
	i, ok := cf.index[s]
	return i, ok
}

// entry parses r's line again; the Entry's strings share the chunk.
func (cf *cachedFile) entry(r *record) Entry {
	e, _ := parseIndexLine(cf.chunks[r.chunk][r.off : r.off+r.n])
	return e
}
