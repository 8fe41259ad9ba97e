package network

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/network/ifaces"
	"hostadm/internal/network/linkfile"
	"hostadm/internal/schema"
)

// LinkDir is where Proxmox VE 9's pve-network-interface-pinning keeps its
// 50-pve-<name>.link files; hostadm reads and writes the same ones.
const LinkDir = "/usr/local/lib/systemd/network"

// PinOptions choose what Pin does.
type PinOptions struct {
	Interface string // only this NIC ("" = every NIC not pinned yet)
	Prefix    string // new names are Prefix0, Prefix1, ... ("" = nic)
	DryRun    bool   // report, change nothing
}

// PinResult is one NIC and the name it is (or would be) pinned to.
type PinResult struct {
	Iface string `json:"iface"`
	Name  string `json:"name"`
	MAC   string `json:"mac"`
	File  string `json:"file"`
}

// Pin gives the physical NICs stable names as Proxmox VE 9's
// pve-network-interface-pinning does: every NIC not pinned yet (or the
// one named) gets the next free name PREFIX<n>, in the order of the
// current names, a .link file matching its MAC address, and its new name
// in every reference of the staged interfaces file (interfaces.new).
// The kernel keeps the old names until the next boot.
//
// Everything happens under the network lock. A new name already used by
// an interface in the file or the kernel (or as the base of one, vmbr0
// for vmbr0.5) is refused, as is one whose .link file exists; the renamed
// file is validated and staged first, and the .link files are written only
// then: when one cannot be written, those written are removed and the
// staged file is put back.
func (s *Service) Pin(ctx context.Context, o PinOptions) ([]PinResult, error) {
	if o.Prefix == "" {
		o.Prefix = "nic"
	}
	var out []PinResult
	err := s.edit(ctx, func(cfg *ifaces.Config) (bool, error) {
		res, mapping, existing, err := s.pinPlan(o)
		if err != nil {
			return false, err
		}
		if err := s.checkPinNames(cfg, res); err != nil {
			return false, err
		}
		out = res
		if o.DryRun || len(res) == 0 {
			return false, nil
		}
		renameIfaces(cfg, mapping, existing)
		return true, nil
	}, func() error { return s.writePins(ctx, out) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pinPlan picks the NICs to pin and their new names; existing maps the
// NICs pinned before (not rebooted yet) to their pinned names.
func (s *Service) pinPlan(o PinOptions) (out []PinResult, mapping, existing map[string]string, err error) {
	nics := s.nicMACs()
	pinned := s.pinnedNames() // MAC → name
	existing = map[string]string{}
	for name, mac := range nics {
		if p, ok := pinned[mac]; ok {
			existing[name] = p
		}
	}
	names := make([]string, 0, len(nics))
	for n := range nics {
		if _, ok := existing[n]; !ok || o.Interface != "" {
			names = append(names, n)
		}
	}
	if o.Interface != "" {
		if _, ok := nics[o.Interface]; !ok {
			return nil, nil, nil, schema.Fail("interface", fmt.Sprintf("Could not find link with name '%s'", o.Interface))
		}
		if _, ok := existing[o.Interface]; ok {
			return nil, nil, nil, schema.Fail("interface", fmt.Sprintf("There already exists a pin for NIC '%s' - aborting.", o.Interface))
		}
		names = []string{o.Interface}
	}
	slices.Sort(names)
	mapping = newNames(names, pinned, o.Prefix)
	out = make([]PinResult, 0, len(names))
	for _, n := range names {
		out = append(out, PinResult{Iface: n, Name: mapping[n], MAC: nics[n], File: path.Join(LinkDir, linkfile.FileName(mapping[n]))})
	}
	return out, mapping, existing, nil
}

// checkPinNames refuses new names already in use: by an interface of the
// file or the kernel, as the base of one (vmbr0 of vmbr0.5 or vmbr0:1), or
// by a .link file. Renaming onto such a name would overwrite its stanza
// or clash at the next boot.
func (s *Service) checkPinNames(cfg *ifaces.Config, pins []PinResult) error {
	renamed := map[string]bool{}
	for _, p := range pins {
		renamed[p.Iface] = true
	}
	used := map[string]string{}
	note := func(name, where string) {
		if renamed[name] {
			return // the NIC being renamed frees its name
		}
		used[name] = where
		if m := reSubIface().FindStringSubmatch(name); m != nil && !renamed[m[1]] {
			if _, ok := used[m[1]]; !ok {
				used[m[1]] = where
			}
		}
	}
	for n := range cfg.Ifaces {
		note(n, "in the network configuration")
	}
	data, _ := s.cfg.Root.ReadFile("/proc/net/dev")
	for _, n := range ProcNetDevNames(string(data)) {
		note(n, "in the kernel")
	}
	for _, p := range pins {
		if where, ok := used[p.Name]; ok {
			return schema.Fail("prefix", fmt.Sprintf("interface name '%s' for '%s' is already in use %s - aborting.", p.Name, p.Iface, where))
		}
		if s.cfg.Root.Exists(p.File) {
			return schema.Fail("prefix", fmt.Sprintf("interface name '%s' for '%s' already has a link file '%s' - aborting.", p.Name, p.Iface, p.File))
		}
	}
	return nil
}

// newNames hands out PREFIX0, PREFIX1, ... skipping names already pinned.
func newNames(names []string, pinned map[string]string, prefix string) map[string]string {
	taken := map[string]bool{}
	for _, n := range pinned {
		taken[n] = true
	}
	out := map[string]string{}
	i := 0
	for _, n := range names {
		for taken[prefix+strconv.Itoa(i)] {
			i++
		}
		out[n] = prefix + strconv.Itoa(i)
		i++
	}
	return out
}

// writePins writes the .link files; when one fails, those it wrote are
// removed again.
func (s *Service) writePins(ctx context.Context, pins []PinResult) (err error) {
	if err := os.MkdirAll(s.cfg.Root.Path(LinkDir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", LinkDir, err)
	}
	var written []string
	defer func() {
		if err != nil {
			for _, f := range written {
				os.Remove(s.cfg.Root.Path(f))
			}
		}
	}()
	for _, p := range pins {
		var b bytes.Buffer
		f := linkfile.Pin(p.MAC, p.Name)
		if err := f.Validate(); err != nil {
			return fmt.Errorf("pin %s: %w", p.Iface, err)
		}
		f.Write(&b)
		if err := s.cfg.Root.WriteFileContext(ctx, p.File, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("pin %s: %w", p.Iface, err)
		}
		written = append(written, p.File)
	}
	return nil
}

// nicMACs maps the physical NICs (not SR-IOV virtual functions) to their
// permanent MAC address: a bond slave's own one, not the bond's.
func (s *Service) nicMACs() map[string]string {
	out := map[string]string{}
	for name := range s.Kernel().Physical {
		sys := s.cfg.Root.Path(filepath.Join("/sys/class/net", name))
		if _, err := os.Lstat(filepath.Join(sys, "device/physfn")); err == nil {
			continue
		}
		mac := readTrim(filepath.Join(sys, "bonding_slave/perm_hwaddr"))
		if mac == "" {
			mac = readTrim(filepath.Join(sys, "address"))
		}
		if mac != "" {
			out[name] = strings.ToLower(mac)
		}
	}
	return out
}

func readTrim(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// pinnedNames reads the existing 50-pve-*.link files: MAC → name. Files
// that do not parse are skipped.
func (s *Service) pinnedNames() map[string]string {
	out := map[string]string{}
	entries, _ := os.ReadDir(s.cfg.Root.Path(LinkDir))
	for _, e := range entries {
		if !linkfile.IsPinFile(e.Name()) {
			continue
		}
		data, err := s.cfg.Root.ReadFile(path.Join(LinkDir, e.Name()))
		if err != nil {
			continue
		}
		if f, err := linkfile.Parse(bytes.NewReader(data)); err == nil && f.MAC() != "" {
			out[f.MAC()] = f.Name()
		}
	}
	return out
}
