package zfs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"hostadm/internal/disks"
)

// ARC limits live in three places: the module parameters (live), the
// modprobe options file (next module load; inside the initramfs when root
// is on ZFS), and the kernel's statistics (what the ARC does now).
const (
	ModprobeConf = "/etc/modprobe.d/zfs.conf"
	ParamDir     = "/sys/module/zfs/parameters"
	ARCStats     = "/proc/spl/kstat/zfs/arcstats"
	// MinARCMax is the smallest zfs_arc_max ZFS honours (64 MiB); smaller
	// values are silently ignored, so hostadm refuses them.
	MinARCMax = 64 << 20
	gib       = 1 << 30
)

// ARC is the ARC's state and the recommended limit.
type ARC struct {
	Size        int64 `json:"size"`          // current ARC size
	Min         int64 `json:"min"`           // effective c_min
	Max         int64 `json:"max"`           // effective c_max
	ParamMin    int64 `json:"param_min"`     // zfs_arc_min module parameter (0 = default)
	ParamMax    int64 `json:"param_max"`     // zfs_arc_max module parameter (0 = default)
	ConfMin     int64 `json:"conf_min"`      // in zfs.conf (0 = not set)
	ConfMax     int64 `json:"conf_max"`      // in zfs.conf (0 = not set)
	MemTotal    int64 `json:"memtotal"`      // installed memory
	PoolSize    int64 `json:"pool_size"`     // sum of the pools' sizes
	Recommended int64 `json:"recommended"`   // 10 % of memory, at most 16 GiB
	RuleOfThumb int64 `json:"rule_of_thumb"` // 2 GiB + 1 GiB per TiB of pool
	RootOnZFS   int   `json:"root_on_zfs"`   // zfs.conf changes need update-initramfs
}

// Recommended is the installer's default for new installs: 10 % of the
// memory, clamped to 16 GiB (and never below the 64 MiB floor).
func Recommended(memTotal int64) int64 {
	return max(min(memTotal/10, 16*gib), MinARCMax)
}

// RuleOfThumb is the guide's sizing: 2 GiB base plus 1 GiB per TiB of
// storage.
func RuleOfThumb(poolBytes int64) int64 { return 2*gib + poolBytes/(1<<40)*gib }

// CheckARC validates new limits against the documented rules and returns
// the zfs_arc_min to write along (0: none). max must be at least 64 MiB
// and below the memory; min, when given, below max. The pitfall: ZFS
// ignores a zfs_arc_max at or below zfs_arc_min (default 1/32 of the
// memory), so when max would be ignored and no min is given, min becomes
// max − 1.
func CheckARC(maxB, minB, memTotal, curMin int64) (int64, error) {
	if maxB < MinARCMax {
		return 0, fmt.Errorf("zfs_arc_max must be at least 64 MiB (%d bytes)", int64(MinARCMax))
	}
	if memTotal > 0 && maxB >= memTotal {
		return 0, fmt.Errorf("zfs_arc_max must be less than the installed memory (%d bytes)", memTotal)
	}
	if minB > 0 {
		if minB >= maxB {
			return 0, fmt.Errorf("zfs_arc_min must be less than zfs_arc_max")
		}
		return minB, nil
	}
	if curMin == 0 {
		curMin = memTotal / 32
	}
	if maxB <= curMin {
		return maxB - 1, nil
	}
	return 0, nil
}

// ModprobeOption reads an "options zfs KEY=VALUE" value (0: not set).
func ModprobeOption(conf []byte, key string) int64 {
	var v int64
	eachOption(conf, func(_ int, k, val string) {
		if k == key {
			v, _ = strconv.ParseInt(val, 10, 64)
		}
	})
	return v
}

func eachOption(conf []byte, fn func(line int, k, v string)) {
	sc := bufio.NewScanner(bytes.NewReader(conf))
	for i := 0; sc.Scan(); i++ {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != "options" || f[1] != "zfs" {
			continue
		}
		for _, o := range f[2:] {
			if k, v, ok := strings.Cut(o, "="); ok {
				fn(i, k, v)
			}
		}
	}
}

// SetModprobeOption sets KEY=VALUE in the zfs.conf text: in place where
// an "options zfs" line has it, else as a new line; other lines stay.
func SetModprobeOption(conf []byte, key string, value int64) []byte {
	lines := strings.Split(strings.TrimSuffix(string(conf), "\n"), "\n")
	if len(conf) == 0 {
		lines = nil
	}
	found := false
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "options" || f[1] != "zfs" {
			continue
		}
		for j, o := range f[2:] {
			if k, _, _ := strings.Cut(o, "="); k == key {
				f[j+2] = key + "=" + strconv.FormatInt(value, 10)
				lines[i], found = strings.Join(f, " "), true
			}
		}
	}
	if !found {
		lines = append(lines, "options zfs "+key+"="+strconv.FormatInt(value, 10))
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// ParseARCStats reads size, c_min and c_max from arcstats.
func ParseARCStats(b []byte) (size, cmin, cmax int64) {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		v, _ := strconv.ParseInt(f[2], 10, 64)
		switch f[0] {
		case "size":
			size = v
		case "c_min":
			cmin = v
		case "c_max":
			cmax = v
		}
	}
	return size, cmin, cmax
}

func (s *Service) param(name string) int64 {
	b, _ := s.d.Root().ReadFile(ParamDir + "/" + name)
	v, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v
}

// ReadARC reports the ARC.
func (s *Service) ReadARC(ctx context.Context) (*ARC, error) {
	a := &ARC{}
	if b, err := s.d.Root().ReadFile(ARCStats); err == nil {
		a.Size, a.Min, a.Max = ParseARCStats(b)
	}
	a.ParamMin, a.ParamMax = s.param("zfs_arc_min"), s.param("zfs_arc_max")
	conf, _ := s.d.Root().ReadFile(ModprobeConf)
	a.ConfMin, a.ConfMax = ModprobeOption(conf, "zfs_arc_min"), ModprobeOption(conf, "zfs_arc_max")
	a.MemTotal = s.memTotal()
	if pools, err := s.Pools(ctx); err == nil {
		for _, p := range pools {
			a.PoolSize += p.Size
		}
	}
	a.Recommended, a.RuleOfThumb = Recommended(a.MemTotal), RuleOfThumb(a.PoolSize)
	if s.rootOnZFS() {
		a.RootOnZFS = 1
	}
	return a, nil
}

func (s *Service) memTotal() int64 {
	b, _ := s.d.Root().ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func (s *Service) rootOnZFS() bool {
	b, _ := s.d.Root().ReadFile("/proc/mounts")
	for _, m := range disks.ParseMounts(b) {
		if m.Target == "/" {
			return m.FSType == "zfs"
		}
	}
	return false
}

// SetARC is the zfsarc worker (under the disk lock): checked limits are
// written live (in the order that keeps min below max at every step) and
// to zfs.conf; with root on ZFS the initramfs is rebuilt so the next boot
// uses them.
func (s *Service) SetARC(ctx context.Context, l Log, maxB, minB int64) error {
	return s.d.Locked(ctx, func() error {
		curMin := s.param("zfs_arc_min")
		newMin, err := CheckARC(maxB, minB, s.memTotal(), curMin)
		if err != nil {
			return err
		}
		if newMin > 0 && minB == 0 {
			l.Printf("zfs_arc_max %d is not above zfs_arc_min: setting zfs_arc_min to %d, else ZFS would ignore it", maxB, newMin)
		}
		if err := s.writeParams(l, maxB, newMin); err != nil {
			return err
		}
		conf, _ := s.d.Root().ReadFile(ModprobeConf)
		if newMin > 0 {
			conf = SetModprobeOption(conf, "zfs_arc_min", newMin)
		}
		conf = SetModprobeOption(conf, "zfs_arc_max", maxB)
		if err := s.d.Root().WriteFileContext(ctx, ModprobeConf, conf, 0o644); err != nil {
			return err
		}
		l.Printf("wrote %s", ModprobeConf)
		if s.rootOnZFS() {
			_, err := s.d.Run(ctx, l, "update-initramfs", "-u", "-k", "all")
			return err
		}
		return nil
	})
}

// writeParams sets the live module parameters when the module is loaded.
func (s *Service) writeParams(l Log, maxB, newMin int64) error {
	if !s.d.Root().Exists(ParamDir) {
		l.Printf("zfs module not loaded: the limits apply when it is")
		return nil
	}
	write := func(name string, v int64) error {
		l.Printf("%s/%s = %d", ParamDir, name, v)
		// A module parameter is written in place: sysfs has no temporary
		// files to rename over it.
		f, err := os.OpenFile(s.d.Root().Path(ParamDir+"/"+name), os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
		_, err = f.WriteString(strconv.FormatInt(v, 10) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
		return nil
	}
	if newMin == 0 {
		return write("zfs_arc_max", maxB)
	}
	// Lowering: min first, then max; raising: max first.
	first, second := "zfs_arc_min", "zfs_arc_max"
	fv, sv := newMin, maxB
	if newMin > s.param("zfs_arc_max") && s.param("zfs_arc_max") != 0 {
		first, second, fv, sv = second, first, sv, fv
	}
	if err := write(first, fv); err != nil {
		return err
	}
	return write(second, sv)
}
