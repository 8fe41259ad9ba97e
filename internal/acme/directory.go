package acme

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Directory is a known ACME directory.
type Directory struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Directories are the CAs Proxmox offers by name.
func Directories() []Directory {
	return []Directory{
		{Name: "Let's Encrypt V2", URL: DirLetsEncrypt},
		{Name: "Let's Encrypt V2 Staging", URL: DirLetsEncryptStaging},
	}
}

// Meta fetches the directory and returns its meta object as the CA sent
// it (termsOfService, website, caaIdentities, ...).
func (s *Service) Meta(ctx context.Context, url string) (map[string]any, error) {
	if err := s.checkDirectory(url); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, fmt.Errorf("ACME directory %s: %w", url, err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ACME directory %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ACME directory %s: status %d %v", url, resp.StatusCode, err)
	}
	var dir struct {
		Meta map[string]any `json:"meta"`
	}
	if err := json.Unmarshal(body, &dir); err != nil {
		return nil, fmt.Errorf("ACME directory %s: %w", url, err)
	}
	if dir.Meta == nil {
		dir.Meta = map[string]any{}
	}
	return dir.Meta, nil
}

// ChallengeSchema is one entry of GET /cluster/acme/challenge-schema.
type ChallengeSchema struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Schema map[string]any `json:"schema"`
}

// ChallengeSchemas lists the DNS APIs hostadm supports with their KEYs.
func ChallengeSchemas() []ChallengeSchema {
	var out []ChallengeSchema
	for _, a := range DNSAPIs() {
		fields := map[string]any{}
		for _, f := range a.Fields {
			fd := map[string]any{"type": "string", "description": f.Description}
			if f.Optional {
				fd["optional"] = 1
			}
			fields[f.Key] = fd
		}
		out = append(out, ChallengeSchema{ID: a.Name, Name: a.Display, Type: TypeDNS, Schema: map[string]any{
			"name": a.Display, "fields": fields,
			"description": "Mapped to lego's '" + a.Lego + "' provider by hostadm.",
		}})
	}
	return out
}
