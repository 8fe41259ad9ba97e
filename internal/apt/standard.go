package apt

import (
	"fmt"
	"slices"
	"strings"

	"hostadm/internal/apt/sources"
)

// Standard is one of Proxmox's standard repositories for a release.
type Standard struct {
	Handle      string
	Name        string
	Description string
	URIs        []string // the first is the one written; the others also count
	Component   string
	Path        string // host path of the file it is added to
}

// ArchiveKeyring is the keyring trixie's standard entries are signed with.
const ArchiveKeyring = "/usr/share/keyrings/proxmox-archive-keyring.gpg"

// cephReleases are the Ceph releases offered on each Debian release.
var cephReleases = map[string][]string{
	"bullseye": {"quincy"},
	"bookworm": {"quincy", "reef", "squid"},
	"trixie":   {"squid", "tentacle"},
}

// deb822From is the first release whose standard files are deb822.
const deb822From = "trixie"

// StandardRepos lists the standard repositories for a product and release,
// in Proxmox's order.
func StandardRepos(product, codename string) []Standard {
	modern := codenameIndex(codename) >= codenameIndex(deb822From)
	file := func(list, src string) string {
		if modern {
			return sourcesListDir + src
		}
		return list
	}
	test := "pvetest"
	if modern || product != "pve" {
		test = product + "-test"
	}
	uris := func(base string) []string {
		u := []string{base + "/" + product}
		if product == "pve" {
			u = append(u, base)
		}
		return u
	}
	out := []Standard{
		{"enterprise", "Enterprise", "This is the default, stable, and recommended repository, available for all Proxmox subscription users.",
			uris("https://enterprise.proxmox.com/debian"), product + "-enterprise",
			file(sourcesListDir+product+"-enterprise.list", product+"-enterprise.sources")},
		{"no-subscription", "No-Subscription", "This is the recommended repository for testing and non-production use. Its packages are not as heavily tested and validated as the production ready enterprise repository. You don't need a subscription key to access this repository.",
			uris("http://download.proxmox.com/debian"), product + "-no-subscription", file(sourcesList, "proxmox.sources")},
		{"test", "Test", "This repository contains the latest packages and is primarily used for test labs and by developers to test new features.",
			uris("http://download.proxmox.com/debian"), test, file(sourcesList, "proxmox.sources")},
	}
	if product != "pve" {
		return out
	}
	for _, rel := range cephReleases[codename] {
		name := "Ceph " + strings.ToUpper(rel[:1]) + rel[1:]
		path := file(sourcesListDir+"ceph.list", "ceph.sources")
		out = append(out,
			Standard{"ceph-" + rel + "-enterprise", name + " Enterprise", "This repository holds the production-ready Proxmox " + name + " packages.",
				[]string{"https://enterprise.proxmox.com/debian/ceph-" + rel}, "enterprise", path},
			Standard{"ceph-" + rel + "-no-subscription", name + " No-Subscription", "This repository holds the Proxmox " + name + " packages intended for non-production use.",
				[]string{"http://download.proxmox.com/debian/ceph-" + rel}, "no-subscription", path},
			Standard{"ceph-" + rel + "-test", name + " Test", "This repository contains the " + name + " packages before they are moved to the main repository.",
				[]string{"http://download.proxmox.com/debian/ceph-" + rel}, "test", path})
	}
	return out
}

// findStandard looks a handle up for a release.
func findStandard(product, codename, handle string) (Standard, error) {
	for _, st := range StandardRepos(product, codename) {
		if st.Handle == handle {
			return st, nil
		}
	}
	return Standard{}, fmt.Errorf("unknown repository handle '%s'", handle)
}

// References tells whether a configured repository is the standard one:
// type deb, one of its URIs (trailing '/' ignored), the release's suite
// and the component.
func (st Standard) References(r *sources.Repository, codename string) bool {
	uri := false
	for _, u := range r.URIs {
		uri = uri || slices.Contains(st.URIs, strings.TrimRight(u, "/"))
	}
	return uri && slices.Contains(r.Types, "deb") && slices.Contains(r.Suites, codename) &&
		slices.Contains(r.Components, st.Component)
}

// repository is the entry written when the standard repository is added.
func (st Standard) repository(codename string) *sources.Repository {
	r := &sources.Repository{Types: []string{"deb"}, URIs: st.URIs[:1], Suites: []string{codename},
		Components: []string{st.Component}, FileType: sources.List, Enabled: true}
	if strings.HasSuffix(st.Path, ".sources") {
		r.FileType = sources.Sources
		r.Options = []sources.Option{{Key: "Signed-By", Values: []string{ArchiveKeyring}}}
	}
	return r
}

// StandardStatus is a standard repository with its configuration status.
type StandardStatus struct {
	Standard
	Status *bool // nil: not configured
}

// standardStatus marks which standard repositories are configured: the
// first enabled reference wins, otherwise the last disabled one counts.
func standardStatus(sn *Snapshot, product, codename string) []StandardStatus {
	var out []StandardStatus
	for _, st := range StandardRepos(product, codename) {
		out = append(out, StandardStatus{Standard: st})
	}
	for _, f := range sn.Files {
		for _, r := range f.File.Repos {
			for i := range out {
				if out[i].Status != nil && *out[i].Status {
					continue
				}
				if out[i].References(r, codename) {
					on := r.Enabled
					out[i].Status = &on
				}
			}
		}
	}
	return out
}
