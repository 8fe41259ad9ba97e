package apt

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"hostadm/internal/apt/sources"
)

// Info is one entry of the repositories listing's `infos`.
type Info struct {
	Path     string `json:"path"`
	Index    int    `json:"index"`
	Property string `json:"property,omitempty"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
}

// infos runs Proxmox's suite checks and origin lookup on every file.
func (s *Service) infos(sn *Snapshot, codename string) []Info {
	var out []Info
	for _, f := range sn.Files {
		for i, r := range f.File.Repos {
			idx := i
			for _, m := range suiteChecks(r, codename) {
				out = append(out, Info{Path: f.Path, Index: idx, Property: "Suites", Kind: m[0], Message: m[1]})
			}
			if o := s.origin(r); o != "" {
				out = append(out, Info{Path: f.Path, Index: idx, Kind: "origin", Message: o})
			}
		}
	}
	return out
}

// suiteChecks returns (kind, message) pairs for a repository's suites.
func suiteChecks(r *sources.Repository, current string) [][2]string {
	if !slices.Contains(r.Types, "deb") {
		return nil
	}
	cur := codenameIndex(current)
	requireSuffix := ""
	if isSecurityRepo(r) {
		requireSuffix = "/updates"
		if cur >= codenameIndex("bullseye") {
			requireSuffix = "-security"
		}
	}
	var out [][2]string
	add := func(kind, msg string) { out = append(out, [2]string{kind, msg}) }
	for _, suite := range r.Suites {
		base, suffix := suiteVariant(suite)
		switch base {
		case "oldoldstable", "oldstable":
			add("warning", fmt.Sprintf("old suite '%s' configured!", base))
		case "testing", "unstable", "experimental", "sid":
			add("warning", fmt.Sprintf("suite '%s' should not be used in production!", base))
		case "stable":
			add("warning", "use the name of the stable distribution instead of 'stable'!")
		}
		n := codenameIndex(base)
		if n < 0 {
			continue
		}
		switch {
		case n < cur:
			add("warning", fmt.Sprintf("old suite '%s' configured!", base))
		case n == cur+1:
			add("ignore-pre-upgrade-warning", fmt.Sprintf("suite '%s' should not be used in production!", base))
		case n > cur:
			add("warning", fmt.Sprintf("suite '%s' should not be used in production!", base))
		}
		if requireSuffix != "" && suffix != requireSuffix {
			add("warning", fmt.Sprintf("expected suite '%s%s'", current, requireSuffix))
		}
	}
	return out
}

// suiteVariant splits a suite at the first '-' or '/'.
func suiteVariant(s string) (string, string) {
	if i := strings.IndexAny(s, "-/"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func isSecurityRepo(r *sources.Repository) bool {
	for _, u := range r.URIs {
		u = strings.TrimRight(u, "/")
		u = strings.TrimRight(strings.TrimSuffix(u, "debian-security"), "/")
		if u == "http://security.debian.org" || u == "https://security.debian.org" {
			return true
		}
	}
	return false
}

// origin is the Origin of the cached InRelease (or Release) file, else a
// guess from the URI's host.
func (s *Service) origin(r *sources.Repository) string {
	for _, u := range r.URIs {
		for _, suite := range r.Suites {
			for _, name := range []string{"InRelease", "Release"} {
				p := listsDir + "/" + uriToFilename(u) + "_dists_" + strings.ReplaceAll(suite, "/", "_") + "_" + name
				raw, err := s.cfg.Root.ReadFile(p)
				if err != nil {
					continue
				}
				if o := releaseField(raw, "Origin"); o != "" {
					return o
				}
			}
		}
	}
	for _, u := range r.URIs {
		h := hostOf(u)
		switch {
		case h == "proxmox.com" || strings.HasSuffix(h, ".proxmox.com"):
			return "Proxmox"
		case h == "debian.org" || strings.HasSuffix(h, ".debian.org"):
			return "Debian"
		}
	}
	return ""
}

// releaseField returns a top-level field of a Release file.
func releaseField(raw []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// uriToFilename is APT's URItoFileName: the name of an index file in the
// lists directory.
func uriToFilename(uri string) string {
	name := uri
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	if strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://") {
		if i := strings.IndexByte(name, '@'); i >= 0 {
			name = name[i+1:]
		}
	}
	name = strings.TrimSuffix(name, "/")
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`\|{}[]<>"^~_=!@#$%^&*`, c) >= 0 {
			fmt.Fprintf(&b, "%%%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return strings.ReplaceAll(b.String(), "/", "_")
}

// hostOf is the host of an http(s) URI, "" otherwise.
func hostOf(uri string) string {
	rest, ok := strings.CutPrefix(uri, "http")
	if !ok {
		return ""
	}
	rest = strings.TrimPrefix(rest, "s")
	if rest, ok = strings.CutPrefix(rest, "://"); !ok {
		return ""
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
