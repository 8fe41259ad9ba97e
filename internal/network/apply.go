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
	"time"

	"hostadm/internal/host"
)

// ErrNoIfUpDown2 is Proxmox's refusal to reload without ifupdown2.
var ErrNoIfUpDown2 = errors.New("you need ifupdown2 to reload network configuration")

var reIfreloadMsg = regexp.MustCompile(`(warning|error): (\S+):`)

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
	if !s.HasIfUpDown2() {
		return ErrNoIfUpDown2
	}
	if _, err := s.Promote(); err != nil {
		return err
	}
	return s.Ifreload(ctx, log)
}

// Ifreload runs `ifreload -a`.
func (s *Service) Ifreload(ctx context.Context, log io.Writer) error {
	res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"ifreload", "-a"}, Timeout: 10 * time.Minute})
	sc := bufio.NewScanner(bytes.NewReader(res.Stderr))
	for sc.Scan() {
		if m := reIfreloadMsg.FindStringSubmatch(sc.Text()); m != nil {
			fmt.Fprintf(log, "%s : %s \n", m[2], sc.Text())
		}
	}
	return err
}
