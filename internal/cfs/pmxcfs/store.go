package pmxcfs

import (
	"context"
	"errors"
	"fmt"

	"hostadm/internal/cfs"
)

// ErrNotEmpty refuses an import over a store that holds files already.
var ErrNotEmpty = errors.New("the store is not empty")

// FromStore reads every file of the store into a Tree.
func FromStore(ctx context.Context, s cfs.Store) (*Tree, error) {
	list, err := s.List(ctx, "")
	if err != nil {
		return nil, err
	}
	t := &Tree{}
	for _, e := range list {
		full, err := s.Get(ctx, e.Path)
		if errors.Is(err, cfs.ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		t.Files = append(t.Files, File{Path: full.Path, Data: full.Data, ModTime: full.ModTime})
	}
	t.normalise()
	return t, nil
}

// ImportResult says what an import changed.
type ImportResult struct {
	Written  int // files written
	Removed  int // files of the store that the tree does not have (force only)
	Bytes    int64
	Replaced bool // the store held files before
}

// ToStore writes the tree's files into the store. A store that holds files
// already is refused with ErrNotEmpty unless force, which replaces its
// content: files the tree lacks are removed. Directories without files are
// not kept: the store holds files only.
func (t *Tree) ToStore(ctx context.Context, s cfs.Store, force bool) (ImportResult, error) {
	var res ImportResult
	if err := t.Validate(); err != nil {
		return res, err
	}
	for _, f := range t.Files {
		if len(f.Data) > cfs.MaxFileSize {
			return res, fmt.Errorf("%w: %s is larger than the store's %d bytes", ErrInvalid, f.Path, cfs.MaxFileSize)
		}
		if _, err := cfs.CleanPath(f.Path); err != nil {
			return res, fmt.Errorf("%w: %s", err, f.Path)
		}
	}
	existing, err := s.List(ctx, "")
	if err != nil {
		return res, err
	}
	if len(existing) > 0 && !force {
		return res, fmt.Errorf("%w (%d files); use --force to replace its content", ErrNotEmpty, len(existing))
	}
	res.Replaced = len(existing) > 0
	keep := map[string]bool{}
	for _, f := range t.Files {
		keep[f.Path] = true
		if _, err := s.Put(ctx, f.Path, f.Data, cfs.AnyVersion); err != nil {
			return res, fmt.Errorf("writing %s: %w", f.Path, err)
		}
		res.Written++
		res.Bytes += int64(len(f.Data))
	}
	for _, e := range existing {
		if keep[e.Path] {
			continue
		}
		if err := s.Delete(ctx, e.Path, cfs.AnyVersion); err != nil && !errors.Is(err, cfs.ErrNotFound) {
			return res, fmt.Errorf("removing %s: %w", e.Path, err)
		}
		res.Removed++
	}
	return res, nil
}
