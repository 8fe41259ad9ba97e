package apt

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"hostadm/internal/apt/cpusec"
)

// Warning is a hostadm extension: a repository problem Proxmox's web UI
// shows only in the browser (or not at all), with the one action that
// fixes it.
type Warning struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
	Index   *int   `json:"index,omitempty"`
	Fix     Fix    `json:"fix"`
}

// Fix is the action that resolves a warning: an API call when one exists,
// otherwise a described edit.
type Fix struct {
	Description string         `json:"description"`
	Method      string         `json:"method,omitempty"`
	APIPath     string         `json:"api-path,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
}

func addStandardFix(handle, why string) Fix {
	return Fix{Description: why, Method: "PUT", APIPath: "/nodes/{node}/apt/repositories",
		Params: map[string]any{"handle": handle}}
}

// warnings computes the extra checks over a snapshot.
func (s *Service) warnings(sn *Snapshot, std []StandardStatus, codename string) []Warning {
	out := []Warning{}
	enabled := func(h string) bool {
		for _, st := range std {
			if st.Handle == h && st.Status != nil && *st.Status {
				return true
			}
		}
		return false
	}
	if !s.cfg.Root.Exists("/etc/subscription") {
		out = append(out, s.enterpriseWithoutKey(sn, std, codename)...)
	}
	if !enabled("enterprise") && !enabled("no-subscription") && !enabled("test") {
		out = append(out, Warning{ID: "no-proxmox-repository", Message: "No Proxmox VE repository is enabled!",
			Fix: addStandardFix("no-subscription", "Add the no-subscription repository (or the enterprise repository with a subscription).")})
	}
	if enabled("no-subscription") {
		out = append(out, Warning{ID: "no-subscription-in-production", Message: "The no-subscription repository is not recommended for production use!",
			Fix: addStandardFix("enterprise", "Use the enterprise repository with a subscription key for production.")})
	}
	if !hasSecurityRepo(sn, codename) {
		line := fmt.Sprintf("deb http://security.debian.org/debian-security %s-security main contrib", codename)
		out = append(out, Warning{ID: "no-debian-security-repository", Message: "No Debian security repository is enabled!",
			Fix: Fix{Description: fmt.Sprintf("Add the line '%s' to %s.", line, sourcesList)}})
	}
	if w := s.firmwareWarning(sn, codename); w != nil {
		out = append(out, *w)
	}
	return out
}

// enterpriseWithoutKey flags every enabled enterprise repository: without
// a subscription key apt-get update fails on them.
func (s *Service) enterpriseWithoutKey(sn *Snapshot, std []StandardStatus, codename string) []Warning {
	var out []Warning
	for _, f := range sn.Files {
		for i, r := range f.File.Repos {
			if !r.Enabled {
				continue
			}
			for _, st := range std {
				if strings.HasSuffix(st.Handle, "enterprise") && st.References(r, codename) {
					idx := i
					out = append(out, Warning{ID: "enterprise-without-subscription", Path: f.Path, Index: &idx,
						Message: fmt.Sprintf("The %s repository is enabled, but there is no subscription key.", st.Name),
						Fix: Fix{Description: "Disable the enterprise repository (then add the matching no-subscription repository).",
							Method: "POST", APIPath: "/nodes/{node}/apt/repositories",
							Params: map[string]any{"path": f.Path, "index": i, "enabled": 0}}})
				}
			}
		}
	}
	return out
}

func hasSecurityRepo(sn *Snapshot, codename string) bool {
	for _, f := range sn.Files {
		for _, r := range f.File.Repos {
			if r.Enabled && slices.Contains(r.Types, "deb") && (isSecurityRepo(r) || anyURIHas(r.URIs, "debian-security")) &&
				slices.Contains(r.Suites, codename+"-security") {
				return true
			}
		}
	}
	return false
}

func anyURIHas(uris []string, s string) bool {
	return slices.ContainsFunc(uris, func(u string) bool { return strings.Contains(u, s) })
}

// firmwareComponent is where Debian ships CPU microcode for a release.
func firmwareComponent(codename string) string {
	if codenameIndex(codename) < codenameIndex("bookworm") {
		return "non-free"
	}
	return "non-free-firmware"
}

// firmwareWarning: the CPU wants a microcode package, but no enabled
// Debian main-archive entry carries the firmware component.
func (s *Service) firmwareWarning(sn *Snapshot, codename string) *Warning {
	pkg := cpusec.MicrocodePackage(s.cpuVendor())
	if pkg == "" {
		return nil
	}
	comp := firmwareComponent(codename)
	enabled, first, firstIdx := firmwareEnabled(sn, codename)
	if enabled {
		return nil
	}
	w := &Warning{ID: "firmware-component-missing",
		Message: fmt.Sprintf("The Debian '%s' component is not enabled, so the CPU microcode package '%s' cannot be installed or updated.", comp, pkg)}
	if first != nil {
		w.Path, w.Index = first.Path, &firstIdx
		w.Fix = Fix{Description: fmt.Sprintf("Add the component '%s' to the Debian entries (entry %d of %s first; GET the same path previews the change and gives the digest to send), run apt update, then install '%s'.", comp, firstIdx, first.Path, pkg),
			Method: "PUT", APIPath: "/nodes/{node}/apt/firmware-component"}
	} else {
		w.Fix.Description = fmt.Sprintf("Add a Debian '%s' entry with the components 'main %s', run apt update, then install '%s'.", codename, comp, pkg)
	}
	return w
}

// firmwareEnabled tells whether an enabled Debian main-archive entry for
// the release carries the firmware component; otherwise it also returns
// the first such entry (the one to extend), if any.
func firmwareEnabled(sn *Snapshot, codename string) (bool, *SourceFile, int) {
	comp := firmwareComponent(codename)
	var first *SourceFile
	firstIdx := 0
	for _, f := range sn.Files {
		for i, r := range f.File.Repos {
			h := hostOf(firstOr(r.URIs))
			debian := h == "debian.org" || strings.HasSuffix(h, ".debian.org")
			if !r.Enabled || !debian || !slices.Contains(r.Types, "deb") || !slices.Contains(r.Suites, codename) {
				continue
			}
			if slices.Contains(r.Components, comp) {
				return true, nil, 0
			}
			if first == nil {
				first, firstIdx = f, i
			}
		}
	}
	return false, first, firstIdx
}

func firstOr(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// cpuVendor is the vendor_id of the first CPU in ROOT/proc/cpuinfo ("" when
// it cannot be read).
func (s *Service) cpuVendor() string {
	raw, err := s.cfg.Root.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	cpu, err := cpusec.ParseCPUInfo(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	return cpu.Vendor
}
