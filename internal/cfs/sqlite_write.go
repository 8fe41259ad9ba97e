package cfs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Put writes path when its current version matches expect and returns the
// new version, which is the new store revision.
func (s *SQLite) Put(ctx context.Context, path string, data []byte, expect int64) (int64, error) {
	p, err := checkPut(path, data)
	if err != nil {
		return 0, err
	}
	if data == nil {
		data = []byte{} // the column is NOT NULL; an empty file is still a file
	}
	var rev int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		cur, err := currentVersion(ctx, tx, p)
		if err != nil {
			return err
		}
		if err := checkVersion(cur, expect); err != nil {
			return err
		}
		if rev, err = nextRevision(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO files (path, data, version, mtime)
			VALUES (?1, ?2, ?3, ?4) ON CONFLICT (path) DO UPDATE
			SET data = ?2, version = ?3, mtime = ?4`,
			p, data, rev, time.Now().Unix()); err != nil {
			return err
		}
		return s.logChange(ctx, tx, rev, p, rev, false)
	})
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", p, err)
	}
	return rev, nil
}

// Delete removes path when its current version matches expect.
func (s *SQLite) Delete(ctx context.Context, path string, expect int64) error {
	p, err := checkPath(path)
	if err != nil {
		return fmt.Errorf("delete %q: %w", path, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		cur, err := currentVersion(ctx, tx, p)
		if err != nil {
			return err
		}
		if cur == 0 {
			return ErrNotFound
		}
		if err := checkVersion(cur, expect); err != nil {
			return err
		}
		rev, err := nextRevision(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, p); err != nil {
			return err
		}
		return s.logChange(ctx, tx, rev, p, 0, true)
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}

// write runs fn in an immediate (write-locked) transaction, commits, and
// wakes this process's watchers.
func (s *SQLite) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	select {
	case <-s.done:
		return errors.New("store is closed")
	default:
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, see the DSN
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.notify.broadcast()
	return nil
}

// currentVersion returns the version of path, 0 when it does not exist.
func currentVersion(ctx context.Context, tx *sql.Tx, p string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM files WHERE path = ?`, p).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// checkVersion applies the expectation rules of Put and Delete to the
// current version cur (0: missing).
func checkVersion(cur, expect int64) error {
	switch {
	case expect == AnyVersion:
		return nil
	case expect < AnyVersion:
		return fmt.Errorf("invalid expected version %d", expect)
	case expect == NoVersion && cur != 0:
		return fmt.Errorf("exists with version %d: %w", cur, ErrConflict)
	case expect != NoVersion && cur != expect:
		return fmt.Errorf("expected version %d, have %d: %w", expect, cur, ErrConflict)
	}
	return nil
}

// nextRevision bumps the store revision and returns it.
func nextRevision(ctx context.Context, tx *sql.Tx) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx,
		`UPDATE meta SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&rev)
	return rev, err
}

// logChange records a change for watchers and drops the entries that fell
// out of the kept window (at most one per write in the steady state).
func (s *SQLite) logChange(ctx context.Context, tx *sql.Tx, rev int64, p string, version int64, deleted bool) error {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO changes (rev, path, version, deleted) VALUES (?, ?, ?, ?)`,
		rev, p, version, deleted); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE rev <= ?`, rev-s.keepLog)
	return err
}
