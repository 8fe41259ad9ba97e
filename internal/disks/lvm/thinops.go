package lvm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
)

// ErrThinInput marks a refused thin-pool request (bad name or size, no
// such VG or pool); the API answers it as a parameter error.
var ErrThinInput = errors.New("lvm")

var (
	reLVName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9+_.][a-zA-Z0-9+_.-]{0,126}$`) })
	reSize   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\+?[0-9]+(\.[0-9]+)?[KMGTP]$`) })
	reExtent = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,3}%(FREE|VG)$`) })
)

// CheckLVName applies LVM's name rules.
func CheckLVName(name string) error {
	if !reLVName().MatchString(name) || name == "." || name == ".." || name == "snapshot" || name == "pvmove" {
		return fmt.Errorf("%w: invalid logical volume name '%s'", ErrThinInput, name)
	}
	return nil
}

// sizeArg is lvcreate's/lvresize's size option for "100G", "+10G" (-L)
// or "90%FREE" (-l).
func sizeArg(size string, grow bool) ([]string, error) {
	switch {
	case reSize().MatchString(size) && (grow || size[0] != '+'):
		return []string{"-L", size}, nil
	case !grow && reExtent().MatchString(size):
		return []string{"-l", size}, nil
	}
	return nil, fmt.Errorf("%w: invalid size '%s': a number with K, M, G, T or P (+ to grow)%s", ErrThinInput, size,
		map[bool]string{true: "", false: ", or N%FREE / N%VG"}[grow])
}

// ThinPoolInVGArgs is `lvcreate --type thin-pool SIZE [--poolmetadatasize M] -n POOL VG`.
func ThinPoolInVGArgs(vg, pool, size, metaSize string) ([]string, error) {
	if err := CheckLVName(pool); err != nil {
		return nil, err
	}
	sz, err := sizeArg(size, false)
	if err != nil {
		return nil, err
	}
	argv := append([]string{"lvcreate", "--type", "thin-pool"}, sz...)
	if metaSize != "" {
		if !reSize().MatchString(metaSize) || metaSize[0] == '+' {
			return nil, fmt.Errorf("%w: invalid metadata size '%s'", ErrThinInput, metaSize)
		}
		argv = append(argv, "--poolmetadatasize", metaSize)
	}
	return append(argv, "-n", pool, vg), nil
}

// CheckThinPoolInVG checks the VG exists, the name is free and the sizes
// parse, and returns the lvcreate argv.
func (s *Service) CheckThinPoolInVG(ctx context.Context, vg, pool, size, metaSize string) ([]string, error) {
	argv, err := ThinPoolInVGArgs(vg, pool, size, metaSize)
	if err != nil {
		return nil, err
	}
	v, err := s.vg(ctx, vg)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no volume group '%s'", ErrThinInput, vg)
	}
	out, err := s.d.Output(ctx, ThinArgs...)
	if err != nil {
		return nil, err
	}
	var rep lvsReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("parse lvs report: %w", err)
	}
	for _, r := range rep.Report {
		for _, lv := range r.LV {
			if lv["vg_name"] == vg && lv["lv_name"] == pool {
				return nil, fmt.Errorf("%w: logical volume '%s/%s' already exists", ErrThinInput, vg, pool)
			}
		}
	}
	return argv, nil
}

// CreateThinPoolInVG is the lvmthincreate worker for an existing VG.
func (s *Service) CreateThinPoolInVG(ctx context.Context, l Log, vg, pool, size, metaSize string) error {
	return s.d.Locked(ctx, func() error {
		argv, err := s.CheckThinPoolInVG(ctx, vg, pool, size, metaSize)
		if err != nil {
			return err
		}
		_, err = s.d.Run(ctx, l, argv...)
		return err
	})
}

// ThinResizeArgs are the lvresize calls growing a pool's data (-L SIZE)
// and its metadata (--poolmetadatasize SIZE), each optional.
func ThinResizeArgs(vg, pool, size, metaSize string) ([][]string, error) {
	if err := CheckLVName(pool); err != nil {
		return nil, err
	}
	var out [][]string
	if size != "" {
		sz, err := sizeArg(size, true)
		if err != nil {
			return nil, err
		}
		out = append(out, append(append([]string{"lvresize"}, sz...), vg+"/"+pool))
	}
	if metaSize != "" {
		if !reSize().MatchString(metaSize) {
			return nil, fmt.Errorf("%w: invalid metadata size '%s'", ErrThinInput, metaSize)
		}
		out = append(out, []string{"lvresize", "--poolmetadatasize", metaSize, vg + "/" + pool})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: give a size, a metadata size or both", ErrThinInput)
	}
	return out, nil
}

// CheckThinResize checks the pool exists and returns the lvresize calls.
func (s *Service) CheckThinResize(ctx context.Context, vg, pool, size, metaSize string) ([][]string, error) {
	calls, err := ThinResizeArgs(vg, pool, size, metaSize)
	if err != nil {
		return nil, err
	}
	pools, err := s.ThinPools(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(pools, func(p ThinPool) bool { return p.VG == vg && p.LV == pool }) {
		return nil, fmt.Errorf("%w: no thin pool '%s/%s'", ErrThinInput, vg, pool)
	}
	return calls, nil
}

// ResizeThin is the lvmthinresize worker.
func (s *Service) ResizeThin(ctx context.Context, l Log, vg, pool, size, metaSize string) error {
	return s.d.Locked(ctx, func() error {
		calls, err := s.CheckThinResize(ctx, vg, pool, size, metaSize)
		if err != nil {
			return err
		}
		for _, argv := range calls {
			if _, err := s.d.Run(ctx, l, argv...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ThinVolumeArgs is `lvcreate -n NAME -V SIZE --thinpool VG/POOL` and the
// mkfs for its file system.
func ThinVolumeArgs(vg, pool, name, size, fs string) ([][]string, error) {
	if err := CheckLVName(name); err != nil {
		return nil, err
	}
	if !reSize().MatchString(size) || size[0] == '+' {
		return nil, fmt.Errorf("%w: invalid virtual size '%s'", ErrThinInput, size)
	}
	mkfs := map[string][]string{"ext4": {"mkfs.ext4", "-q"}, "xfs": {"mkfs.xfs", "-q"}}[fs]
	if mkfs == nil {
		return nil, fmt.Errorf("%w: unknown file system '%s' (ext4, xfs)", ErrThinInput, fs)
	}
	return [][]string{
		{"lvcreate", "-n", name, "-V", size, "--thinpool", vg + "/" + pool},
		append(mkfs, "/dev/"+vg+"/"+name),
	}, nil
}

// Mount is where a new thin volume's file system goes (a directory
// storage's mount, directory.Target): Check runs before lvcreate, Mount
// after mkfs, both under the disk lock; Mount leaves nothing when it fails.
type Mount interface {
	Check() error
	Mount(ctx context.Context, l Log, dev, fstype string) error
}

// CreateThinVolume is the lvmthinvolume worker: a thin volume in the
// pool, formatted, and with mnt set mounted there. When mkfs or the mount
// fails the volume is removed again (`lvremove -y VG/NAME`), so a failed
// create leaves no volume behind.
func (s *Service) CreateThinVolume(ctx context.Context, l Log, vg, pool, name, size, fs string, mnt Mount) error {
	return s.d.Locked(ctx, func() error {
		calls, err := ThinVolumeArgs(vg, pool, name, size, fs)
		if err != nil {
			return err
		}
		if _, err := s.CheckThinResize(ctx, vg, pool, "+1K", ""); err != nil {
			return err // the pool must exist
		}
		if mnt != nil {
			if err := mnt.Check(); err != nil {
				return err
			}
		}
		if _, err := s.d.Run(ctx, l, calls[0]...); err != nil {
			return err
		}
		dev := calls[1][len(calls[1])-1]
		_, err = s.d.Run(ctx, l, calls[1]...)
		if err == nil && mnt != nil {
			err = mnt.Mount(ctx, l, dev, fs)
		}
		if err != nil {
			l.Printf("removing the new volume %s/%s again", vg, name)
			if _, rmErr := s.d.Run(ctx, l, "lvremove", "-y", vg+"/"+name); rmErr != nil {
				l.Warn("%v", rmErr)
			}
		}
		return err
	})
}
