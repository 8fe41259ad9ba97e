package boot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// PartInfo is what Proxmox's tool learns of a partition with lsblk. hostadm
// reads sysfs, probes with `blkid -p` (which needs no udev) and reads the
// mount table, so it also works where udev does not run.
type PartInfo struct {
	Path       string // as given (a host path)
	Dev        string // the device node under the root
	Name       string // kernel name, loop0p1
	UUID       string
	Size       int64
	FSType     string
	PartType   string
	PartNum    string
	PKName     string // parent disk, "" for a whole disk
	MountPoint string
	children   bool
}

// pairs prints the info the way `lsblk --pairs` does, as Proxmox's tool shows it.
func (p *PartInfo) pairs() string {
	return fmt.Sprintf("UUID=%q SIZE=\"%d\" FSTYPE=%q PARTTYPE=%q PKNAME=%q MOUNTPOINT=%q",
		p.UUID, p.Size, p.FSType, p.PartType, p.PKName, p.MountPoint)
}

// lockedPartition takes the boot lock and reads the partition's details
// under it, for the commands that change an ESP; the caller unlocks.
func (s *Service) lockedPartition(ctx context.Context, part string, o Out) (*PartInfo, func(), error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.partitionInfo(ctx, part, o)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return p, unlock, nil
}

// partitionInfo checks a partition given for format or init as Proxmox's
// _get_partition_info does and returns what it found.
func (s *Service) partitionInfo(ctx context.Context, part string, o Out) (*PartInfo, error) {
	if !strings.HasPrefix(part, "/") {
		part = "/dev/" + part
	}
	p := &PartInfo{Path: part}
	dev, err := filepath.EvalSymlinks(s.root.Path(part))
	if err != nil {
		return nil, fmt.Errorf("E: '%s' does not exist!", part)
	}
	p.Dev = dev
	var st unix.Stat_t
	if err := unix.Stat(dev, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return nil, fmt.Errorf("E: '%s' is not a block device!", s.hostPath(dev))
	}
	majmin := fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	if err := s.sysfsInfo(p, majmin); err != nil {
		return nil, fmt.Errorf("E: unable to get information about block device '%s'!", part)
	}
	if err := s.probe(ctx, p); err != nil {
		return nil, err
	}
	p.MountPoint = s.mountPointOf(majmin)
	o.say("%s", p.pairs())
	switch {
	case p.children:
		return nil, fmt.Errorf("E: block device '%s' has children!", part)
	case p.PKName == "":
		return nil, fmt.Errorf("E: cannot determine parent device of '%s' - please provide a partition, not a full disk.", part)
	case p.Size < minESPSize:
		return nil, fmt.Errorf("E: '%s' is too small (<256M).", part)
	case p.MountPoint != "":
		return nil, fmt.Errorf("E: '%s' is mounted on '%s' - exiting.", part, p.MountPoint)
	}
	return p, nil
}

// sysfsInfo fills name, size, partition number and parent from
// /sys/dev/block/MAJ:MIN.
func (s *Service) sysfsInfo(p *PartInfo, majmin string) error {
	dir, err := filepath.EvalSymlinks(s.root.Path("/sys/dev/block/" + majmin))
	if err != nil {
		return err
	}
	p.Name = filepath.Base(dir)
	b, err := os.ReadFile(filepath.Join(dir, "size"))
	if err != nil {
		return err
	}
	sectors, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return err
	}
	p.Size = sectors * 512
	if num, err := os.ReadFile(filepath.Join(dir, "partition")); err == nil {
		p.PartNum = strings.TrimSpace(string(num))
		p.PKName = filepath.Base(filepath.Dir(dir))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), p.Name) {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "partition")); err == nil {
				p.children = true
			}
		}
	}
	return nil
}

// probe reads the file system and partition entry with `blkid -p`.
func (s *Service) probe(ctx context.Context, p *PartInfo) error {
	c := hostCmd("blkid", "-p", "-o", "export", p.Dev)
	c.OKCodes = []int{2} // nothing found: an empty device
	res, err := s.run.Run(ctx, c)
	if err != nil {
		return fmt.Errorf("E: unable to get information about block device '%s': %w", p.Path, err)
	}
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "UUID":
			p.UUID = v
		case "TYPE":
			p.FSType = v
		case "PART_ENTRY_TYPE":
			p.PartType = strings.ToLower(v)
		}
	}
	return nil
}

// mountPointOf finds where the device majmin is mounted, from the mount
// table under the root ("" when it is not mounted).
func (s *Service) mountPointOf(majmin string) string {
	b, err := s.root.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 4 && f[2] == majmin {
			return unescapeMount(f[4])
		}
	}
	return ""
}

func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// hostPath turns a path under the root back into the host path it stands for.
func (s *Service) hostPath(p string) string {
	dir := s.root.Dir()
	if dir == "/" {
		return p
	}
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return "/" + rel
	}
	return p
}
