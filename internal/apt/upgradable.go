package apt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Update is an entry of the upgradable list (GET apt/update).
type Update struct {
	Package      string `json:"Package"`
	Title        string `json:"Title"`
	Description  string `json:"Description"`
	Version      string `json:"Version"`
	OldVersion   string `json:"OldVersion,omitempty"`
	Origin       string `json:"Origin"`
	Section      string `json:"Section"`
	Arch         string `json:"Arch"`
	Priority     string `json:"Priority"`
	NotifyStatus string `json:"NotifyStatus,omitempty"`
}

// Host paths of the update cache and what it is checked against.
const (
	updatesCache = "/var/lib/pve-manager/pkgupdates"
	pkgCache     = "/var/cache/apt/pkgcache.bin"
	dpkgStatus   = "/var/lib/dpkg/status"
)

// SimInst is one "Inst" line of apt-get's simulated dist-upgrade.
type SimInst struct {
	Package, OldVersion, Version, Arch string
}

// ParseSimulation reads the Inst lines of `apt-get -s dist-upgrade`:
// "Inst NAME [OLD] (NEW RELEASES [ARCH])" ("[OLD]" only for upgrades).
func ParseSimulation(out []byte) []SimInst {
	var res []SimInst
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Inst ")
		if !ok {
			continue
		}
		name, rest, _ := strings.Cut(rest, " ")
		in := SimInst{Package: name}
		if old, ok := strings.CutPrefix(rest, "["); ok {
			in.OldVersion, rest, _ = strings.Cut(old, "] ")
		}
		rest, ok = strings.CutPrefix(rest, "(")
		if !ok {
			continue
		}
		in.Version, rest, _ = strings.Cut(rest, " ")
		if i := strings.LastIndex(rest, "["); i >= 0 {
			in.Arch, _, _ = strings.Cut(rest[i+1:], "]")
		}
		res = append(res, in)
	}
	return res
}

// computeUpdates asks apt what a dist-upgrade would install and fills in
// the package records from the cached indices.
func (s *Service) computeUpdates(ctx context.Context) ([]Update, error) {
	out, err := s.aptOutput(ctx, 5*time.Minute, "apt-get", "-s", "-q", "-o", "Debug::NoLocking=1", "dist-upgrade")
	if err != nil {
		return nil, fmt.Errorf("simulate dist-upgrade: %w", err)
	}
	return s.updatesFrom(ParseSimulation(out))
}

// updatesFrom builds the update entries for simulated installs.
func (s *Service) updatesFrom(insts []SimInst) ([]Update, error) {
	wanted := map[want]bool{}
	for _, in := range insts {
		wanted[want{in.Package, in.Version}] = true
	}
	recs, err := s.lookupRecords(wanted)
	if err != nil {
		return nil, err
	}
	out := []Update{}
	for _, in := range insts {
		u := Update{Package: in.Package, Version: in.Version, OldVersion: in.OldVersion, Arch: in.Arch, Origin: "unknown"}
		if r := recs[want{in.Package, in.Version}]; r != nil {
			u.Title, u.Description, u.Section, u.Priority, u.Origin = r.Title, r.Description, r.Section, r.Priority, r.Origin
			if r.Arch != "" {
				u.Arch = r.Arch
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// Updates returns the upgradable list, from the cache while it is newer
// than apt's package cache and the dpkg status, else recomputed.
func (s *Service) Updates(ctx context.Context) ([]Update, error) {
	if cached, ok := s.freshCache(); ok {
		return cached, nil
	}
	return s.refreshCache(ctx)
}

func (s *Service) freshCache() ([]Update, bool) {
	st, err := os.Stat(s.cfg.Root.Path(updatesCache))
	if err != nil {
		return nil, false
	}
	for _, dep := range []string{pkgCache, dpkgStatus} {
		if d, err := os.Stat(s.cfg.Root.Path(dep)); err == nil && !st.ModTime().After(d.ModTime()) {
			return nil, false
		}
	}
	list, err := s.readCache()
	return list, err == nil
}

func (s *Service) readCache() ([]Update, error) {
	raw, err := s.cfg.Root.ReadFile(updatesCache)
	if err != nil {
		return nil, err
	}
	var list []Update
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", updatesCache, err)
	}
	return list, nil
}

// refreshCache recomputes the list, keeps the notification status of
// versions already notified, and writes the cache.
func (s *Service) refreshCache(ctx context.Context) ([]Update, error) {
	list, err := s.computeUpdates(ctx)
	if err != nil {
		return nil, err
	}
	old, _ := s.readCache()
	notified := map[string]string{}
	for _, u := range old {
		notified[u.Package] = u.NotifyStatus
	}
	for i := range list {
		if n := notified[list[i].Package]; n == list[i].Version {
			list[i].NotifyStatus = n
		}
	}
	return list, s.writeCache(list)
}

func (s *Service) writeCache(list []Update) error {
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.cfg.Root.WriteFile(updatesCache, raw, 0o644)
}
