package cfs

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// revisionReader answers Revision from one dedicated connection. SQLite's
// PRAGMA data_version changes on a connection only when another connection
// (in this process or any other) has committed, so while it stays the same
// the cached revision is still right and the meta table is not read.
type revisionReader struct {
	mu     sync.Mutex
	conn   *sql.Conn
	dvStmt *sql.Stmt
	rvStmt *sql.Stmt
	lastDV int64
	rev    int64
	cached bool
}

func newRevisionReader(ctx context.Context, db *sql.DB) (*revisionReader, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	r := &revisionReader{conn: conn}
	if r.dvStmt, err = conn.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
		conn.Close()
		return nil, err
	}
	if r.rvStmt, err = conn.PrepareContext(ctx, `SELECT revision FROM meta WHERE id = 1`); err != nil {
		r.dvStmt.Close()
		conn.Close()
		return nil, err
	}
	return r, nil
}

// read returns the current revision. The statements run without the
// caller's context: they take microseconds, and a cancellation in the
// middle of one could leave the dedicated connection unusable.
func (r *revisionReader) read(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn == nil {
		return 0, errors.New("store is closed")
	}
	bg := context.Background()
	var dv int64
	if err := r.dvStmt.QueryRowContext(bg).Scan(&dv); err != nil {
		return 0, err
	}
	if r.cached && dv == r.lastDV {
		return r.rev, nil
	}
	var rev int64
	if err := r.rvStmt.QueryRowContext(bg).Scan(&rev); err != nil {
		return 0, err
	}
	r.lastDV, r.rev, r.cached = dv, rev, true
	return rev, nil
}

func (r *revisionReader) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn == nil {
		return nil
	}
	err := errors.Join(r.dvStmt.Close(), r.rvStmt.Close(), r.conn.Close())
	r.conn = nil
	return err
}
