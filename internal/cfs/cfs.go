// Package cfs is hostadm's cluster file store, the counterpart of Proxmox's
// /etc/pve: small configuration files addressed by slash-separated paths such
// as "status.cfg", "nodes/NAME/config" or "priv/authkey.key", each with a
// version number for optimistic concurrency, and a watch on changes.
//
// Two backends implement Store: SQLite (one file in the data dir, WAL,
// crash-safe) for a node on its own, and etcd for clusters, with the
// embedded etcd member each clustered node runs (Member). The etcd
// dependency stays inside this package.
package cfs

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Errors a Store returns; callers test them with errors.Is.
var (
	ErrNotFound = errors.New("no such file")
	ErrConflict = errors.New("version conflict")
	ErrBadPath  = errors.New("invalid path")
	ErrTooLarge = errors.New("file too large")
	// ErrNoQuorum is returned by writes to a clustered store that has lost
	// quorum; the text is what Proxmox's tools say then.
	ErrNoQuorum = errors.New("cluster not ready - no quorum?")
)

// MaxFileSize is the largest file a Store accepts; Put refuses bigger data
// with ErrTooLarge. The store holds configuration, not bulk data.
const MaxFileSize = 1 << 20

// Version expectations for Put and Delete.
const (
	AnyVersion int64 = -1 // write whatever is there
	NoVersion  int64 = 0  // the path must not exist yet
)

// Entry is one file of the store.
type Entry struct {
	Path    string
	Data    []byte // nil in List results
	Version int64  // > 0; grows with every change of this path
	ModTime time.Time
}

// Event reports a change under a watched prefix.
type Event struct {
	Path    string
	Version int64 // 0 when the path was deleted
	Deleted bool
}

// Store is the cluster file store.
type Store interface {
	// Get returns the file at path, or ErrNotFound.
	Get(ctx context.Context, path string) (Entry, error)
	// Put writes path when its current version equals expect (AnyVersion:
	// no check, NoVersion: must not exist) and returns the new version;
	// otherwise ErrConflict.
	Put(ctx context.Context, path string, data []byte, expect int64) (int64, error)
	// Delete removes path under the same version rule as Put; ErrNotFound
	// when it does not exist.
	Delete(ctx context.Context, path string, expect int64) error
	// List returns the files whose path starts with prefix, sorted by path,
	// without their data.
	List(ctx context.Context, prefix string) ([]Entry, error)
	// Watch reports changes under prefix, also those made by other
	// processes on the same store, until ctx ends.
	Watch(ctx context.Context, prefix string) (<-chan Event, error)
	// Revision is a number that grows with every change in the whole
	// store; cheap enough to call per request to validate caches.
	Revision(ctx context.Context) (int64, error)
	// Lock takes a named lock shared by every process using the store
	// (Proxmox's cfs_lock_file), waiting at most timeout.
	Lock(ctx context.Context, name string, timeout time.Duration) (unlock func(), err error)
	Close() error
}

// CleanPath validates a store path: relative, slash-separated, no empty,
// "." or ".." components, no NUL. It returns the path without a trailing slash.
func CleanPath(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
		return "", ErrBadPath
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." || c == ".." {
			return "", ErrBadPath
		}
	}
	return p, nil
}
