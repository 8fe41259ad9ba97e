package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aymanbagabas/go-udiff"
)

// Filter selects changes for List; zero fields select everything.
type Filter struct {
	Node, User, Path string // Path: exact, or a prefix ending in "/" or "*"
	Since, Until     time.Time
	Start, Limit     int // Limit 0: 50
}

// List returns the newest changes first (without their diffs and
// contents) and the number of changes the filter selects in all.
func (h *History) List(ctx context.Context, f Filter) ([]Change, int, error) {
	where, args := f.where()
	var total int
	if err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM changes`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := h.db.QueryContext(ctx, `SELECT id, time, node, user, endpoint, upid, kind, path, action, secret, reverts FROM changes`+
		where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, f.Start)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var us int64
		if err := rows.Scan(&c.ID, &us, &c.Node, &c.User, &c.Endpoint, &c.UPID, &c.Kind, &c.Path, &c.Action, &c.Secret, &c.Reverts); err != nil {
			return nil, 0, err
		}
		c.Time = time.UnixMicro(us)
		out = append(out, c)
	}
	return out, total, rows.Err()
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds = append(conds, cond); args = append(args, v) }
	if f.Node != "" {
		add("node = ?", f.Node)
	}
	if f.User != "" {
		add("user = ?", f.User)
	}
	if f.Path != "" {
		if p, ok := strings.CutSuffix(f.Path, "*"); ok {
			add("path >= ? AND path < ?", p)
			args = append(args, p+"\xff")
		} else if strings.HasSuffix(f.Path, "/") {
			add("path >= ? AND path < ?", f.Path)
			args = append(args, f.Path+"\xff")
		} else {
			add("path = ?", f.Path)
		}
	}
	if !f.Since.IsZero() {
		add("time >= ?", f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		add("time <= ?", f.Until.UnixMicro())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Get returns one change with its diff and contents.
func (h *History) Get(ctx context.Context, id int64) (Change, error) {
	var c Change
	var us int64
	var hasBefore, hasAfter bool
	err := h.db.QueryRowContext(ctx, `SELECT id, time, node, user, endpoint, upid, kind, path, action, secret, diff, before, after, reverts, before_present, after_present FROM changes WHERE id = ?`, id).
		Scan(&c.ID, &us, &c.Node, &c.User, &c.Endpoint, &c.UPID, &c.Kind, &c.Path, &c.Action, &c.Secret, &c.Diff, &c.Before, &c.After, &c.Reverts, &hasBefore, &hasAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w %d", ErrNoChange, id)
	}
	c.Before, c.After = present(c.Before, hasBefore && !c.Secret), present(c.After, hasAfter && !c.Secret)
	c.Time = time.UnixMicro(us)
	if err == nil && c.Diff == "" && !c.Secret {
		// changes recorded since the diff is made on reading; older ones
		// carry theirs
		c.Diff = udiff.Unified("a"+slash(c.Path), "b"+slash(c.Path), string(c.Before), string(c.After))
	}
	return c, err
}

// Prune drops changes older than MaxAge, then the oldest until the kept
// ones fit in MaxBytes. It returns how many it dropped.
func (h *History) Prune(ctx context.Context) (int64, error) {
	cut := h.cfg.Now().Add(-h.cfg.MaxAge).UnixMicro()
	res, err := h.db.ExecContext(ctx, `DELETE FROM changes WHERE time < ?`, cut)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	var total int64
	if err := h.db.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM changes`).Scan(&total); err != nil {
		return n, err
	}
	if total > h.cfg.MaxBytes {
		// Keep the newest changes whose sizes add up to MaxBytes.
		res, err := h.db.ExecContext(ctx, `DELETE FROM changes WHERE id <= (
			SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY id DESC) AS kept FROM changes) WHERE kept > ? ORDER BY id DESC LIMIT 1)`, h.cfg.MaxBytes)
		if err != nil {
			return n, err
		}
		m, _ := res.RowsAffected()
		n += m
	}
	return n, nil
}

// RunPrune prunes at start and then daily until ctx ends.
func (h *History) RunPrune(ctx context.Context) {
	for {
		if n, err := h.Prune(ctx); err != nil {
			h.cfg.Logger.Warn("pruning the change history failed", "err", err)
		} else if n > 0 {
			h.cfg.Logger.Info("pruned the change history", "dropped", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}

// present keeps "empty file" and "no file" apart: SQLite may hand an empty
// blob back as NULL.
func present(b []byte, exists bool) []byte {
	if !exists {
		return nil
	}
	if b == nil {
		return []byte{}
	}
	return b
}
