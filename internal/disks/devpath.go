package disks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotBlockDevice is Proxmox's assert_blockdev failure.
var ErrNotBlockDevice = errors.New("not a valid block device")

// maxLinks bounds symlink resolution, like the kernel's ELOOP limit.
const maxLinks = 40

// Resolve returns the real path of the host path p, following symlinks the
// way realpath does but inside the host root, so a link can never lead
// out of it.
func (s *Service) Resolve(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("failed to get absolute path to %s", p)
	}
	todo := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	done := "/"
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, c)
		fi, err := os.Lstat(s.cfg.Root.Path(next))
		if err != nil {
			return "", fmt.Errorf("failed to get absolute path to %s: %w", p, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("failed to get absolute path to %s: too many links", p)
		}
		target, err := os.Readlink(s.cfg.Root.Path(next))
		if err != nil {
			return "", fmt.Errorf("failed to get absolute path to %s: %w", p, err)
		}
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return done, nil
}

// VerifyBlockdevPath is Proxmox's verify_blockdev_path: the real path of
// p, which must be a block device under /dev.
func (s *Service) VerifyBlockdevPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("missing path")
	}
	real, err := s.Resolve(p)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(real, "/dev/") || len(real) == len("/dev/") {
		return "", fmt.Errorf("got unusual device path '%s'", real)
	}
	if err := s.AssertBlockdev(real); err != nil {
		return "", err
	}
	return real, nil
}

// AssertBlockdev fails unless dev is a block device under /dev.
func (s *Service) AssertBlockdev(dev string) error {
	if !strings.HasPrefix(dev, "/dev/") {
		return ErrNotBlockDevice
	}
	fi, err := os.Stat(s.cfg.Root.Path(dev))
	if err != nil || fi.Mode()&fs.ModeDevice == 0 || fi.Mode()&fs.ModeCharDevice != 0 {
		return ErrNotBlockDevice
	}
	return nil
}

// sysDir finds the sysfs directory (a host path) of a kernel device name:
// /sys/block/NAME for disks, /sys/block/DISK/NAME for partitions.
func (s *Service) sysDir(name string) (dir string, partition bool, err error) {
	if name == "" || strings.Contains(name, "..") {
		return "", false, fmt.Errorf("no sysfs entry for '%s'", name)
	}
	name = strings.ReplaceAll(name, "/", "!")
	if s.cfg.Root.Exists("/sys/block/" + name) {
		return "/sys/block/" + name, false, nil
	}
	ents, err := os.ReadDir(s.cfg.Root.Path("/sys/block"))
	if err != nil {
		return "", false, fmt.Errorf("read /sys/block: %w", err)
	}
	for _, e := range ents {
		d := "/sys/block/" + e.Name() + "/" + name
		if strings.HasPrefix(name, e.Name()) && s.cfg.Root.Exists(d+"/partition") {
			return d, true, nil
		}
	}
	return "", false, fmt.Errorf("no sysfs entry for '%s'", name)
}

// devName is the kernel name of a /dev path (cciss/c0d0 stays as is).
func devName(dev string) string { return strings.TrimPrefix(dev, "/dev/") }

// devPathOf is the /dev path of a device as sysfs names it: a "!" there
// is a "/" under /dev (cciss!c0d0p1 is /dev/cciss/c0d0p1).
func devPathOf(sysName string) string { return "/dev/" + strings.ReplaceAll(sysName, "!", "/") }

// Blockdev is a block device resolved once: the path check and the sysfs
// lookup that wiping, the in-use checks and the partition type all need.
type Blockdev struct {
	Path      string // the real /dev path
	Name      string // the kernel name (cciss/c0d0 keeps its slash)
	SysDir    string // host path of its sysfs directory, "" when it has none
	Partition bool   // a partition rather than a whole disk
	PartNum   int    // a partition's number, 0 when unknown
	Parent    string // a partition's disk, as a /dev path
}

// Blockdev looks dev (a real /dev path) up in sysfs once. A device sysfs
// does not know keeps SysDir "".
func (s *Service) Blockdev(dev string) Blockdev {
	b := Blockdev{Path: dev, Name: devName(dev)}
	dir, part, err := s.sysDir(b.Name)
	if err != nil {
		return b
	}
	b.SysDir, b.Partition = dir, part
	if part {
		b.Parent = devPathOf(filepath.Base(filepath.Dir(dir)))
		if _, err := fmt.Sscan(s.readFirstLine(dir+"/partition"), &b.PartNum); err != nil || b.PartNum < 0 {
			b.PartNum = 0
		}
	}
	return b
}

// VerifyBlockdev is VerifyBlockdevPath returning the resolved device.
func (s *Service) VerifyBlockdev(p string) (Blockdev, error) {
	real, err := s.VerifyBlockdevPath(p)
	if err != nil {
		return Blockdev{}, err
	}
	return s.Blockdev(real), nil
}

// IsPartition tells whether dev is a partition.
func (s *Service) IsPartition(dev string) bool { return s.Blockdev(dev).Partition }

// PartNum is the partition number of a partition device.
func (s *Service) PartNum(dev string) (int, error) { return s.Blockdev(dev).partNum() }

func (b Blockdev) partNum() (int, error) {
	if !b.Partition {
		return 0, fmt.Errorf("%s is not a partition", b.Path)
	}
	if b.PartNum <= 0 {
		return 0, fmt.Errorf("failed to get partition number of %s", b.Path)
	}
	return b.PartNum, nil
}

// ParentDisk is the disk device a partition lives on.
func (s *Service) ParentDisk(dev string) (string, error) {
	b := s.Blockdev(dev)
	if !b.Partition {
		return "", fmt.Errorf("%s is not a partition", dev)
	}
	return b.Parent, nil
}

func (s *Service) readFirstLine(p string) string {
	b, err := s.cfg.Root.ReadFile(p)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// children are the partitions (kernel names) of a disk's sysfs directory.
func (s *Service) children(sysdir string) []string {
	base := filepath.Base(sysdir)
	ents, err := os.ReadDir(s.cfg.Root.Path(sysdir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if len(e.Name()) > len(base) && strings.HasPrefix(e.Name(), base) {
			out = append(out, e.Name())
		}
	}
	return out
}

// holders are the devices holding a sysfs device (device mapper, md).
func (s *Service) holders(sysdir string) []string {
	ents, err := os.ReadDir(s.cfg.Root.Path(sysdir + "/holders"))
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
