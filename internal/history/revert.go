package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

// Errors of Revert.
var (
	ErrSecret       = errors.New("the change touched a secret file, whose content is not recorded")
	ErrChangedSince = errors.New("the file changed since")
)

// Files is where Revert writes: the host root and the store, both without
// recording (Revert records the revert itself).
type Files struct {
	Root  host.Root
	Store cfs.Store
}

// Revert restores the file of change id as it was before that change and
// records that as a new change. Unless force, it refuses when the file is
// no longer as the change left it.
func (h *History) Revert(ctx context.Context, id int64, force bool, f Files) (int64, error) {
	c, err := h.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	if c.Secret {
		return 0, fmt.Errorf("change %d: %w", id, ErrSecret)
	}
	if c.Node != h.cfg.Node && c.Kind == KindHost {
		return 0, fmt.Errorf("change %d was made on node %s; revert it there", id, c.Node)
	}
	current, version, err := f.read(ctx, c)
	if err != nil {
		return 0, err
	}
	if !force && !sameContent(current, c.After) {
		return 0, fmt.Errorf("%s: %w change %d; revert with force to overwrite", c.Path, ErrChangedSince, id)
	}
	if err := f.write(ctx, c, version); err != nil {
		return 0, err
	}
	return h.record(ctx, c.Kind, c.Path, ActionRevert, current, c.Before, id)
}

// sameContent compares contents where nil means "does not exist".
func sameContent(a, b []byte) bool {
	return (a == nil) == (b == nil) && bytes.Equal(a, b)
}

func (f Files) read(ctx context.Context, c Change) ([]byte, int64, error) {
	if c.Kind == KindStore {
		e, err := f.Store.Get(ctx, c.Path)
		if errors.Is(err, cfs.ErrNotFound) {
			return nil, cfs.NoVersion, nil
		}
		if e.Data == nil {
			e.Data = []byte{}
		}
		return e.Data, e.Version, err
	}
	data, err := os.ReadFile(f.Root.Path(c.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	return data, 0, err
}

// write puts the content before the change back, the store with the
// version just read, so a concurrent edit makes the revert fail instead
// of being lost.
func (f Files) write(ctx context.Context, c Change, version int64) error {
	if c.Kind == KindStore {
		if c.Before == nil {
			return f.Store.Delete(ctx, c.Path, version)
		}
		_, err := f.Store.Put(ctx, c.Path, c.Before, version)
		return err
	}
	if c.Before == nil {
		err := os.Remove(f.Root.Path(c.Path))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(f.Root.Path(c.Path)); err == nil {
		mode = fi.Mode().Perm()
	}
	return host.WriteFileAtomic(f.Root.Path(c.Path), c.Before, mode)
}
