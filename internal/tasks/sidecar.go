package tasks

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
	"unsafe"
)

// The parsed index is kept on disk too, beside Proxmox's files: a file
// NAME.hostadm-cache holds the records of index file NAME, so the first
// list after a start reads compact records instead of parsing every line.
// It describes its index file by device, inode and the bytes just before
// the end of what it covers; when they no longer match (the index was
// rewritten, or rotated and replaced) it is stale and rebuilt from the
// index. Lines appended after it was written are parsed as usual; it is
// rewritten when that tail has grown large. Only this process's own cache
// reads it: Proxmox's tools ignore it, and deleting it costs one parse.

const (
	sidecarSuffix = ".hostadm-cache"
	sidecarMagic  = "HATASKS1"
	// sidecarRecord is the size of one record on disk.
	sidecarRecord = 8 + 8 + 4*4 + 1
)

// sidecarPaths are the cache files the index file at path may be described
// by: its own, and its sibling's (index is renamed to index.1 on rotation,
// so the cache written for index then describes index.1).
func sidecarPaths(path string) []string {
	dir, name := filepath.Split(path)
	other := "index.1"
	if name == "index.1" {
		other = "index"
	}
	return []string{path + sidecarSuffix, filepath.Join(dir, other) + sidecarSuffix}
}

// encodeSidecar serialises cf, which describes the file with key k.
func encodeSidecar(cf *cachedFile, k fileKey) []byte {
	recs := cf.recs[:cf.nComplete]
	n := 64 + len(cf.check) + 4*len(cf.strs) + len(recs)*sidecarRecord
	for _, s := range cf.strs {
		n += len(s)
	}
	b := make([]byte, 0, n)
	le := binary.LittleEndian
	b = append(b, sidecarMagic...)
	b = le.AppendUint64(b, k.dev)
	b = le.AppendUint64(b, k.ino)
	b = le.AppendUint64(b, uint64(cf.complete))
	b = le.AppendUint64(b, uint64(len(recs)))
	b = le.AppendUint32(b, uint32(len(cf.check)))
	b = append(b, cf.check...)
	b = le.AppendUint32(b, uint32(len(cf.strs)))
	for _, s := range cf.strs {
		b = le.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for i := range recs {
		r := &recs[i]
		b = le.AppendUint64(b, uint64(r.start))
		b = le.AppendUint64(b, uint64(cf.bases[r.chunk]+int64(r.off)))
		b = le.AppendUint32(b, r.n)
		b = le.AppendUint32(b, r.typ)
		b = le.AppendUint32(b, r.id)
		b = le.AppendUint32(b, r.user)
		b = append(b, byte(r.class))
	}
	return b
}

// sidecarReader decodes what encodeSidecar wrote; the first error sticks.
type sidecarReader struct {
	b   []byte
	err error
}

func (r *sidecarReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errors.New("truncated task index cache")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *sidecarReader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (r *sidecarReader) u64() uint64 {
	if p := r.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// sidecarHead is what a cache file says about the index it describes.
type sidecarHead struct {
	key      fileKey
	complete int64
	nrecs    int
	check    string
}

func decodeHead(r *sidecarReader) sidecarHead {
	if string(r.take(len(sidecarMagic))) != sidecarMagic && r.err == nil {
		r.err = errors.New("not a task index cache")
	}
	var h sidecarHead
	h.key = fileKey{dev: r.u64(), ino: r.u64()}
	h.complete = int64(r.u64())
	h.nrecs = int(r.u64())
	h.check = string(r.take(int(r.u32())))
	return h
}

// loadSidecar fills cf from a cache file describing f (whose key is k and
// info fi): the covered part of f is read in one piece and the records
// come from the cache; what f holds beyond is parsed. It reports false
// when no cache file matches.
func loadSidecar(cf *cachedFile, path string, f *os.File, k fileKey, fi fs.FileInfo) bool {
	for _, sp := range sidecarPaths(path) {
		data, err := os.ReadFile(sp)
		if err != nil {
			continue
		}
		r := &sidecarReader{b: data}
		h := decodeHead(r)
		if r.err != nil || h.key != k || h.complete > fi.Size() || h.complete < int64(len(h.check)) {
			continue
		}
		if err := cf.fromSidecar(r, h, f, fi); err == nil {
			return true
		}
	}
	return false
}

// fromSidecar reads the records and f's covered bytes; it fails when the
// bytes before the covered end are not those the cache saw.
func (cf *cachedFile) fromSidecar(r *sidecarReader, h sidecarHead, f *os.File, fi fs.FileInfo) error {
	buf := make([]byte, h.complete)
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if !bytes.HasSuffix(buf, []byte(h.check)) {
		return errors.New("task index changed under its cache")
	}
	*cf = cachedFile{index: map[string]uint32{}}
	nstrs := int(r.u32())
	for range nstrs {
		cf.intern(string(r.take(int(r.u32()))))
	}
	raw := r.take(h.nrecs * sidecarRecord)
	if r.err != nil {
		return r.err
	}
	le := binary.LittleEndian
	recs := make([]record, h.nrecs, h.nrecs+h.nrecs/8+16)
	for i := range recs {
		p := raw[i*sidecarRecord:]
		off, n := le.Uint64(p[8:]), le.Uint32(p[16:])
		typ, id, user, class := le.Uint32(p[20:]), le.Uint32(p[24:]), le.Uint32(p[28:]), statusClass(p[32])
		if off+uint64(n) > uint64(h.complete) || typ >= uint32(nstrs) || id >= uint32(nstrs) ||
			user >= uint32(nstrs) || class >= numClasses {
			return errors.New("bad record in task index cache")
		}
		recs[i] = record{start: int64(le.Uint64(p)), off: uint32(off), n: n, typ: typ, id: id, user: user, class: class}
	}
	// buf is never written again, so it can back a string without a copy.
	cf.chunks = []string{unsafe.String(unsafe.SliceData(buf), len(buf))}
	cf.bases = []int64{0}
	cf.recs, cf.nComplete, cf.complete, cf.check = recs, len(recs), h.complete, h.check
	cf.size, cf.mtime, cf.persisted = h.complete, time.Time{}, len(recs)
	if fi.Size() > h.complete {
		return cf.parseFrom(f, h.complete, fi)
	}
	cf.size, cf.mtime = fi.Size(), fi.ModTime()
	return nil
}

// saveSidecar writes cf's cache file when cf holds many records the cache
// file lacks (after a full parse, or when the parsed tail has grown to an
// eighth of the records). Errors are returned for the caller to log: the
// cache is an optimisation, the index stays the truth.
func saveSidecar(cf *cachedFile, path string, k fileKey) error {
	if cf.nComplete-cf.persisted < max(1024, cf.persisted/8) || cf.complete > 1<<32-1 {
		return nil
	}
	sp := path + sidecarSuffix
	tmp := fmt.Sprintf("%s.%d.tmp", sp, os.Getpid())
	if err := os.WriteFile(tmp, encodeSidecar(cf, k), 0o644); err != nil {
		return fmt.Errorf("write task index cache: %w", err)
	}
	if err := os.Rename(tmp, sp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write task index cache: %w", err)
	}
	cf.persisted = cf.nComplete
	return nil
}
