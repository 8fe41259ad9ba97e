package zfs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"hostadm/internal/disks"
)

// BootUUIDsPath is proxmox-boot-tool's list of the ESPs it keeps in sync.
// When it names any, kernels and initrds are booted from those vfat
// partitions and the boot loader never reads the pool itself.
const BootUUIDsPath = "/etc/kernel/proxmox-boot-uuids"

// Feature is one pool feature flag and its state (disabled, enabled or
// active), from `zpool get all`.
type Feature struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// Features is a pool's feature report with what an upgrade would risk.
type Features struct {
	Pool     string    `json:"pool"`
	Features []Feature `json:"features"`
	// Disabled are the features `zpool upgrade` would enable.
	Disabled []string `json:"disabled"`
	// GrubRisk is 1 when the host's /boot lives on this pool and is read
	// by GRUB directly (no proxmox-boot-tool ESPs): new features can make
	// the pool unreadable to GRUB's ZFS code, and the host unbootable.
	GrubRisk int    `json:"grub-risk"`
	Boot     string `json:"boot"` // "efi" or "legacy"
	Warning  string `json:"warning,omitempty"`
}

// FeaturesArgs is the command that lists a pool's properties, features
// among them, in scripted form.
func FeaturesArgs(pool string) []string {
	return []string{"zpool", "get", "-H", "-o", "property,value", "all", pool}
}

// ParseFeatures picks the feature@ lines of FeaturesArgs' output, sorted
// by name.
func ParseFeatures(b []byte) []Feature {
	var out []Feature
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) < 2 || !strings.HasPrefix(f[0], "feature@") {
			continue
		}
		out = append(out, Feature{Name: strings.TrimPrefix(f[0], "feature@"), State: f[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// grubWarning is the task log's and the report's warning, in our words,
// after the Proxmox VE guide's "ZFS Pool Features" section.
const grubWarning = "this pool holds /boot and the host boots it through GRUB without proxmox-boot-tool: " +
	"GRUB's own ZFS reader does not know newer pool features, so once one of them becomes active the " +
	"host can no longer boot. Switch the host to proxmox-boot-tool first (see the guide's " +
	"'ZFS: Switch Legacy-Boot to Proxmox Boot Tool'), or leave the pool's features as they are"

// oldZFSNote says what every upgrade costs.
const oldZFSNote = "after the upgrade, older ZFS versions (older kernels, older installer ISOs used for " +
	"repairs) can no longer import this pool; there is no way back"

// ErrGrubRisk refuses an upgrade that could make the host unbootable.
var ErrGrubRisk = errors.New("refusing to upgrade: " + grubWarning + " (force=1 overrides)")

// BootRisk tells whether GRUB reads the pool's /boot directly and how the
// host booted ("efi" when ROOT/sys/firmware/efi exists, else "legacy").
func (s *Service) BootRisk(pool string) (risk bool, boot string) {
	root := s.d.Root()
	boot = "legacy"
	if root.Exists("/sys/firmware/efi") {
		boot = "efi"
	}
	if b, err := root.ReadFile(BootUUIDsPath); err == nil && hasUUID(b) {
		return false, boot
	}
	b, err := root.ReadFile("/proc/mounts")
	if err != nil {
		return false, boot
	}
	var rootM, bootM *disks.Mount
	for _, m := range disks.ParseMounts(b) {
		m := m
		switch m.Target {
		case "/":
			rootM = &m
		case "/boot":
			bootM = &m
		}
	}
	m := rootM
	if bootM != nil {
		m = bootM
	}
	if m == nil || m.FSType != "zfs" {
		return false, boot
	}
	return strings.SplitN(m.Source, "/", 2)[0] == pool, boot
}

// hasUUID tells whether proxmox-boot-uuids names at least one ESP.
func hasUUID(b []byte) bool {
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}

// Features reports a pool's feature flags and the upgrade's risk.
func (s *Service) Features(ctx context.Context, pool string) (*Features, error) {
	if err := CheckPoolName(pool); err != nil {
		return nil, err
	}
	if !s.d.HasZpool() {
		return nil, ErrNotInstalled
	}
	out, err := s.d.Output(ctx, FeaturesArgs(pool)...)
	if err != nil {
		return nil, err
	}
	f := &Features{Pool: pool, Features: ParseFeatures(out), Disabled: []string{}}
	for _, ft := range f.Features {
		if ft.State == "disabled" {
			f.Disabled = append(f.Disabled, ft.Name)
		}
	}
	risk, boot := s.BootRisk(pool)
	f.Boot = boot
	if risk {
		f.GrubRisk, f.Warning = 1, grubWarning
	}
	return f, nil
}

// CheckUpgrade is the check before the task starts: a pool GRUB boots
// from directly is refused unless forced.
func (s *Service) CheckUpgrade(pool string, force bool) error {
	if err := CheckPoolName(pool); err != nil {
		return err
	}
	if risk, _ := s.BootRisk(pool); risk && !force {
		return ErrGrubRisk
	}
	return nil
}

// Upgrade is the zfsupgrade worker: `zpool upgrade POOL` enables every
// feature this ZFS supports. The log warns first.
func (s *Service) Upgrade(ctx context.Context, l Log, pool string, force bool) error {
	if err := s.CheckUpgrade(pool, force); err != nil {
		return err
	}
	if risk, _ := s.BootRisk(pool); risk {
		l.Warn("%s", grubWarning)
	}
	l.Printf("note: %s", oldZFSNote)
	_, err := s.d.Run(ctx, l, "zpool", "upgrade", pool)
	if err != nil {
		return fmt.Errorf("zpool upgrade %s: %w", pool, err)
	}
	return nil
}
