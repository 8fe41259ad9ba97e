package network

import (
	"context"
	"fmt"
	"os"
)

// CommitStaged puts a staged interfaces.new in place of the live file, as
// Proxmox's pvenetcommit does at boot before networking starts, so changes
// staged "for the next reboot" (a NIC renamed by pinning, say) come up
// with the renamed links. It reports whether there was anything to commit;
// an empty staged file is left alone.
func (s *Service) CommitStaged(ctx context.Context) (bool, error) {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return false, err
	}
	defer unlock()
	st, err := os.Stat(s.cfg.Root.Path(StagedPath))
	if err != nil || st.Size() == 0 || !st.Mode().IsRegular() {
		return false, nil
	}
	if err := os.Rename(s.cfg.Root.Path(StagedPath), s.cfg.Root.Path(LivePath)); err != nil {
		return false, fmt.Errorf("commit %s: %w", StagedPath, err)
	}
	return true, nil
}
