package apt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hostadm/internal/schema"
)

// ErrNoDebianEntry is returned when no enabled Debian archive entry exists
// to which the firmware component could be added.
var ErrNoDebianEntry = errors.New("no enabled Debian archive entry to extend")

// FirmwareEntry is one repository entry that gains the firmware component.
type FirmwareEntry struct {
	Path   string   `json:"path"`
	Index  int      `json:"index"`
	Suites []string `json:"suites"`
	Before []string `json:"components-before"`
	After  []string `json:"components-after"`
}

// FirmwareFile is one source file the change rewrites, with a line diff.
type FirmwareFile struct {
	Path string `json:"path"`
	Diff string `json:"diff"`
}

// FirmwarePlan is hostadm's answer for enabling Debian's firmware
// component (non-free-firmware; non-free before bookworm): what changes,
// shown before anything is written.
type FirmwarePlan struct {
	Component string          `json:"component"`
	Enabled   int             `json:"enabled"` // the component was already on every Debian entry
	Entries   []FirmwareEntry `json:"entries"`
	Files     []FirmwareFile  `json:"files"`
	Digest    string          `json:"digest"` // of the sources the plan was made from
	Written   int             `json:"written"`
}

// FirmwarePlan previews enabling the firmware component on every enabled
// Debian archive entry of the running release.
func (s *Service) FirmwarePlan() (*FirmwarePlan, error) {
	sn, err := s.Read()
	if err != nil {
		return nil, err
	}
	p, _, err := s.planFirmware(sn)
	return p, err
}

// EnableFirmware adds the firmware component. With dryRun it only answers
// the plan. A stale digest, or no Debian entry to extend, changes nothing.
func (s *Service) EnableFirmware(ctx context.Context, digest string, dryRun bool) (*FirmwarePlan, error) {
	var p *FirmwarePlan
	err := s.editSources(ctx, digest, func(sn *Snapshot) error {
		plan, files, err := s.planFirmware(sn)
		p = plan
		if err != nil || dryRun {
			return err
		}
		for _, f := range files {
			if err := s.writeFile(ctx, f.Path, f.File); err != nil {
				return err
			}
		}
		p.Written = schema.Flag(len(files) > 0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planFirmware changes the snapshot's files in memory and describes it.
func (s *Service) planFirmware(sn *Snapshot) (*FirmwarePlan, []*SourceFile, error) {
	codename, err := s.Codename()
	if err != nil {
		return nil, nil, err
	}
	comp := firmwareComponent(codename)
	p := &FirmwarePlan{Component: comp, Entries: []FirmwareEntry{}, Files: []FirmwareFile{}, Digest: sn.Digest}
	var changed []*SourceFile
	debianEntries := 0
	for _, f := range sn.Files {
		before, err := f.File.Bytes()
		if err != nil {
			continue
		}
		touched := false
		for i, r := range f.File.Repos {
			if !isDebianArchiveEntry(r.Enabled, r.Types, r.URIs, r.Suites, r.Components, codename) {
				continue
			}
			debianEntries++
			if slices.Contains(r.Components, comp) {
				continue
			}
			e := FirmwareEntry{Path: f.Path, Index: i, Suites: r.Suites, Before: slices.Clone(r.Components)}
			r.Components = append(r.Components, comp)
			e.After = slices.Clone(r.Components)
			p.Entries = append(p.Entries, e)
			touched = true
		}
		if !touched {
			continue
		}
		after, err := f.File.Bytes()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		p.Files = append(p.Files, FirmwareFile{Path: f.Path, Diff: lineDiff(f.Path, string(before), string(after))})
		changed = append(changed, f)
	}
	if debianEntries == 0 {
		return nil, nil, fmt.Errorf("%w for '%s': add one with the components 'main %s' first", ErrNoDebianEntry, codename, comp)
	}
	p.Enabled = schema.Flag(len(p.Entries) == 0)
	return p, changed, nil
}

// isDebianArchiveEntry: an enabled binary entry of Debian's archive
// (deb.debian.org, security.debian.org, mirrors under debian.org) for the
// release or its -updates/-security/-backports suites, carrying main.
func isDebianArchiveEntry(enabled bool, types, uris, suites, comps []string, codename string) bool {
	if !enabled || !slices.Contains(types, "deb") || !slices.Contains(comps, "main") {
		return false
	}
	h := hostOf(firstOr(uris))
	if h != "debian.org" && !strings.HasSuffix(h, ".debian.org") {
		return false
	}
	return slices.ContainsFunc(suites, func(s string) bool {
		return s == codename || strings.HasPrefix(s, codename+"-") || strings.HasPrefix(s, codename+"/")
	})
}

// lineDiff is a unified-style diff of two small texts (whole files, no
// hunks): unchanged lines start with a space, removed with '-', added with '+'.
func lineDiff(name, a, b string) string {
	x, y := splitLines(a), splitLines(b)
	// lcs[i][j] is the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", name, name)
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out.WriteString(" " + x[i] + "\n")
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			out.WriteString("+" + y[j] + "\n")
			j++
		default:
			out.WriteString("-" + x[i] + "\n")
			i++
		}
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// boolInt is Proxmox's 1/0 for a boolean.
