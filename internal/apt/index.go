package apt

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Record is a package's index entry, with the fields the update list needs.
type Record struct {
	Package, Version, Arch, Section, Priority string
	Title, Description                        string
	Origin                                    string
}

// want identifies a package version to look up.
type want struct{ name, version string }

// lookupRecords scans the cached Packages indices under the lists dir and
// returns the records of the wanted package versions, each with the
// Origin of the Release file its index came from.
func (s *Service) lookupRecords(wanted map[want]bool) (map[want]*Record, error) {
	lists := s.cfg.Root.Path(listsDir)
	files, err := filepath.Glob(filepath.Join(lists, "*_Packages"))
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for w := range wanted {
		names[w.name] = true
	}
	out := map[want]*Record{}
	for _, f := range files {
		origin := releaseOrigin(f)
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		err = scanIndex(fh, names, func(r *Record) {
			w := want{r.Package, r.Version}
			if wanted[w] && out[w] == nil {
				r.Origin = origin
				out[w] = r
			}
		})
		fh.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// releaseOrigin reads the Origin of the InRelease/Release file that a
// Packages index belongs to ("X_dists_S_main_binary-amd64_Packages" →
// "X_dists_S_InRelease"); "unknown" when there is none.
func releaseOrigin(packagesFile string) string {
	base := filepath.Base(packagesFile)
	i := strings.Index(base, "_dists_")
	if i < 0 {
		return "unknown"
	}
	rest := base[i+len("_dists_"):]
	dir := filepath.Dir(packagesFile)
	// The suite may itself contain '_' (from '/'); try the longest prefix.
	parts := strings.Split(rest, "_")
	for n := len(parts) - 1; n >= 1; n-- {
		prefix := base[:i] + "_dists_" + strings.Join(parts[:n], "_")
		for _, name := range []string{"_InRelease", "_Release"} {
			if raw, err := os.ReadFile(filepath.Join(dir, prefix+name)); err == nil {
				if o := releaseField(raw, "Origin"); o != "" {
					return o
				}
				return "unknown"
			}
		}
	}
	return "unknown"
}

// scanIndex calls fn for every stanza of a Packages index whose package
// name is in names; other stanzas are skipped without being parsed.
func scanIndex(r io.Reader, names map[string]bool, fn func(*Record)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256*1024), 16*1024*1024)
	var cur *Record
	skip := false
	inDesc := false
	var desc []string
	finish := func() {
		if cur != nil && !skip {
			cur.Description = strings.Join(desc, " ")
			fn(cur)
		}
		cur, skip, inDesc, desc = nil, false, false, nil
	}
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			finish()
			continue
		}
		if skip {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if inDesc {
				// As Proxmox: drop one leading blank, join with spaces.
				desc = append(desc, string(line[1:]))
			}
			continue
		}
		inDesc = false
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		val := strings.TrimSpace(string(v))
		switch string(k) {
		case "Package":
			if !names[val] {
				skip = true
				continue
			}
			cur = &Record{Package: val}
		case "Version":
			setIf(cur, func(r *Record) { r.Version = val })
		case "Architecture":
			setIf(cur, func(r *Record) { r.Arch = val })
		case "Section":
			setIf(cur, func(r *Record) { r.Section = val })
		case "Priority":
			setIf(cur, func(r *Record) { r.Priority = val })
		case "Description":
			setIf(cur, func(r *Record) { r.Title = val })
			inDesc = true
		}
	}
	finish()
	return sc.Err()
}

func setIf(r *Record, f func(*Record)) {
	if r != nil {
		f(r)
	}
}
