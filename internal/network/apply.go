package network

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sync"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/network/ifaces"
)

// ErrNoIfUpDown2 is Proxmox's refusal to reload without ifupdown2.
var ErrNoIfUpDown2 = errors.New("you need ifupdown2 to reload network configuration")

var reIfreloadMsg = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(warning|error): (\S+):`) })

// Promote renames the staged file over the live one (when there is one).
func (s *Service) Promote() (bool, error) {
	err := os.Rename(s.cfg.Root.Path(StagedPath), s.cfg.Root.Path(LivePath))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("apply network changes: %w", err)
	}
	return true, nil
}

// ApplyIfUpDown2 is Proxmox's reload: the staged file goes live and
// `ifreload -a` runs; its warnings and errors naming an interface are
// echoed to log as "NAME : LINE".
func (s *Service) ApplyIfUpDown2(ctx context.Context, log io.Writer) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	_, err = s.Promote()
	unlock()
	if err != nil {
		return err
	}
	return s.Ifreload(ctx, log)
}

// Ifreload runs `ifreload -a`.
func (s *Service) Ifreload(ctx context.Context, log io.Writer) error {
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"ifreload", "-a"}, Timeout: 10 * time.Minute})
	sc := bufio.NewScanner(bytes.NewReader(res.Stderr))
	for sc.Scan() {
		if m := reIfreloadMsg().FindStringSubmatch(sc.Text()); m != nil {
			fmt.Fprintf(log, "%s : %s \n", m[2], sc.Text())
		}
	}
	return err
}

// ApplierName tells which applier Apply uses. Without ifupdown2 it is the
// native one, unless the service works on a host root other than "/" and
// no namespace was named: then the kernel at hand is not that host's, and
// apply is refused as Proxmox refuses it.
func (s *Service) ApplierName() (string, error) {
	switch {
	case s.cfg.Applier != "":
		return s.cfg.Applier, nil
	case s.HasIfUpDown2():
		return ApplierIfUpDown2, nil
	case s.cfg.Root.Dir() == "/" || s.cfg.NetNS != "":
		return ApplierNative, nil
	}
	return "", ErrNoIfUpDown2
}

// Apply makes the staged file live and brings the kernel in line with it.
func (s *Service) Apply(ctx context.Context, log io.Writer) error {
	name, err := s.ApplierName()
	if err != nil {
		return err
	}
	if name == ApplierNative {
		return s.ApplyNative(ctx, log)
	}
	return s.ApplyIfUpDown2(ctx, log)
}

// ApplyNative plans the changes from the kernel's state and the live
// file (what was applied before) to the staged file, refuses before
// changing anything when the file holds what it cannot apply, then makes
// the staged file live and carries the plan out through netlink. The
// network lock is held from reading the files until the staged one is
// live, so an edit in between cannot be promoted unplanned (or lost); the
// plan itself runs without it, as ifreload does.
func (s *Service) ApplyNative(ctx context.Context, log io.Writer) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, lockTimeout)
	if err != nil {
		return err
	}
	locked := true
	release := func() {
		if locked {
			locked = false
			unlock()
		}
	}
	defer release()
	old, next, _, err := s.parseBoth()
	if err != nil {
		return err
	}
	return inNetNS(s.cfg.NetNS, func() error {
		// Every configured interface is checked against the kernel, changed
		// in the file or not, as ifreload -a does: one dump each of links,
		// addresses and routes. ChangedOnly trusts the kernel to match the
		// live file and reads and plans only what the change touches.
		var only map[string]bool
		if s.cfg.ChangedOnly && len(old.Ifaces) > 1 {
			only = Changed(old, next)
		}
		ks, err := s.kernelState(ctx, only)
		if err != nil {
			return err
		}
		ops, err := plan(old, next, ks, only)
		if err != nil {
			return err
		}
		if _, err := s.Promote(); err != nil {
			return err
		}
		release()
		return newExecutor(s.cfg.Runner, log, ks).run(ctx, ops)
	})
}

// PlanNative returns the operations ApplyNative would carry out now.
func (s *Service) PlanNative() ([]Op, error) {
	old, next, _, err := s.parseBoth()
	if err != nil {
		return nil, err
	}
	var ops []Op
	err = inNetNS(s.cfg.NetNS, func() error {
		ks, err := s.kernelState(context.Background(), nil)
		if err != nil {
			return err
		}
		ops, err = Plan(old, next, ks)
		return err
	})
	return ops, err
}

// parseBoth parses the live file (a missing one is empty) and the staged
// one, reading the kernel's links once for both. Without a staged file
// next is the live file and staged is false. The live file is most often
// the staged file the last apply parsed, and is then not parsed again.
// Both configs may be shared with other callers: read them, never change
// them.
func (s *Service) parseBoth() (old, next *ifaces.Config, staged bool, err error) {
	k := s.Kernel()
	live, err := s.cfg.Root.ReadFile(LivePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, false, err
	}
	if old, err = s.parsed.live(live, k); err != nil {
		return nil, nil, false, err
	}
	data, err := s.cfg.Root.ReadFile(StagedPath)
	if errors.Is(err, fs.ErrNotExist) {
		return old, old, false, nil
	} else if err != nil {
		return nil, nil, false, err
	}
	next, err = s.parsed.staged(data, k)
	return old, next, err == nil, err
}
