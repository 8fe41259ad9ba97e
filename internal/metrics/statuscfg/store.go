package statuscfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Paths in the cluster file store.
const (
	Path     = "status.cfg"
	PrivDir  = "priv/metricserver"
	lockName = "status.cfg"
	lockWait = 10 * time.Second
)

// TokenPath is where the InfluxDB token of server id is kept.
func TokenPath(id string) string { return PrivDir + "/" + id + ".pw" }

// File is status.cfg as read, with the store version it came from.
type File struct {
	Config   *sectioncfg.Config
	Warnings []sectioncfg.Warning
	Version  int64 // cfs.NoVersion when the file does not exist
}

// Read reads and parses status.cfg; a missing file is an empty config.
func Read(ctx context.Context, st cfs.Store) (*File, error) {
	e, err := st.Get(ctx, Path)
	if errors.Is(err, cfs.ErrNotFound) {
		e = cfs.Entry{Version: cfs.NoVersion}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", Path, err)
	}
	c, warns, err := sectioncfg.Parse(bytes.NewReader(e.Data), Schema())
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", Path, err)
	}
	return &File{Config: c, Warnings: warns, Version: e.Version}, nil
}

// Write stores the config if the file is still at f.Version.
func (f *File) Write(ctx context.Context, st cfs.Store) error {
	var b bytes.Buffer
	if err := f.Config.Write(&b); err != nil {
		return fmt.Errorf("write %s: %w", Path, err)
	}
	if _, err := st.Put(ctx, Path, b.Bytes(), f.Version); err != nil {
		return fmt.Errorf("write %s: %w", Path, err)
	}
	return nil
}

// Lock takes the cluster-wide status.cfg lock.
func Lock(ctx context.Context, st cfs.Store) (func(), error) {
	unlock, err := st.Lock(ctx, lockName, lockWait)
	if err != nil {
		return nil, fmt.Errorf("cfs-lock '%s' error: %w", lockName, err)
	}
	return unlock, nil
}

// Token reads the stored token of server id ("" when there is none).
func Token(ctx context.Context, st cfs.Store, id string) (string, error) {
	e, err := st.Get(ctx, TokenPath(id))
	if errors.Is(err, cfs.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("could not load credentials for '%s': %w", id, err)
	}
	return string(e.Data), nil
}

// CheckToken refuses a token with a line break or another control
// character: it becomes an HTTP header value, and the file holds it as
// its only line. A parameter error, so a caller that checks before
// writing anything answers 400.
func CheckToken(token string) error {
	for i := 0; i < len(token); i++ {
		if c := token[i]; c < 0x20 || c == 0x7f {
			return schema.ParamError{"token": fmt.Sprintf("value contains a control character (0x%02x)\n", c)}
		}
	}
	return nil
}

// SetToken stores the token of server id (content without newline); a
// token CheckToken refuses is not stored.
func SetToken(ctx context.Context, st cfs.Store, id, token string) error {
	if err := CheckToken(token); err != nil {
		return err
	}
	if _, err := st.Put(ctx, TokenPath(id), []byte(token), cfs.AnyVersion); err != nil {
		return fmt.Errorf("store credentials for '%s': %w", id, err)
	}
	return nil
}

// DeleteToken removes the token of server id, if any.
func DeleteToken(ctx context.Context, st cfs.Store, id string) error {
	err := st.Delete(ctx, TokenPath(id), cfs.AnyVersion)
	if err != nil && !errors.Is(err, cfs.ErrNotFound) {
		return fmt.Errorf("removing credentials file for '%s': %w", id, err)
	}
	return nil
}

// TokenChange is what an edit of status.cfg does with a server's token,
// which is kept in a file of its own (TokenPath), not in status.cfg: store
// Value (Set), delete it (Del), or (neither) leave it.
type TokenChange struct {
	ID, Value string
	Set, Del  bool
}

// Edit is the one way status.cfg changes: under the cluster-wide lock, fn
// changes the file as read and says what becomes of a server's token; then
// status.cfg is written (if it is still at the version read) and the token
// stored or deleted. Nothing is written when fn fails or the token is
// refused.
func Edit(ctx context.Context, st cfs.Store, fn func(*File) (TokenChange, error)) error {
	unlock, err := Lock(ctx, st)
	if err != nil {
		return err
	}
	defer unlock()
	f, err := Read(ctx, st)
	if err != nil {
		return err
	}
	tc, err := fn(f)
	if err != nil {
		return err
	}
	if tc.Set {
		if err := CheckToken(tc.Value); err != nil {
			return err
		}
	}
	if err := f.Write(ctx, st); err != nil {
		return err
	}
	switch {
	case tc.Set:
		return SetToken(ctx, st, tc.ID, tc.Value)
	case tc.Del:
		return DeleteToken(ctx, st, tc.ID)
	}
	return nil
}
