package cfs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite is the embedded Store: one SQLite database file in WAL mode that
// several processes (the daemon and the CLI) may open at the same time.
//
// A file's version is the store revision of the change that wrote it, as
// etcd's mod_revision is. Versions therefore grow with every change of a
// path, even across a delete and a re-create, so a cached (path, version)
// pair can never name two different contents.
type SQLite struct {
	db      *sql.DB
	lockDir string
	poll    time.Duration
	keepLog int64

	// writeMu queues this process's writers in Go rather than in SQLite's
	// busy handler, which sleeps in coarse steps; other processes still
	// meet the busy_timeout.
	writeMu sync.Mutex
	getStmt *sql.Stmt
	rev     *revisionReader
	notify  notifier

	done      chan struct{}
	closeOnce sync.Once
}

// Option tunes OpenSQLite.
type Option func(*SQLite)

// WithPollInterval sets how often watchers look for changes made by other
// processes (200 ms by default). Changes made through the same *SQLite are
// reported at once regardless.
func WithPollInterval(d time.Duration) Option {
	return func(s *SQLite) { s.poll = d }
}

// WithChangeLogSize sets how many past changes the change log keeps for
// watchers (10 000 by default). A watcher that falls further behind
// recovers by comparing a fresh listing with what it last knew.
func WithChangeLogSize(n int64) Option {
	return func(s *SQLite) { s.keepLog = n }
}

var _ Store = (*SQLite)(nil)

// schema is applied on every open; every statement is idempotent.
const schema = `
CREATE TABLE IF NOT EXISTS files (
	path    TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	version INTEGER NOT NULL,
	mtime   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	revision INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (id, revision) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS changes (
	rev     INTEGER PRIMARY KEY,
	path    TEXT NOT NULL,
	version INTEGER NOT NULL,
	deleted INTEGER NOT NULL
);`

// OpenSQLite opens or creates the store in the database file path. The
// file and its WAL are created mode 0600: the store holds private keys.
//
// synchronous=FULL is chosen over NORMAL: in WAL mode NORMAL can lose the
// last commits on power loss (never corrupt), and a configuration write the
// API has acknowledged, then acted on, must survive. Writes are rare and
// small, so the extra fsync per commit is cheap.
func OpenSQLite(path string, opts ...Option) (*SQLite, error) {
	s := &SQLite{
		lockDir: filepath.Join(filepath.Dir(path), "locks"),
		poll:    200 * time.Millisecond,
		keepLog: 10000,
		done:    make(chan struct{}),
		notify:  notifier{ch: make(chan struct{})},
	}
	for _, o := range opts {
		o(s)
	}
	if err := s.open(path); err != nil {
		if s.db != nil {
			s.db.Close()
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func (s *SQLite) open(path string) error {
	// Without a "file:" prefix the driver cuts the DSN at the first '?'.
	if strings.ContainsRune(path, '?') {
		return errors.New("database path must not contain '?'")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	dsn := path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)"
	if s.db, err = sql.Open("sqlite", dsn); err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if s.getStmt, err = s.db.PrepareContext(ctx,
		`SELECT data, version, mtime FROM files WHERE path = ?`); err != nil {
		return err
	}
	s.rev, err = newRevisionReader(ctx, s.db)
	return err
}

// Close stops the watchers and closes the database.
func (s *SQLite) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
		err = errors.Join(s.rev.close(), s.getStmt.Close(), s.db.Close())
	})
	return err
}

// Get returns the file at path, or ErrNotFound.
func (s *SQLite) Get(ctx context.Context, path string) (Entry, error) {
	p, err := checkPath(path)
	if err != nil {
		return Entry{}, fmt.Errorf("get %q: %w", path, err)
	}
	e := Entry{Path: p}
	var mtime int64
	err = s.getStmt.QueryRowContext(ctx, p).Scan(&e.Data, &e.Version, &mtime)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("get %s: %w", p, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get %s: %w", p, err)
	}
	if e.Data == nil {
		e.Data = []byte{}
	}
	e.ModTime = time.Unix(mtime, 0)
	return e, nil
}

// List returns the files whose path starts with prefix, sorted by path,
// without their data. The prefix is a plain string prefix: "nodes/" does
// not match "nodesX", but "nodes" does.
func (s *SQLite) List(ctx context.Context, prefix string) ([]Entry, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT path, version, mtime FROM files
		WHERE path >= ? AND path < ? ORDER BY path`, prefix, prefixEnd(prefix))
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var mtime int64
		if err := rows.Scan(&e.Path, &e.Version, &mtime); err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		e.ModTime = time.Unix(mtime, 0)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	return out, nil
}

// Revision returns the store revision: the number of changes ever made.
func (s *SQLite) Revision(ctx context.Context) (int64, error) {
	r, err := s.rev.read(ctx)
	if err != nil {
		return 0, fmt.Errorf("read store revision: %w", err)
	}
	return r, nil
}

// checkPath is CleanPath plus what SQLite's ordering needs: valid UTF-8, so
// that the byte 0xFF can bound a prefix range (see prefixEnd).
func checkPath(p string) (string, error) {
	c, err := CleanPath(p)
	if err != nil {
		return "", err
	}
	if !utf8.ValidString(c) {
		return "", ErrBadPath
	}
	return c, nil
}

// checkPut checks a write's path and size for every backend and returns
// the clean path.
func checkPut(path string, data []byte) (string, error) {
	p, err := checkPath(path)
	if err != nil {
		return "", fmt.Errorf("put %q: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("put %s: %d bytes, at most %d allowed: %w",
			p, len(data), MaxFileSize, ErrTooLarge)
	}
	return p, nil
}

// checkPrefix accepts "" (everything) and any partial path that could
// begin a valid one.
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	if strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) || !utf8.ValidString(p) {
		return ErrBadPath
	}
	return nil
}

// prefixEnd returns the smallest string above every string that starts with
// prefix. Valid UTF-8 never contains the byte 0xFF, so appending it works.
func prefixEnd(prefix string) string {
	return prefix + "\xff"
}
