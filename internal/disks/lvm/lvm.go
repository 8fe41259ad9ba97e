// Package lvm manages LVM volume groups the way Proxmox VE's disk API
// does: the VG report (a pure parser of vgs' output), creating a VG on an
// unused disk and removing one. Physical volumes and volume groups work
// without device-mapper, so they are tested on real loop devices.
package lvm

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"hostadm/internal/disks"
)

// VGArgs is the vgs command Proxmox's lvm_vgs runs (pv_name etc. give one
// line per physical volume).
var VGArgs = []string{"vgs", "--separator", ":", "--noheadings", "--units", "b", "--unbuffered", "--nosuffix",
	"--options", "vg_name,vg_size,vg_free,lv_count,pv_name,pv_size,pv_free"}

// VG is a volume group with its physical volumes.
type VG struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Free    int64  `json:"free"`
	LVCount int64  `json:"lvcount"`
	PVs     []PV   `json:"-"`
}

// PV is a physical volume of a VG.
type PV struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Free int64  `json:"free"`
}

// ParseVGs parses VGArgs' output into VGs sorted by name.
func ParseVGs(b []byte) []*VG {
	byName := map[string]*VG{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) < 4 || f[0] == "" {
			continue
		}
		vg := byName[f[0]]
		if vg == nil {
			vg = &VG{Name: f[0], Size: num(f[1]), Free: num(f[2]), LVCount: num(f[3])}
			byName[f[0]] = vg
		}
		if len(f) >= 7 && f[4] != "" {
			vg.PVs = append(vg.PVs, PV{Name: f[4], Size: num(f[5]), Free: num(f[6])})
		}
	}
	out := make([]*VG, 0, len(byName))
	for _, vg := range byName {
		out = append(out, vg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// Tree is the index's answer: {leaf: 0, children: [VG {..., leaf: 0,
// children: [PV {..., leaf: 1}]}]}.
func Tree(vgs []*VG) map[string]any {
	children := make([]map[string]any, 0, len(vgs))
	for _, vg := range vgs {
		pvs := make([]map[string]any, 0, len(vg.PVs))
		for _, pv := range vg.PVs {
			pvs = append(pvs, map[string]any{"name": pv.Name, "size": pv.Size, "free": pv.Free, "leaf": 1})
		}
		children = append(children, map[string]any{"name": vg.Name, "size": vg.Size, "free": vg.Free,
			"lvcount": vg.LVCount, "leaf": 0, "children": pvs})
	}
	return map[string]any{"leaf": 0, "children": children}
}

// Service manages volume groups over a disks.Service.
type Service struct {
	d *disks.Service
}

// New returns a Service.
func New(d *disks.Service) *Service { return &Service{d: d} }

// VGs runs vgs and parses it.
func (s *Service) VGs(ctx context.Context) ([]*VG, error) {
	out, err := s.d.Output(ctx, VGArgs...)
	if err != nil {
		return nil, err
	}
	return ParseVGs(out), nil
}

func (s *Service) vg(ctx context.Context, name string) (*VG, error) {
	vgs, err := s.VGs(ctx)
	if err != nil {
		return nil, err
	}
	for _, vg := range vgs {
		if vg.Name == name {
			return vg, nil
		}
	}
	return nil, nil
}

// Log is a task log.
type Log = disks.Log

// PlanCreate is the lvmcreate task's plan: when the task starts the
// device must be unused and no VG called NAME; a partition gets the LVM
// type; then `pvcreate --metadatasize 250k DEV` and `vgcreate NAME DEV`.
func (s *Service) PlanCreate(dev, name, node string) *disks.Plan {
	p := s.planVG(dev, name, node)
	p.UdevTrigger(func(disks.Vars) []string { return []string{dev} })
	return p
}

// Create runs PlanCreate's plan.
func (s *Service) Create(ctx context.Context, l Log, dev, name, node string) error {
	return s.d.Execute(ctx, l, s.PlanCreate(dev, name, node))
}

// planVG is the volume group part of PlanCreate and PlanCreateThin.
func (s *Service) planVG(dev, name, node string) *disks.Plan {
	p := disks.NewPlan([]string{dev}, func(ctx context.Context) error {
		if err := s.d.AssertDiskUnused(ctx, dev); err != nil {
			return err
		}
		if vg, err := s.vg(ctx, name); err != nil {
			return err
		} else if vg != nil {
			return fmt.Errorf("volume group with name '%s' already exists on node '%s'", name, node)
		}
		return nil
	})
	if s.d.IsPartition(dev) {
		p.SetPartType(s.d, dev, "8E00")
	}
	p.Run("Make the device an LVM physical volume", "pvcreate", "--metadatasize", "250k", dev).
		Wrap(func(err error) error { return fmt.Errorf("pvcreate '%s' error: %w", dev, err) })
	p.Run("Create the volume group "+name, "vgcreate", name, dev).
		Wrap(func(err error) error { return fmt.Errorf("vgcreate %s %s error: %w", name, dev, err) })
	return p
}

// Remove is the lvmremove worker: `vgremove -y NAME`, then the optional
// config cleanup, then wiping the former physical volumes.
func (s *Service) Remove(ctx context.Context, l Log, name string, wipe bool, cleanupConfig func() error) error {
	return s.d.Locked(ctx, func() error {
		vg, err := s.vg(ctx, name)
		if err != nil {
			return err
		}
		if vg == nil {
			return fmt.Errorf("no such volume group '%s'", name)
		}
		if _, err := s.d.Run(ctx, l, "vgremove", "-y", name); err != nil {
			return err
		}
		return afterRemove(l, cleanupConfig, wipe, func() error { return s.wipePVs(ctx, l, vg) })
	})
}

// wipePVs wipes the physical volumes of a removed VG.
func (s *Service) wipePVs(ctx context.Context, l Log, vg *VG) error {
	var devs []string
	for _, pv := range vg.PVs {
		if err := s.d.WipeBlockdev(ctx, l, pv.Name); err != nil {
			return fmt.Errorf("cleanup failed - %w", err)
		}
		devs = append(devs, pv.Name)
	}
	s.d.UdevTrigger(ctx, l, devs...)
	return nil
}

// afterRemove is what follows a removal: the optional config cleanup,
// whose failure is warned at once but returned only after wipeDisks ran
// (when wipe is set), so the disks are wiped either way.
func afterRemove(l Log, cleanupConfig func() error, wipe bool, wipeDisks func() error) error {
	var cfgErr error
	if cleanupConfig != nil {
		if cfgErr = cleanupConfig(); cfgErr != nil {
			l.Warn("%v", cfgErr)
		}
	}
	if wipe {
		if err := wipeDisks(); err != nil {
			return err
		}
	}
	if cfgErr != nil {
		return fmt.Errorf("config cleanup failed - %w", cfgErr)
	}
	return nil
}
