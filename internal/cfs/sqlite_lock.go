package cfs

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"hostadm/internal/host"
)

var lockName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]+$`) })

// Lock takes the named lock shared by every process that opens the same
// database: an flock on <database dir>/locks/<name>.lock. Locks are not
// kept in SQLite because a database lock would also block every other
// writer, and an flock is released by the kernel when its holder dies.
func (s *SQLite) Lock(ctx context.Context, name string, timeout time.Duration) (func(), error) {
	if !lockName().MatchString(name) {
		return nil, fmt.Errorf("lock %q: invalid lock name", name)
	}
	unlock, err := host.LockFile(ctx, filepath.Join(s.lockDir, name+".lock"), timeout)
	if err != nil {
		return nil, fmt.Errorf("cfs lock %s: %w", name, err)
	}
	return unlock, nil
}
