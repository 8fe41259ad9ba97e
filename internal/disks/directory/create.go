package directory

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"hostadm/internal/disks"
)

// reName is pve-storage-id, checked again here because the name becomes
// a path and a unit name.
var reName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`) })

// FileSystems are the file systems a directory storage can get.
var FileSystems = []string{"ext4", "xfs"}

// PlanCreate is the dircreate task's plan. When the task starts, Check
// again (another create of the name may have run since the request was
// taken) and the device unused; a partition gets the Linux type, a whole
// disk one partition over all of it (`sgdisk -n1 -t1:8300`, "partition"
// the new one); then `mkfs -t FS PART`, the UUID ("uuid") from `blkid
// PART -o export`, the mount unit, and `systemctl daemon-reload`,
// `enable` and `start` of the unit.
func (s *Service) PlanCreate(dev, name, fstype string) (*disks.Plan, error) {
	if !reName().MatchString(name) {
		return nil, fmt.Errorf("invalid storage name '%s'", name)
	}
	if !slices.Contains(FileSystems, fstype) {
		return nil, fmt.Errorf("unsupported file system '%s'", fstype)
	}
	p := disks.NewPlan([]string{dev}, func(ctx context.Context) error {
		if err := s.Check(name); err != nil {
			return err
		}
		return s.d.AssertDiskUnused(ctx, dev)
	})
	part := s.planPartition(p, dev)
	p.RunVars("Make the "+fstype+" file system", func(v disks.Vars) []string { return []string{"mkfs", "-t", fstype, part(v)} })
	s.planMount(p, part, name, fstype, false)
	return p, nil
}

// planMount plans what follows mkfs: the file system's UUID ("uuid")
// from `blkid DEV -o export`, the mount unit, and `systemctl
// daemon-reload`, `enable` and `start` of the unit. With undo, a failure
// after the unit was written stops, disables and removes it again (each
// step tried, failures logged), so nothing of the mount is left; without
// it the unit stays for the admin, as Proxmox leaves it.
func (s *Service) planMount(p *disks.Plan, dev func(disks.Vars) string, name, fstype string, undo bool) {
	p.RunVars("Read the file system's UUID", func(v disks.Vars) []string { return []string{"blkid", dev(v), "-o", "export"} }).
		Learn(func(v disks.Vars, out []byte) error {
			if v["uuid"] = ParseBlkidUUID(out); v["uuid"] == "" {
				return fmt.Errorf("could not get UUID of device '%s'", dev(v))
			}
			return nil
		})
	unit := p.Write("Write the mount unit of "+MountPath(name), UnitPath(name), func(v disks.Vars) ([]byte, error) {
		var b bytes.Buffer
		err := MountUnit(name, v.Get("uuid"), fstype).Write(&b)
		return b.Bytes(), err
	})
	if undo {
		unit.Undo(func(ctx context.Context, l disks.Log) {
			l.Printf("undoing the mount unit of '%s'", name)
			s.dropUnit(ctx, l, name, true)
			if _, err := s.d.Run(ctx, l, "systemctl", "daemon-reload"); err != nil {
				l.Warn("%v", err)
			}
		})
	}
	p.UdevTrigger(func(v disks.Vars) []string { return []string{dev(v)} })
	p.Run("Reload systemd's units", "systemctl", "daemon-reload")
	p.Run("Mount it at boot", "systemctl", "enable", UnitName(name))
	p.Run("Mount it now", "systemctl", "start", UnitName(name))
}

// Create runs PlanCreate's plan.
func (s *Service) Create(ctx context.Context, l Log, dev, name, fstype string) error {
	p, err := s.PlanCreate(dev, name, fstype)
	if err != nil {
		return err
	}
	return s.d.Execute(ctx, l, p)
}

// Target is a directory storage's mount for a file system another worker
// made (a thin volume): Check refuses a name in use, Mount writes and
// starts the unit, taking it back when a step fails.
type Target struct {
	s    *Service
	name string
}

// Target returns the mount of storage NAME, after checking the name.
func (s *Service) Target(name string) (Target, error) {
	if !reName().MatchString(name) {
		return Target{}, fmt.Errorf("invalid storage name '%s'", name)
	}
	return Target{s, name}, nil
}

// Check is Service.Check for the target's name.
func (t Target) Check() error { return t.s.Check(t.name) }

// Mount mounts the file system on dev at the target (the caller holds the
// disk lock); a failure leaves no unit behind.
func (t Target) Mount(ctx context.Context, l Log, dev, fstype string) error {
	p := disks.NewPlan(nil, nil)
	t.s.planMount(p, func(disks.Vars) string { return dev }, t.name, fstype, true)
	return t.s.d.RunSteps(ctx, l, p)
}

// planPartition plans readying the partition the file system goes on and
// returns how to name it: dev itself, or the whole disk's new partition.
func (s *Service) planPartition(p *disks.Plan, dev string) func(disks.Vars) string {
	if s.d.IsPartition(dev) {
		p.SetPartType(s.d, dev, "8300")
		return func(disks.Vars) string { return dev }
	}
	p.Run("Make one Linux partition over all of "+dev, "sgdisk", "-n1", "-t1:8300", dev)
	p.Run("Ask the kernel for the new partition", "partx", "-a", dev).WarnOnly().
		Only("the kernel did not read the new table itself", func() bool { return len(s.d.Partitions(dev)) == 0 })
	p.Do("Find the new partition", nil, func(_ context.Context, _ disks.Log, v disks.Vars) error {
		parts := s.d.Partitions(dev)
		if len(parts) != 1 {
			return fmt.Errorf("expected one partition on '%s', found %d", dev, len(parts))
		}
		v["partition"] = parts[0]
		return nil
	})
	return func(v disks.Vars) string { return v.Get("partition") }
}

// ParseBlkidUUID is the UUID= line of `blkid -o export` output.
func ParseBlkidUUID(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "UUID="); ok {
			return v
		}
	}
	return ""
}
