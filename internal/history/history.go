// Package history records every change hostadm makes to the node's files
// and to the cluster file store: when, on which node, by whom (user or
// token, endpoint or command, task), and what changed as a unified diff.
// Secrets (private keys, token secrets, passwords, plugin credentials, the
// store's priv/ areas) are recorded as changed, never with their content.
// Changes made by hand are noticed when hostadm next reads the file. A
// recorded change can be reverted, which is itself recorded.
package history

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite, as the store uses

	"hostadm/internal/cfs/pmxcfs"
	"hostadm/internal/host"
)

// Kinds of files a change touched.
const (
	KindHost  = "host"  // a host file under the root, like /etc/hosts
	KindStore = "store" // a file of the cluster file store, like storage.cfg
)

// Actions a change records.
const (
	ActionWrite   = "write"
	ActionDelete  = "delete"
	ActionOutside = "outside" // changed outside hostadm, noticed on reading
	ActionRevert  = "revert"
)

// Change is one recorded change.
type Change struct {
	ID       int64
	Time     time.Time
	Node     string
	User     string
	Endpoint string
	UPID     string
	Kind     string
	Path     string
	Action   string
	Secret   bool   // content not recorded
	Diff     string // unified diff (made by Get); empty for secrets
	Before   []byte // nil: the file did not exist (or is secret)
	After    []byte // nil: the file was deleted (or is secret)
	Reverts  int64  // the change this one reverts, for ActionRevert
}

// Config builds a History.
type Config struct {
	File   string // the database, in the daemon's data dir
	Node   string
	Logger *slog.Logger
	Now    func() time.Time
	// MaxAge and MaxBytes bound what is kept (default 90 days and 100 MB).
	MaxAge   time.Duration
	MaxBytes int64
}

// History is the record of changes, one SQLite database per node.
type History struct {
	cfg  Config
	db   *sql.DB
	mu   sync.Mutex
	last map[string]string // host path -> hash of the content last written or read
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS changes (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	time INTEGER NOT NULL,
	node TEXT NOT NULL,
	user TEXT NOT NULL,
	endpoint TEXT NOT NULL,
	upid TEXT NOT NULL,
	kind TEXT NOT NULL,
	path TEXT NOT NULL,
	action TEXT NOT NULL,
	secret INTEGER NOT NULL,
	diff TEXT NOT NULL,
	before BLOB,
	after BLOB,
	after_sum TEXT NOT NULL,
	before_present INTEGER NOT NULL,
	after_present INTEGER NOT NULL,
	reverts INTEGER NOT NULL DEFAULT 0,
	size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_time ON changes(time);
CREATE INDEX IF NOT EXISTS changes_path ON changes(path, id);
CREATE INDEX IF NOT EXISTS changes_user ON changes(user, id);
`

// Open opens (or creates) the history database.
func Open(cfg Config) (*History, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 90 * 24 * time.Hour
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 100 << 20
	}
	db, err := sql.Open("sqlite", "file:"+cfg.File+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", cfg.File, err)
	}
	return &History{cfg: cfg, db: db, last: map[string]string{}}, nil
}

// Close closes the database.
func (h *History) Close() error { return h.db.Close() }

// Secret reports whether a path's content must never be recorded.
func Secret(kind, path string) bool {
	p := strings.TrimPrefix(path, "/")
	if kind == KindStore && pmxcfs.Private(p) {
		return true
	}
	base := p[strings.LastIndex(p, "/")+1:]
	return strings.HasSuffix(base, ".key") || strings.Contains(base, "shadow") ||
		strings.Contains(base, "secret") || strings.Contains(base, "token") || strings.HasSuffix(base, ".pw")
}

// ErrNoChange is returned by Get for an unknown id.
var ErrNoChange = errors.New("no such change")

// record stores a change; before and after are dropped for secrets.
func (h *History) record(ctx context.Context, kind, path, action string, before, after []byte, reverts int64) (int64, error) {
	a := host.ActorFrom(ctx)
	if a.User == "" {
		a.User = "root@pam"
		if a.Endpoint == "" {
			a.Endpoint = "hostadm (background)"
		}
	}
	secret := Secret(kind, path)
	present := [2]bool{before != nil, after != nil}
	sum := ""
	if after != nil {
		s := sha256.Sum256(after)
		sum = hex.EncodeToString(s[:])
	}
	if secret {
		before, after = nil, nil
	}
	// The diff is made when a change is read (Get), from the contents
	// kept beside it: a write pays only for storing them. Diffing a large
	// file on every write was the daemon's largest allocation under a
	// stream of node-config edits.
	size := int64(len(before) + len(after) + len(path) + 64)
	// A change made while its request ends (an undo step, a cancelled
	// task) is still recorded.
	res, err := h.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO changes (time, node, user, endpoint, upid, kind, path, action, secret, diff, before, after, after_sum, before_present, after_present, reverts, size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.cfg.Now().UnixMicro(), h.cfg.Node, a.User, a.Endpoint, a.UPID, kind, path, action, boolInt(secret), "", before, after, sum,
		boolInt(present[0]), boolInt(present[1]), reverts, size)
	if err != nil {
		h.cfg.Logger.Error("recording a change failed", "path", path, "err", err)
		return 0, err
	}
	return res.LastInsertId()
}

func slash(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
