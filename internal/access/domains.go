package access

import (
	"bufio"
	"bytes"
	"context"
	"sort"
	"strings"
)

// parseDomains reads the realm headers, comments and default flags of
// domains.cfg (a section config) and adds the built-in realms pam and pve
// as PVE::Auth::Plugin does.
func parseDomains(data []byte) []Domain {
	var out []Domain
	var cur *Domain
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			typ, realm, ok := strings.Cut(t, ":")
			realm = strings.TrimSpace(realm)
			if !ok || !realmRe().MatchString(realm) {
				cur = nil
				continue
			}
			out = append(out, Domain{Realm: realm, Type: strings.ToLower(typ)})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			continue
		}
		k, v, _ := strings.Cut(t, " ")
		switch k {
		case "comment":
			cur.Comment = decodeText(strings.TrimSpace(v))
		case "default":
			if perlTrue(strings.TrimSpace(v)) {
				cur.Default = 1
			}
		}
	}
	have := map[string]int{}
	seenDefault := false
	for i := range out {
		have[out[i].Realm] = i
		if out[i].Default == 1 {
			if seenDefault {
				out[i].Default = 0
			}
			seenDefault = true
		}
	}
	for _, b := range []Domain{{Realm: "pam", Type: "pam", Comment: "Linux PAM standard authentication"},
		{Realm: "pve", Type: "pve", Comment: "Proxmox VE authentication server"}} {
		if i, ok := have[b.Realm]; ok {
			out[i].Type = b.Type
			if out[i].Comment == "" {
				out[i].Comment = b.Comment
			}
			continue
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Realm < out[j].Realm })
	return out
}

// Domains lists the authentication realms; pam and pve always exist.
func (s *Service) Domains(ctx context.Context) ([]Domain, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	return append([]Domain(nil), st.domains...), nil
}

func (st *state) realmType(realm string) string {
	for _, d := range st.domains {
		if d.Realm == realm {
			return d.Type
		}
	}
	return ""
}
