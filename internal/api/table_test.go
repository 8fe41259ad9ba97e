package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/api"
	"hostadm/internal/schema"
)

// TestTableDeclarations walks the endpoint table: every endpoint declares a
// permission, a parameter schema naming its path parameters, a return
// schema and a handler, and known named formats only.
func TestTableDeclarations(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range api.Table() {
		key := e.Method + " " + e.Path
		t.Run(key, func(t *testing.T) {
			if seen[key] {
				t.Fatal("declared twice")
			}
			seen[key] = true
			if !e.Perm.Declared() {
				t.Error("no permission declaration")
			}
			if e.Params == nil || e.Params.Type != schema.TObject {
				t.Fatal("no parameter schema")
			}
			if e.Returns == nil {
				t.Error("no return schema")
			}
			if e.Handler == nil {
				t.Error("no handler")
			}
			if e.Description == "" {
				t.Error("no description")
			}
			for _, c := range strings.Split(e.Path, "/") {
				if strings.HasPrefix(c, "{") {
					name := strings.Trim(c, "{}")
					// Optional only with a default, as Proxmox declares
					// /cluster/acme/account/{name}.
					if ps := e.Params.Properties[name]; ps == nil || ps.Optional && ps.Default == nil {
						t.Errorf("path parameter %s not declared as required", name)
					}
				}
			}
			for name, ps := range e.Params.Properties {
				if ps.Format != "" && !schema.HasFormat(ps.Format) {
					t.Errorf("parameter %s: unknown format %s", name, ps.Format)
				}
			}
		})
	}
}

type pveParam struct {
	Type     string   `json:"type"`
	Optional int      `json:"optional"`
	Enum     []string `json:"enum"`
	Format   any      `json:"format"`
	Minimum  *float64 `json:"minimum"`
	Maximum  *float64 `json:"maximum"`
	Pattern  string   `json:"pattern"`
	MaxLen   *int     `json:"maxLength"`
}

type pveMethod struct {
	Parameters struct {
		Properties map[string]pveParam `json:"properties"`
	} `json:"parameters"`
	Permissions map[string]any `json:"permissions"`
	AllowToken  *int           `json:"allowtoken"`
	Protected   int            `json:"protected"`
}

// TestCompatibleWithProxmoxSchema compares every endpoint that Proxmox VE
// 9.1 also has with its published schema (../shared/spec): the same
// parameter names, types, optionality, enumerations, ranges and formats.
func TestCompatibleWithProxmoxSchema(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	specPath := filepath.Join(filepath.Dir(self), "../../../shared/spec/pve-api-host.json")
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Skipf("Proxmox schema not available: %v", err)
	}
	var spec struct {
		Endpoints []struct {
			Path string               `json:"path"`
			Info map[string]pveMethod `json:"info"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	pve := map[string]pveMethod{}
	for _, e := range spec.Endpoints {
		for m, info := range e.Info {
			pve[m+" "+e.Path] = info
		}
	}
	compared := 0
	for _, e := range api.Table() {
		want, ok := pve[e.Method+" "+e.Path]
		if !ok {
			continue
		}
		compared++
		t.Run(e.Method+" "+e.Path, func(t *testing.T) {
			comparePerm(t, e, want)
			for name, wp := range want.Parameters.Properties {
				for _, n := range expandIndexed(name, e.Params.Properties) {
					got := e.Params.Properties[n]
					if got == nil {
						t.Errorf("parameter %s missing", n)
						continue
					}
					compareParam(t, n, got, wp, slices.Contains(e.Extensions, n))
				}
			}
			for name := range e.Params.Properties {
				if slices.Contains(e.Extensions, name) {
					continue
				}
				if _, ok := want.Parameters.Properties[indexedName(name)]; !ok {
					if _, ok := want.Parameters.Properties[name]; !ok {
						t.Errorf("parameter %s is not in Proxmox's schema", name)
					}
				}
			}
		})
	}
	if compared == 0 {
		t.Fatal("no endpoint compared")
	}
}

func comparePerm(t *testing.T, e *api.Endpoint, want pveMethod) {
	t.Helper()
	user, _ := want.Permissions["user"].(string)
	switch {
	case user == "world" && !e.Perm.World:
		t.Error("Proxmox needs no authentication here")
	case user == "all" && !e.Perm.All:
		t.Error("Proxmox lets any authenticated user call this")
	case want.Permissions["check"] != nil && e.Perm.Check == nil:
		t.Errorf("Proxmox checks %v", want.Permissions["check"])
	}
	if want.AllowToken != nil && *want.AllowToken == 0 && !e.NoToken {
		t.Error("Proxmox refuses API tokens here")
	}
	if want.Protected == 1 && !e.Protected {
		t.Error("Proxmox marks this protected")
	}
}

func compareParam(t *testing.T, name string, got *schema.Schema, want pveParam, extended bool) {
	t.Helper()
	if got.Type != want.Type && !(want.Type == "" && got.Type == schema.TString) {
		t.Errorf("%s: type %s, Proxmox %s", name, got.Type, want.Type)
	}
	if got.Optional != (want.Optional == 1) {
		t.Errorf("%s: optional %v, Proxmox %v", name, got.Optional, want.Optional == 1)
	}
	if extended && len(got.Enum) > len(want.Enum) && slices.Equal(got.Enum[:len(want.Enum)], want.Enum) {
		// hostadm extends the enumeration after Proxmox's values.
	} else if strings.Join(got.Enum, ",") != strings.Join(want.Enum, ",") {
		t.Errorf("%s: enum %v, Proxmox %v", name, got.Enum, want.Enum)
	}
	if f, ok := want.Format.(string); ok && f != got.Format {
		t.Errorf("%s: format %q, Proxmox %q", name, got.Format, f)
	}
	if !sameNum(got.Minimum, want.Minimum) || !sameNum(got.Maximum, want.Maximum) {
		t.Errorf("%s: range %v..%v, Proxmox %v..%v", name, deref(got.Minimum), deref(got.Maximum), deref(want.Minimum), deref(want.Maximum))
	}
	if want.MaxLen != nil && (got.MaxLength == nil || *got.MaxLength != *want.MaxLen) {
		t.Errorf("%s: maxLength differs from Proxmox's %d", name, *want.MaxLen)
	}
}

func sameNum(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// expandIndexed turns a schema dump's "acmedomain[n]" into the numbered
// parameters an endpoint declares (acmedomain0, acmedomain1, ...); other
// names stay as they are.
func expandIndexed(name string, have map[string]*schema.Schema) []string {
	prefix, ok := strings.CutSuffix(name, "[n]")
	if !ok {
		return []string{name}
	}
	var out []string
	for n := range have {
		if indexedName(n) == name {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return []string{prefix + "0"}
	}
	return out
}

// indexedName maps "acmedomain3" to "acmedomain[n]" ("" when not numbered).
func indexedName(n string) string {
	base := strings.TrimRight(n, "0123456789")
	if base == n || base == "" {
		return ""
	}
	return base + "[n]"
}
