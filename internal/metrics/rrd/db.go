package rrd

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"sync"
	"syscall"

	"hostadm/internal/host"
)

// DB is an open store. Its whole content is kept in memory (about 2 MB
// for Proxmox's node layout) so queries never touch the disk; updates
// write the changed rows through to the file.
type DB struct {
	mu      sync.RWMutex
	l       Layout
	path    string
	f       *os.File // nil for memory and read-only DBs
	buf     []byte   // the file's content
	offs    []int    // ring offsets in buf
	rowLen  int
	st      state
	scratch []float64
	maxRes  int64
	// readOnly is set for snapshots (ReadFile, Decode) and closed DBs.
	readOnly bool
}

// NewMemory returns a DB of layout l that lives in memory only (tests,
// benchmarks).
func NewMemory(l Layout) (*DB, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	buf := make([]byte, l.fileSize())
	copy(buf, encodeHeader(l))
	return newDB(l, "", nil, buf), nil
}

// Open opens the file at path, creating it (atomically, in full) when it
// does not exist, and locks it against other writers. A file of another
// layout is refused with ErrLayout; the caller decides what to do with it.
func Open(path string, l Layout) (*DB, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		img := make([]byte, l.fileSize())
		copy(img, encodeHeader(l))
		if err := host.WriteFileAtomic(path, img, 0o600); err != nil {
			return nil, fmt.Errorf("rrd create: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("rrd open: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	buf, err := readAll(f, l.fileSize())
	if err == nil {
		err = sameLayout(buf, l)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("rrd open %s: %w", path, err)
	}
	return newDB(l, path, f, buf), nil
}

// ReadFile reads a snapshot of the file at path, of whatever layout it
// has, without locking it (a process reading while the daemon writes).
// The DB cannot be updated.
func ReadFile(path string) (*DB, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rrd read: %w", err)
	}
	return Decode(buf)
}

// Decode makes a read-only DB of a file's content.
func Decode(buf []byte) (*DB, error) {
	l, err := decodeHeader(buf)
	if err != nil {
		return nil, err
	}
	if len(buf) != l.fileSize() {
		return nil, fmt.Errorf("rrd: file is %d bytes, its layout needs %d", len(buf), l.fileSize())
	}
	db := newDB(l, "", nil, buf)
	db.readOnly = true
	return db, nil
}

func readAll(f *os.File, size int) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() != int64(size) {
		return nil, fmt.Errorf("%w: size %d, want %d", ErrLayout, fi.Size(), size)
	}
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	return buf, nil
}

func sameLayout(buf []byte, l Layout) error {
	got, err := decodeHeader(buf)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLayout, err)
	}
	if !slices.Equal(got.DS, l.DS) || !slices.Equal(got.RRAs, l.RRAs) ||
		got.Heartbeat != l.Heartbeat || got.MaxBackstep != l.MaxBackstep {
		return ErrLayout
	}
	return nil
}

func newDB(l Layout, path string, f *os.File, buf []byte) *DB {
	db := &DB{l: l, path: path, f: f, buf: buf, offs: l.ringOffsets(), rowLen: rowSize(len(l.DS)),
		scratch: make([]float64, len(l.DS))}
	for _, r := range l.RRAs {
		db.maxRes = max(db.maxRes, r.Res)
	}
	db.st = db.loadState()
	return db
}

// loadState picks the valid state slot with the higher sequence.
func (db *DB) loadState() state {
	best := state{lastRaw: make([]float64, len(db.l.DS))}
	for i := range best.lastRaw {
		best.lastRaw[i] = math.NaN()
	}
	for i := range 2 {
		off := headerSize + i*stateSize
		if s, ok := decodeState(db.buf[off:off+stateSize], len(db.l.DS)); ok && s.seq >= best.seq {
			best = s
		}
	}
	return best
}

// Layout is the DB's layout.
func (db *DB) Layout() Layout { return db.l }

// Last is the time of the last recorded update (0 for none).
func (db *DB) Last() int64 {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.st.last
}

// Sync makes the written rows durable (fdatasync).
func (db *DB) Sync() error {
	if db.f == nil {
		return nil
	}
	if err := syscall.Fdatasync(int(db.f.Fd())); err != nil {
		return fmt.Errorf("rrd sync %s: %w", db.path, err)
	}
	return nil
}

// Close syncs and closes the file (and so releases the lock).
func (db *DB) Close() error {
	if db.f == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	err := db.Sync()
	if cerr := db.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("rrd close %s: %w", db.path, cerr)
	}
	db.f = nil
	db.readOnly = true
	return err
}

// write copies buf[off:off+n] to the file.
func (db *DB) write(off, n int) error {
	if db.f == nil {
		return nil
	}
	if _, err := db.f.WriteAt(db.buf[off:off+n], int64(off)); err != nil {
		return fmt.Errorf("rrd write %s: %w", db.path, err)
	}
	return nil
}
