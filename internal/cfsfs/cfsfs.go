// Package cfsfs serves the cluster file store as a file system, the way
// Proxmox VE's pmxcfs serves /etc/pve: the same paths, owners and modes,
// the links local, qemu-server, lxc and openvz to this node's directory,
// and the read-only status files .version, .members, .vmlist and
// .clusterlog. Every write goes through the store, so whatever watches the
// store (certificates, users, storage) reacts to it as to an API write.
//
// Writes are whole-file: a file's new content reaches the store in one Put
// when the writer closes it (or renames a temporary file over it), so
// readers never see a half-written file. Content that a Validate function
// refuses is not written; the writer gets EINVAL and the old file stays.
package cfsfs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"hostadm/internal/cfs"
	"hostadm/internal/cfs/pmxcfs"
)

// Config says what to serve where.
type Config struct {
	Store cfs.Store
	Dir   string // the mount point, /etc/pve on a node
	Node  string // this node's name, the target of the local links
	// Validate checks a file's new content before it is written; an error
	// refuses the write with EINVAL and is logged with its reason.
	Validate func(path string, data []byte) error
	// Members describes the cluster for .members; nil for a single node.
	Members func(ctx context.Context) any
	Logger  *slog.Logger
}

// Server is a mounted store.
type Server struct {
	srv *fuse.Server
	dir string
}

// Mount serves the store at cfg.Dir, first cleaning up a stale mount left
// there by a daemon that was killed.
func Mount(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := cleanStale(cfg.Dir, cfg.Logger); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	m := &mountState{cfg: cfg, gid: wwwDataGID(), dirs: map[string]bool{}, start: time.Now()}
	zero := time.Duration(0)
	opts := &fs.Options{
		// No kernel caching: a file changed through the API or on another
		// node must read as changed at once.
		EntryTimeout: &zero, AttrTimeout: &zero, NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			DirectMount: true, AllowOther: true, FsName: "/dev/fuse", Name: "hostadm",
			DisableXAttrs: true, MaxWrite: 128 * 1024,
			// open(O_TRUNC) reaches Open instead of a separate truncate,
			// so a rewritten file goes to the store whole, or not at all.
			ExtraCapabilities: fuse.CAP_ATOMIC_O_TRUNC,
		},
		UID: 0, GID: uint32(m.gid),
	}
	srv, err := fs.Mount(cfg.Dir, &dirNode{m: m}, opts)
	if err != nil {
		return nil, fmt.Errorf("mounting the store at %s: %w", cfg.Dir, err)
	}
	cfg.Logger.Info("cluster file store mounted", "dir", cfg.Dir)
	return &Server{srv: srv, dir: cfg.Dir}, nil
}

// Unmount detaches the file system and waits for the server to end.
func (s *Server) Unmount() error {
	err := s.srv.Unmount()
	if err != nil {
		// Busy (a shell sits in it): detach lazily, as a stop must not fail.
		err = syscall.Unmount(s.dir, syscall.MNT_DETACH)
	}
	s.srv.Wait()
	return err
}

// cleanStale detaches a FUSE mount whose server is gone (stat answers
// ENOTCONN), as a killed daemon leaves one.
func cleanStale(dir string, log *slog.Logger) error {
	_, err := os.Stat(dir)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if !errors.Is(err, syscall.ENOTCONN) && !errors.Is(err, syscall.ECONNABORTED) {
		return err
	}
	log.Warn("detaching a stale mount of the store", "dir", dir)
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the stale mount at %s: %w", dir, err)
	}
	return nil
}

// wwwDataGID is the group pmxcfs gives every entry; Debian fixes it at 33.
func wwwDataGID() int {
	if g, err := user.LookupGroup("www-data"); err == nil {
		if id, err := strconv.Atoi(g.Gid); err == nil {
			return id
		}
	}
	return 33
}

// mountState is what every node of the tree shares.
type mountState struct {
	cfg   Config
	gid   int
	start time.Time
	mu    sync.Mutex
	dirs  map[string]bool // directories made with mkdir that hold no file yet
	// dirCache holds the directories implied by the files at store
	// revision dirRev.
	dirCache map[string]bool
	dirRev   int64
}

// errno maps a store error to what a file system call answers.
func errno(err error) syscall.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cfs.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, cfs.ErrTooLarge):
		return syscall.EFBIG
	case errors.Is(err, cfs.ErrBadPath):
		return syscall.EINVAL
	case errors.Is(err, cfs.ErrNoQuorum):
		return syscall.EACCES
	case errors.Is(err, cfs.ErrConflict):
		return syscall.EEXIST
	}
	return syscall.EIO
}

// fileMode and dirMode are pmxcfs's: 0640 and 0755, 0600 and 0700 when private.
func fileMode(p string) uint32 {
	if pmxcfs.Private(p) {
		return 0o600
	}
	return 0o640
}

func dirMode(p string) uint32 {
	if pmxcfs.Private(p) {
		return 0o700
	}
	return 0o755
}

func (m *mountState) validate(p string, data []byte) syscall.Errno {
	if len(data) > cfs.MaxFileSize {
		m.cfg.Logger.Warn("refused a write through the mount", "path", p, "reason", "file too large", "size", len(data))
		return syscall.EFBIG
	}
	if m.cfg.Validate == nil {
		return 0
	}
	if err := m.cfg.Validate(p, data); err != nil {
		m.cfg.Logger.Warn("refused a write through the mount", "path", p, "reason", err.Error())
		return syscall.EINVAL
	}
	return 0
}

func setAttr(out *fuse.Attr, mode uint32, size int, mtime time.Time, gid int) {
	out.Mode = mode
	out.Size = uint64(size)
	out.Uid = 0
	out.Gid = uint32(gid)
	out.Nlink = 1
	if mode&syscall.S_IFDIR != 0 {
		out.Nlink = 2
	}
	out.Blksize = 4096
	out.Blocks = (uint64(size) + 511) / 512
	t := uint64(mtime.Unix())
	out.Mtime, out.Ctime, out.Atime = t, t, t
}
