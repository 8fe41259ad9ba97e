package apt

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"hostadm/internal/apt/sources"
	"hostadm/internal/host"
)

// editSources runs fn on a fresh snapshot under the lock every source file
// change runs under, after refusing a stale client digest.
func (s *Service) editSources(ctx context.Context, digest string, fn func(*Snapshot) error) error {
	unlock, err := s.cfg.Root.Lock(ctx, sourcesLock, 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	sn, err := s.Read()
	if err != nil {
		return err
	}
	if err := host.CheckDigest(sn.Digest, strings.TrimSpace(digest)); err != nil {
		return err
	}
	return fn(sn)
}

// SetEnabled enables or disables the repository at path/index (POST
// repositories). A nil enabled changes nothing but still checks the input.
func (s *Service) SetEnabled(ctx context.Context, path string, index int, enabled *bool, digest string) error {
	return s.editSources(ctx, digest, func(sn *Snapshot) error {
		if fe := sn.ErrorFor(path); fe != nil {
			return fmt.Errorf("unable to parse file %s - %s", fe.Path, fe.Error)
		}
		f := sn.File(path)
		if f == nil {
			return fmt.Errorf("invalid path - %s", path)
		}
		if index < 0 || index >= len(f.File.Repos) {
			return fmt.Errorf("invalid index - %d", index)
		}
		if enabled != nil {
			f.File.Repos[index].SetEnabled(*enabled)
		}
		return s.writeFile(ctx, f.Path, f.File)
	})
}

// AddStandard adds (or re-enables) a standard repository by handle (PUT
// repositories).
func (s *Service) AddStandard(ctx context.Context, handle, digest string) error {
	codename, err := s.Codename()
	if err != nil {
		return err
	}
	st, err := findStandard(s.cfg.Product, codename, handle)
	if err != nil {
		return err
	}
	return s.editSources(ctx, digest, func(sn *Snapshot) error {
		for _, f := range sn.Files {
			for _, r := range f.File.Repos {
				if st.References(r, codename) {
					if r.Enabled {
						return nil
					}
					r.SetEnabled(true)
					return s.writeFile(ctx, f.Path, f.File)
				}
			}
		}
		if fe := sn.ErrorFor(st.Path); fe != nil {
			return fmt.Errorf("unable to parse existing file %s - %s", fe.Path, fe.Error)
		}
		repo := st.repository(codename)
		f := sn.File(st.Path)
		if f == nil {
			f = &SourceFile{Path: st.Path, File: &sources.File{Type: repo.FileType}}
		}
		f.File.Repos = append(f.File.Repos, repo)
		return s.writeFile(ctx, f.Path, f.File)
	})
}

// writeFile writes a source file atomically; a file left without entries
// is removed, as Proxmox does.
func (s *Service) writeFile(ctx context.Context, p string, f *sources.File) error {
	if len(f.Repos) == 0 {
		if err := os.Remove(s.cfg.Root.Path(p)); err != nil {
			return fmt.Errorf("unable to remove file - %w", err)
		}
		return nil
	}
	data, err := f.Bytes()
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return s.cfg.Root.WriteFileContext(ctx, p, data, 0o644)
}
