package boot

import (
	"context"
	"slices"
)

const secureBootVar = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e98c0bc4a6d0"

// SecureBoot tells whether the firmware booted with Secure Boot on (the
// SecureBoot EFI variable: four attribute bytes, then 1 or 0).
func (s *Service) SecureBoot() bool {
	b, err := s.root.ReadFile(secureBootVar)
	return err == nil && len(b) >= 5 && b[4] == 1
}

// Kernel is one kernel version in the overview.
type Kernel struct {
	Version  string `json:"version"`
	Boot     bool   `json:"boot"` // selected for the ESPs
	Manual   bool   `json:"manual"`
	Pinned   bool   `json:"pinned"`
	NextBoot bool   `json:"next-boot"`
	Running  bool   `json:"running"`
}

// Overview is the node's boot state as a whole.
type Overview struct {
	Mode       string      `json:"mode"` // uefi or legacy
	SecureBoot bool        `json:"secureboot"`
	Loader     string      `json:"loader"`
	ESPList    bool        `json:"esp-list"`
	ESPs       []ESPStatus `json:"esps"`
	Kernels    []Kernel    `json:"kernels"`
	Pinned     string      `json:"pinned,omitempty"`
	NextBoot   string      `json:"next-boot,omitempty"`
	Cmdline    *Cmdline    `json:"cmdline"`
}

// Overview reports mode, ESPs (mounting each), kernels and command line.
func (s *Service) Overview(ctx context.Context) (*Overview, error) {
	ov := &Overview{Mode: "legacy", SecureBoot: s.SecureBoot(), ESPs: []ESPStatus{}, Kernels: []Kernel{}}
	if s.UEFI() {
		ov.Mode = "uefi"
	}
	uuids, ok, err := s.espUUIDs()
	if err != nil {
		return nil, err
	}
	ov.ESPList = ok
	ov.Loader = Grub
	for _, u := range uuids {
		st := s.espStatus(ctx, u)
		if s.UEFI() && st.State == "ok" && !st.GrubEFI {
			ov.Loader = SystemdBoot
		}
		ov.ESPs = append(ov.ESPs, st)
	}
	sel, err := s.Select("")
	if err != nil {
		return nil, err
	}
	ov.Pinned, ov.NextBoot = sel.Pinned, sel.NextBoot
	running := s.firstLine("/proc/sys/kernel/osrelease")
	var versions []string
	for _, v := range append(append([]string{}, sel.Installed...), sel.Boot...) {
		if !seriesOnly().MatchString(v) && s.HasKernel(v) {
			versions = append(versions, v)
		}
	}
	for _, v := range sortVersionsDesc(versions) {
		ov.Kernels = append(ov.Kernels, Kernel{Version: v, Boot: slices.Contains(sel.Boot, v),
			Manual: slices.Contains(sel.Manual, v), Pinned: v == sel.Pinned, NextBoot: v == sel.NextBoot, Running: v == running})
	}
	if ov.Cmdline, err = s.cmdlineFor(ov.Loader); err != nil {
		return nil, err
	}
	return ov, nil
}
