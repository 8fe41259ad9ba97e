package btrfs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"hostadm/internal/disks"
)

// CreateOptions are the create endpoint's parameters.
type CreateOptions struct {
	Name        string
	Devices     []string // verified /dev paths
	Data        string   // profile; "" lets mkfs.btrfs choose
	Metadata    string
	Label       string // "" = Name
	Compression string // "" = none
}

// Check validates the options before the task: names, profiles and
// their device counts, compression, and the mount point free.
func (s *Service) Check(o CreateOptions) error {
	if err := CheckName(o.Name); err != nil {
		return err
	}
	for _, p := range []string{o.Data, o.Metadata} {
		if p == "" {
			continue
		}
		min, ok := Profiles[p]
		if !ok {
			return fmt.Errorf("unknown profile '%s'", p)
		}
		if len(o.Devices) < min {
			return fmt.Errorf("%s needs at least %d devices", p, min)
		}
	}
	if o.Data == "dup" && len(o.Devices) > 1 {
		return fmt.Errorf("dup is for a single device")
	}
	if o.Compression != "" && !slices.Contains(Compressions, o.Compression) {
		return fmt.Errorf("unknown compression '%s'", o.Compression)
	}
	if len(o.Label) > 255 || strings.ContainsAny(o.Label, "\n\x00") {
		return fmt.Errorf("invalid label")
	}
	if s.Mounted(o.Name) {
		return fmt.Errorf("the path for '%s' is already mounted: %s", o.Name, MountPath(o.Name))
	}
	f, err := s.readFstab()
	if err != nil {
		return err
	}
	if f.Find(MountPath(o.Name)) != nil {
		return fmt.Errorf("%s already has an entry in %s", MountPath(o.Name), FstabPath)
	}
	return nil
}

// MkfsArgs is the mkfs.btrfs command for the options.
func MkfsArgs(o CreateOptions) []string {
	label := o.Label
	if label == "" {
		label = o.Name
	}
	argv := []string{"mkfs.btrfs", "-L", label}
	if o.Data != "" {
		argv = append(argv, "-d", o.Data)
	}
	if o.Metadata != "" {
		argv = append(argv, "-m", o.Metadata)
	}
	return append(argv, o.Devices...)
}

// MountOptions are the fstab options for a compression setting.
func MountOptions(compression string) string {
	e := FstabEntry{Options: "defaults"}
	e.SetOption("compress", compression)
	return e.Options
}

// PlanCreate is the btrfscreate task's plan. When the task starts,
// Check again (a create of the same name may have run since the request
// was taken) and every device unused; then `mkfs.btrfs`, the UUID
// ("uuid") from blkid, the fstab line `UUID=<uuid> /mnt/pve/NAME btrfs
// <options> 0 0` (never replacing a line for that mount point), and the
// mount (after `btrfs device scan` of the members, which udev does on a
// normal boot). A failure after the fstab line takes it back out.
func (s *Service) PlanCreate(o CreateOptions) *disks.Plan {
	p := disks.NewPlan(o.Devices, func(ctx context.Context) error {
		if err := s.Check(o); err != nil {
			return err
		}
		for _, dev := range o.Devices {
			if err := s.d.AssertDiskUnused(ctx, dev); err != nil {
				return err
			}
		}
		return nil
	})
	first := ""
	if len(o.Devices) > 0 {
		first = o.Devices[0]
	}
	p.Run("Make the BTRFS file system", MkfsArgs(o)...)
	p.Run("Read the file system's UUID", "blkid", first, "-o", "export").Learn(func(v disks.Vars, out []byte) error {
		if v["uuid"] = parseExport(out, "UUID"); v["uuid"] == "" {
			return fmt.Errorf("could not get UUID of device '%s'", first)
		}
		return nil
	})
	path := MountPath(o.Name)
	entry := func(v disks.Vars) FstabEntry {
		return FstabEntry{Spec: "UUID=" + v.Get("uuid"), File: path, VFSType: "btrfs", Options: MountOptions(o.Compression), Freq: "0", Pass: "0"}
	}
	planned := entry(nil)
	p.Do("Add the mount to "+FstabPath, &disks.File{Path: FstabPath, Line: planned.String()},
		func(ctx context.Context, _ disks.Log, v disks.Vars) error {
			return s.changeFstab(ctx, func(f *Fstab) error { return addEntry(f, entry(v)) })
		}).Undo(func(ctx context.Context, _ disks.Log) {
		s.changeFstab(ctx, func(f *Fstab) error { f.Remove(path); return nil })
	})
	p.MkdirStep(s.d, path)
	if len(o.Devices) > 1 {
		p.Run("Make the kernel know the members", append([]string{"btrfs", "device", "scan"}, o.Devices...)...)
	}
	p.Run("Mount it on "+path, "mount", "-t", "btrfs", "-o", planned.Options, first, s.hostPath(path))
	p.UdevTrigger(func(disks.Vars) []string { return o.Devices })
	return p
}

// Create runs PlanCreate's plan.
func (s *Service) Create(ctx context.Context, l Log, o CreateOptions) error {
	return s.d.Execute(ctx, l, s.PlanCreate(o))
}

// addEntry adds the fstab line of a new file system; one for its mount
// point already there is refused, never replaced.
func addEntry(f *Fstab, e FstabEntry) error {
	if f.Find(e.File) != nil {
		return fmt.Errorf("%s already has an entry in %s", e.File, FstabPath)
	}
	f.Set(e)
	return nil
}

func parseExport(out []byte, key string) string {
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			return v
		}
	}
	return ""
}

// SetCompression changes the compress option in fstab and, when the file
// system is mounted, remounts it with the new options (new writes are
// compressed; existing data stays as it is until rewritten).
func (s *Service) SetCompression(ctx context.Context, l Log, name, compression string) error {
	if compression != "" && !slices.Contains(Compressions, compression) {
		return fmt.Errorf("unknown compression '%s'", compression)
	}
	return s.d.Locked(ctx, func() error {
		var opts string
		err := s.changeFstab(ctx, func(f *Fstab) error {
			e := f.Find(MountPath(name))
			if e == nil || e.VFSType != "btrfs" {
				return fmt.Errorf("no btrfs file system '%s' on /mnt/pve", name)
			}
			e.SetOption("compress", compression)
			for i := range f.Lines {
				if f.Lines[i].Entry == e {
					f.Lines[i].Raw = e.String()
				}
			}
			opts = e.Options
			return nil
		})
		if err != nil || !s.Mounted(name) {
			return err
		}
		if compression == "" {
			opts += ",compress=no"
		}
		_, err = s.d.Run(ctx, l, "mount", "-o", "remount,"+opts, s.hostPath(MountPath(name)))
		return err
	})
}

// Remove is the btrfsremove worker: with wipe the member devices are
// read first; then `umount`, the fstab line removed, the config cleaned,
// the members wiped and forgotten by the kernel's device list.
func (s *Service) Remove(ctx context.Context, l Log, name string, wipe bool, cleanupConfig func() error) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return s.d.Locked(ctx, func() error {
		f, err := s.readFstab()
		if err != nil {
			return err
		}
		path := MountPath(name)
		if e := f.Find(path); e == nil || e.VFSType != "btrfs" {
			return fmt.Errorf("no btrfs file system '%s' on /mnt/pve", name)
		}
		mounted := s.Mounted(name)
		var devs []string
		if wipe {
			if !mounted {
				return fmt.Errorf("cannot find the devices of '%s': it is not mounted", name)
			}
			if devs, err = s.members(ctx, name); err != nil {
				return err
			}
		}
		if mounted {
			if _, err := s.d.Run(ctx, l, "umount", s.hostPath(path)); err != nil {
				return err
			}
		}
		f.Remove(path)
		if err := s.writeFstab(ctx, f); err != nil {
			return err
		}
		var cfgErr error
		if cleanupConfig != nil {
			if cfgErr = cleanupConfig(); cfgErr != nil {
				l.Warn("%v", cfgErr)
			}
		}
		if err := s.wipe(ctx, l, devs); err != nil {
			return err
		}
		if cfgErr != nil {
			return fmt.Errorf("config cleanup failed - %w", cfgErr)
		}
		return nil
	})
}

func (s *Service) wipe(ctx context.Context, l Log, devs []string) error {
	if len(devs) == 0 {
		return nil
	}
	for _, dev := range devs {
		real, err := s.d.VerifyBlockdevPath(dev)
		if err == nil {
			err = s.d.WipeBlockdev(ctx, l, real)
		}
		if err != nil {
			return fmt.Errorf("cleanup failed - %w", err)
		}
	}
	if _, err := s.d.Run(ctx, l, append([]string{"btrfs", "device", "scan", "--forget"}, devs...)...); err != nil {
		l.Warn("%v", err)
	}
	s.d.UdevTrigger(ctx, l, devs...)
	return nil
}
