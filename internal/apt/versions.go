package apt

import (
	"bufio"
	"bytes"
	"context"
	"slices"
	"strings"
	"time"
)

// Version is an entry of GET apt/versions.
type Version struct {
	Package        string `json:"Package"`
	Title          string `json:"Title"`
	Description    string `json:"Description"`
	Version        string `json:"Version"`
	OldVersion     string `json:"OldVersion,omitempty"`
	CurrentState   string `json:"CurrentState"`
	Arch           string `json:"Arch"`
	Section        string `json:"Section"`
	Priority       string `json:"Priority"`
	Origin         string `json:"Origin"`
	RunningKernel  string `json:"RunningKernel,omitempty"`
	ManagerVersion string `json:"ManagerVersion,omitempty"`
}

// importantPackages are the packages Proxmox's versions call reports (a
// subset), plus CPU microcode.
var importantPackages = []string{"proxmox-ve", "pve-manager", "proxmox-kernel-helper", "ceph", "ceph-fuse",
	"corosync", "criu", "ifupdown2", "ksm-control-daemon", "libknet1", "lvm2", "lxc-pve", "lxcfs",
	"openvswitch-switch", "proxmox-backup-client", "proxmox-firewall", "pve-cluster", "pve-container",
	"pve-firewall", "pve-firmware", "pve-ha-manager", "pve-qemu-kvm", "qemu-server", "smartmontools",
	"zfsutils-linux", "amd64-microcode", "intel-microcode"}

// Versions lists the important packages installed or available, every
// installed kernel, and the running kernel.
func (s *Service) Versions(ctx context.Context) ([]Version, error) {
	raw, _ := s.cfg.Root.ReadFile(dpkgStatus)
	keep := func(n string) bool { return slices.Contains(importantPackages, n) || kernelRelease(n) != "" }
	installed := map[string]Installed{}
	for _, p := range parseStatus(raw, keep) {
		if p.State != "NotInstalled" {
			installed[p.Package] = p
		}
	}
	names := slices.Clone(importantPackages)
	for n := range installed {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names[len(importantPackages):])
	cands, err := s.candidates(ctx, names)
	if err != nil {
		return nil, err
	}
	wanted := map[want]bool{}
	for n, v := range cands {
		wanted[want{n, v}] = true
	}
	recs, err := s.lookupRecords(wanted)
	if err != nil {
		return nil, err
	}
	running := ""
	if b, err := s.cfg.Root.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		running = strings.TrimSpace(string(b))
	}
	var out []Version
	for _, n := range names {
		if v, ok := versionEntry(n, installed, cands, recs); ok {
			if n == "proxmox-ve" || (kernelRelease(n) == running && running != "") {
				v.RunningKernel = running
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func versionEntry(n string, installed map[string]Installed, cands map[string]string, recs map[want]*Record) (Version, bool) {
	cand := cands[n]
	inst, isInst := installed[n]
	if !isInst && cand == "" {
		return Version{}, false
	}
	v := Version{Package: n, Version: cand, CurrentState: "NotInstalled", Origin: "unknown"}
	if isInst {
		v.OldVersion, v.CurrentState = inst.Version, inst.State
		v.Title, v.Description, v.Arch, v.Section, v.Priority = inst.Title, inst.Description, inst.Arch, inst.Section, inst.Priority
		if cand == "" {
			v.Version = inst.Version
		}
	}
	if r := recs[want{n, cand}]; r != nil {
		v.Title, v.Description, v.Arch, v.Section, v.Priority, v.Origin = r.Title, r.Description, r.Arch, r.Section, r.Priority, r.Origin
	}
	return v, true
}

// candidates asks apt-cache policy for the candidate versions.
func (s *Service) candidates(ctx context.Context, names []string) (map[string]string, error) {
	out, err := s.aptOutput(ctx, time.Minute, append([]string{"apt-cache", "policy", "--"}, names...)...)
	if err != nil {
		return nil, err
	}
	return parsePolicy(out), nil
}

// parsePolicy reads "NAME:\n  Installed: V\n  Candidate: V" blocks.
func parsePolicy(out []byte) map[string]string {
	m := map[string]string{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if l != "" && l[0] != ' ' && strings.HasSuffix(l, ":") {
			cur = strings.TrimSuffix(l, ":")
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Candidate: "); ok && cur != "" && v != "(none)" {
			m[cur] = v
		}
	}
	return m
}
