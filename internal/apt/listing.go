package apt

import (
	"hostadm/internal/apt/sources"
)

// Listing is the answer of GET /nodes/{node}/apt/repositories.
type Listing struct {
	Files         []FileJSON     `json:"files"`
	Errors        []FileError    `json:"errors"`
	Digest        string         `json:"digest"`
	Infos         []Info         `json:"infos"`
	StandardRepos []StandardJSON `json:"standard-repos"`
	// hostadm extensions (clients ignore unknown keys).
	Warnings []Warning    `json:"hostadm-warnings"`
	Keyring  *KeyringInfo `json:"hostadm-keyring,omitempty"`
}

// FileJSON is a parsed file as the API shows it.
type FileJSON struct {
	Path         string     `json:"path"`
	FileType     string     `json:"file-type"`
	Digest       []int      `json:"digest"`
	Repositories []RepoJSON `json:"repositories"`
}

// RepoJSON is a repository as the API shows it (PascalCase keys, booleans
// as 1/0 like Proxmox).
type RepoJSON struct {
	Types      []string     `json:"Types"`
	URIs       []string     `json:"URIs"`
	Suites     []string     `json:"Suites"`
	Components []string     `json:"Components,omitempty"`
	Options    []OptionJSON `json:"Options,omitempty"`
	Comment    string       `json:"Comment,omitempty"`
	FileType   string       `json:"FileType"`
	Enabled    int          `json:"Enabled"`
}

// OptionJSON is a repository option.
type OptionJSON struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// StandardJSON is an entry of `standard-repos`.
type StandardJSON struct {
	Handle      string `json:"handle"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Status      *int   `json:"status,omitempty"`
}

// Repositories builds the full listing.
func (s *Service) Repositories() (*Listing, error) {
	sn, err := s.Read()
	if err != nil {
		return nil, err
	}
	codename, err := s.Codename()
	if err != nil {
		return nil, err
	}
	l := &Listing{Errors: sn.Errors, Digest: sn.Digest, Infos: s.infos(sn, codename)}
	if l.Errors == nil {
		l.Errors = []FileError{}
	}
	if l.Infos == nil {
		l.Infos = []Info{}
	}
	l.Files = []FileJSON{}
	for _, f := range sn.Files {
		l.Files = append(l.Files, fileJSON(f))
	}
	std := standardStatus(sn, s.cfg.Product, codename)
	for _, st := range std {
		e := StandardJSON{Handle: st.Handle, Name: st.Name, Description: st.Description}
		if st.Status != nil {
			v := 0
			if *st.Status {
				v = 1
			}
			e.Status = &v
		}
		l.StandardRepos = append(l.StandardRepos, e)
	}
	l.Warnings = s.warnings(sn, std, codename)
	l.Keyring = s.keyringCheck(codename)
	return l, nil
}

func fileJSON(f *SourceFile) FileJSON {
	out := FileJSON{Path: f.Path, FileType: string(f.File.Type), Repositories: []RepoJSON{}}
	for _, b := range f.Digest {
		out.Digest = append(out.Digest, int(b))
	}
	for _, r := range f.File.Repos {
		out.Repositories = append(out.Repositories, repoJSON(r))
	}
	return out
}

func repoJSON(r *sources.Repository) RepoJSON {
	j := RepoJSON{Types: r.Types, URIs: r.URIs, Suites: r.Suites, Components: r.Components,
		Comment: r.Comment, FileType: string(r.FileType)}
	if r.Enabled {
		j.Enabled = 1
	}
	for _, o := range r.Options {
		j.Options = append(j.Options, OptionJSON{Key: o.Key, Values: o.Values})
	}
	return j
}
