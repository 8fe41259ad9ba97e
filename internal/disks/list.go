package disks

import (
	"context"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Partition type GUIDs Proxmox's usage detection knows.
const (
	ptBIOSBoot    = "21686148-6449-6e6f-744e-656564454649"
	ptEFI         = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
	ptZFSReserved = "6a945a3b-1dd2-11b2-99a6-080020736631"
	ptLVM         = "e6d6d379-f507-44c2-a23c-238f2a3df928"
	ptZFSApple    = "6a898cc3-1dd2-11b2-99a6-080020736631"
	ptZFSBSD      = "516e7cba-6ecf-11d6-8ff8-00022d09712b"
)

// reDiskName is Proxmox's whitelist of local disk names.
var reDiskName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^((h|s|x?v)d[a-z]+|nvme\d+n\d+|cciss!c\d+d\d+)$`) })

// reISCSI matches the sysfs link target of an iSCSI disk.
var reISCSI = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`host[^/]*/session[^/]*`) })

// ListOptions select what Disks reports.
type ListOptions struct {
	Only              []string // kernel names (sda, cciss/c0d0); nil = all
	SkipSmart         bool
	IncludePartitions bool
}

// scan is the host state one listing reads once.
type scan struct {
	mounted map[string]string // device path -> mount point
	blk     map[string]BlkInfo
	lvm     map[string]bool
	zfs     map[string]bool
}

// Disks is Proxmox's get_disks: every local disk (and with
// IncludePartitions its partitions), keyed by kernel name.
func (s *Service) Disks(ctx context.Context, o ListOptions) (map[string]*Disk, error) {
	sc := s.readScan(ctx)
	ents, err := os.ReadDir(s.cfg.Root.Path("/sys/block"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	only := map[string]bool{}
	for _, n := range o.Only {
		only[strings.ReplaceAll(n, "cciss/", "cciss!")] = true
	}
	out := map[string]*Disk{}
	for _, e := range ents {
		name := e.Name()
		if len(o.Only) > 0 && !only[name] {
			continue
		}
		if !reDiskName().MatchString(name) && !s.extra(name) {
			continue
		}
		d, parts := s.disk(ctx, sc, name, o)
		if d == nil {
			continue
		}
		key := strings.ReplaceAll(name, "!", "/")
		out[key] = d
		if o.IncludePartitions {
			for _, p := range parts {
				out[p.name] = p
			}
		}
	}
	return out, nil
}

// List is the API's disk list: sorted by kernel name, filtered by type
// ("unused", "journal_disks" or "").
func (s *Service) List(ctx context.Context, typ string, o ListOptions) ([]*Disk, error) {
	all, err := s.Disks(ctx, o)
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(all))
	out := make([]*Disk, 0, len(keys))
	for _, k := range keys {
		d := all[k]
		switch typ {
		case "journal_disks":
			if d.OSDID >= 0 {
				continue
			}
			if d.Used != "" && !(d.Used == "partitions" && d.GPT || d.Used == "LVM") {
				continue
			}
		case "unused":
			if d.Used != "" {
				continue
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Service) readScan(ctx context.Context) *scan {
	sc := &scan{mounted: map[string]string{}, blk: map[string]BlkInfo{}}
	if b, err := s.cfg.Root.ReadFile("/proc/mounts"); err == nil {
		for _, m := range ParseMounts(b) {
			if strings.HasPrefix(m.Source, "/dev/") {
				dev := m.Source
				if real, err := s.Resolve(dev); err == nil {
					dev = real
				}
				sc.mounted[dev] = m.Target
			}
		}
	}
	if out, err := s.Output(ctx, "lsblk", "--json", "-o", "path,parttype,fstype"); err == nil {
		if m, err := ParseLsblk(out); err == nil {
			sc.blk = m
		}
	} else {
		s.cfg.Logger.Debug("lsblk failed", "err", err)
	}
	sc.lvm = map[string]bool{}
	if out, err := s.Output(ctx, "pvs", "--noheadings", "--readonly", "-o", "pv_name"); err == nil {
		sc.lvm = ParseDeviceList(out)
	}
	sc.zfs = map[string]bool{}
	if s.HasZpool() {
		if out, err := s.Output(ctx, "zpool", "list", "-HPLv"); err == nil {
			sc.zfs = ParseZpoolDevices(out)
		}
	}
	sc.addPartTypes()
	return sc
}

// addPartTypes marks LVM and ZFS partitions by their type GUID too.
func (sc *scan) addPartTypes() {
	for dev, bi := range sc.blk {
		switch bi.PartType {
		case ptLVM:
			sc.lvm[dev] = true
		case ptZFSApple, ptZFSBSD:
			sc.zfs[dev] = true
		}
	}
}

// HasZpool tells whether ZFS's tools are installed (Proxmox: -x /sbin/zpool).
func (s *Service) HasZpool() bool {
	return s.cfg.Root.Exists("/sbin/zpool") || s.cfg.Root.Exists("/usr/sbin/zpool")
}

// sysInfo is what sysfs tells about a disk.
type sysInfo struct {
	size       int64
	rotational int
	vendor     string
	model      string
}

func (s *Service) sysInfo(dir string, extra bool) *sysInfo {
	if !extra && !s.cfg.Root.Exists(dir+"/device") {
		return nil
	}
	size := s.sysSize(dir)
	if size == 0 {
		return nil
	}
	si := &sysInfo{size: size, rotational: -1}
	if r, err := strconv.Atoi(s.readFirstLine(dir + "/queue/rotational")); err == nil {
		si.rotational = r
	}
	si.vendor = orUnknown(s.readFirstLine(dir + "/device/vendor"))
	si.model = orUnknown(s.readFirstLine(dir + "/device/model"))
	return si
}

func (s *Service) sysSize(dir string) int64 {
	n, _ := strconv.ParseInt(s.readFirstLine(dir+"/size"), 10, 64)
	return n * 512
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// udev reads a device's uevent and udev database entry.
func (s *Service) udev(dir string) (*Udev, bool) {
	uevent, _ := s.cfg.Root.ReadFile(dir + "/uevent")
	devnum := s.readFirstLine(dir + "/dev")
	var db []byte
	if devnum != "" {
		db, _ = s.cfg.Root.ReadFile("/run/udev/data/b" + devnum)
	}
	return ParseUdev(uevent, db), len(db) > 0
}

func (s *Service) isISCSI(dir string) bool {
	target, err := os.Readlink(s.cfg.Root.Path(dir))
	return err == nil && reISCSI().MatchString(target)
}
