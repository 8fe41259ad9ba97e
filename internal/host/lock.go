package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ErrLockTimeout is returned when a lock could not be taken in time.
var ErrLockTimeout = errors.New("got timeout")

// PrivateLockDir holds hostadm's own lock files. It is root's alone
// (0700): flock needs nothing but an open file, so a lock file any local
// user can open (a root-owned 0644 file in /run/lock will do) is a lock
// any local user can hold, blocking every write it guards.
const PrivateLockDir = "/run/hostadm"

// PrivateLock is the path of hostadm's own lock called name.
func PrivateLock(name string) string { return PrivateLockDir + "/" + name + ".lck" }

// Lock takes an exclusive advisory lock (flock) on the host path lockPath,
// waiting at most timeout, like Proxmox's lock_file. It returns the release
// function. The lock file is created when missing (see LockFile); locks
// under PrivateLockDir get that directory made root-only first.
func (r Root) Lock(ctx context.Context, lockPath string, timeout time.Duration) (func(), error) {
	if strings.HasPrefix(lockPath, PrivateLockDir+"/") {
		if err := privateDir(r.Path(PrivateLockDir)); err != nil {
			return nil, err
		}
	}
	return LockFile(ctx, r.Path(lockPath), timeout)
}

// privateDir makes dir exist as a real directory (no symlink) of ours
// with mode 0700.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("lock dir %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("lock dir %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("lock dir %s: not a directory", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("lock dir %s: %w", dir, err)
		}
	}
	return nil
}

// LockFile is Lock on a real path. The file is opened without following
// a symlink (a link planted at a lock path would make root create or
// truncate a file elsewhere) and is a regular file of ours with mode 0600,
// so no other user can open it to hold the lock. Anything else found at
// the path (a symlink, another user's file, a file others may open) is
// replaced. That matters for the locks shared with Proxmox's own tools,
// which must stay at Proxmox's paths in world-writable /run/lock.
func LockFile(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() {
				unix.Flock(int(f.Fd()), unix.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - %w", path, ErrLockTimeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}

const lockFlags = os.O_RDWR | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK

// openLockFile opens (creating) a safe lock file at path, replacing an
// unsafe one once.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, lockFlags|os.O_CREATE, 0o600)
	if err == nil && safeLockFile(f) {
		return f, nil
	}
	if err == nil {
		f.Close()
	} else if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.EACCES) {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("replace unsafe lock file: %w", err)
	}
	f, err = os.OpenFile(path, lockFlags|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// safeLockFile tells whether f is a regular file owned by us that no one
// else may open.
func safeLockFile(f *os.File) bool {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFREG && int(st.Uid) == os.Geteuid() && st.Mode&0o077 == 0
}
