package zfs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/disks"
)

// MinDisks is the smallest device count per RAID level.
var MinDisks = map[string]int{
	"single": 1, "mirror": 2, "raid10": 4, "raidz": 3, "raidz2": 4, "raidz3": 5,
	"draid": 3, "draid2": 4, "draid3": 5,
}

// CreateOptions are the create endpoint's parameters.
type CreateOptions struct {
	Name        string
	RaidLevel   string
	Devices     []string // verified /dev paths
	Ashift      int
	Compression string
	DraidData   *int
	DraidSpares *int
	Node        string
	Aux         AuxVdevs // cache, log and special vdevs (hostadm extension)
	Autotrim    bool     // -o autotrim=on (hostadm extension)
}

// Check is the validation Proxmox does before starting the task: RAID
// level sizes, dRAID config, and the pool name not in use.
func (s *Service) Check(ctx context.Context, o CreateOptions) error {
	if err := CheckPoolName(o.Name); err != nil {
		return err
	}
	if (o.DraidData != nil || o.DraidSpares != nil) && !strings.HasPrefix(o.RaidLevel, "draid") {
		return fmt.Errorf("draid-config set without using dRAID level")
	}
	n := len(o.Devices)
	min, ok := MinDisks[o.RaidLevel]
	switch {
	case !ok:
		return fmt.Errorf("unknown raid level '%s'", o.RaidLevel)
	case o.RaidLevel == "raid10" && n%2 != 0:
		return fmt.Errorf("raid10 needs an even number of disks")
	case o.RaidLevel == "single" && n > 1:
		return fmt.Errorf("please give only one disk for single disk mode")
	case n < min:
		return fmt.Errorf("%s needs at least %d disks", o.RaidLevel, min)
	}
	if strings.HasPrefix(o.RaidLevel, "draid") {
		need := min - 2
		if o.DraidData != nil {
			need += *o.DraidData
		}
		if o.DraidSpares != nil {
			need += *o.DraidSpares
		}
		if n < need {
			return fmt.Errorf("At least %d disks needed for current dRAID config", need)
		}
	}
	if err := o.Aux.Check(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range append(slices.Clone(o.Devices), o.Aux.All()...) {
		if seen[d] {
			return fmt.Errorf("device '%s' is given twice", d)
		}
		seen[d] = true
	}
	pools, err := s.Pools(ctx)
	if err != nil {
		return err
	}
	for _, p := range pools {
		if p.Name == o.Name {
			return fmt.Errorf("pool '%s' already exists on node '%s'", o.Name, o.Node)
		}
	}
	return nil
}

// VdevSpec is the device part of `zpool create` for a RAID level.
func VdevSpec(o CreateOptions, devs []string) []string {
	switch {
	case o.RaidLevel == "raid10":
		var out []string
		for i := 0; i+1 < len(devs); i += 2 {
			out = append(out, "mirror", devs[i], devs[i+1])
		}
		return out
	case o.RaidLevel == "single":
		return devs[:1]
	case strings.HasPrefix(o.RaidLevel, "draid"):
		d := o.RaidLevel
		if o.DraidData != nil {
			d += ":" + strconv.Itoa(*o.DraidData) + "d"
		}
		if o.DraidSpares != nil {
			d += ":" + strconv.Itoa(*o.DraidSpares) + "s"
		}
		return append([]string{d}, devs...)
	}
	return append([]string{o.RaidLevel}, devs...)
}

// PlanCreate is the zfscreate task's plan (options Check accepted):
// partitions get the ZFS type, devices are named by their by-id links,
// then `zpool create`, `zfs set compression`, and the import unit is
// enabled when its template exists. Every device must still be unused
// when the task starts.
func (s *Service) PlanCreate(o CreateOptions) *disks.Plan {
	all := append(slices.Clone(o.Devices), o.Aux.All()...)
	p := disks.NewPlan(all, func(ctx context.Context) error {
		for _, dev := range all {
			if err := s.d.AssertDiskUnused(ctx, dev); err != nil {
				return err
			}
		}
		return nil
	})
	devs := make([]string, 0, len(o.Devices))
	rename := map[string]string{}
	for _, dev := range o.Aux.All() {
		rename[dev] = s.d.ByIDLink(dev)
	}
	for _, dev := range o.Devices {
		if s.d.IsPartition(dev) {
			p.SetPartType(s.d, dev, "6a898cc3-1dd2-11b2-99a6-080020736631")
		}
		if link := s.d.ByIDLink(dev); link != "" {
			devs = append(devs, link)
		} else {
			devs = append(devs, dev)
		}
	}
	argv := []string{"zpool", "create", "-o", "ashift=" + strconv.Itoa(o.Ashift)}
	if o.Autotrim {
		argv = append(argv, "-o", "autotrim=on")
	}
	argv = append(append(append(argv, o.Name), VdevSpec(o, devs)...), o.Aux.Spec(rename)...)
	p.Run("Create the pool "+o.Name, argv...)
	p.Run("Set the compression", "zfs", "set", "compression="+o.Compression, o.Name)
	if s.d.Root().Exists(ImportUnitTemplate) {
		p.Run("Import the pool at boot", "systemctl", "enable", s.importUnit(o.Name))
	}
	p.UdevTrigger(func(disks.Vars) []string { return devs })
	return p
}

// Create runs PlanCreate's plan.
func (s *Service) Create(ctx context.Context, l Log, o CreateOptions) error {
	return s.d.Execute(ctx, l, s.PlanCreate(o))
}
