package ifaces

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ifqueryStanza is one object of `ifquery -a -o json`.
type ifqueryStanza struct {
	Name   string         `json:"name"`
	Family string         `json:"addr_family"`
	Method string         `json:"addr_method"`
	Auto   bool           `json:"auto"`
	Config map[string]any `json:"config"`
}

// ifquery asks Debian's ifupdown2 to parse a file, in a private mount
// namespace with its own /run and /var/tmp so no host state is touched.
func ifquery(t *testing.T, file string) []ifqueryStanza {
	t.Helper()
	script := `mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/tmp && exec ifquery -i "$1" -a -o json`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script, "sh", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ifquery %s: %v: %s", file, err, stderr.String())
	}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(l, "error:") {
			t.Errorf("ifquery: %s", l)
		}
	}
	var res []ifqueryStanza
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ifquery output: %v: %s", err, out)
	}
	return res
}

func needIfquery(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ifquery"); err != nil {
		t.Skip("ifupdown2 is not installed (scripts/deps.sh test installs it)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
}

// TestIfquerySecondOpinion has ifupdown2 read every golden file and checks
// that it sees the same auto interfaces, methods, addresses and ports as
// our parser.
func TestIfquerySecondOpinion(t *testing.T) {
	needIfquery(t)
	goldens, _ := filepath.Glob("testdata/*.golden")
	for _, g := range goldens {
		t.Run(filepath.Base(g), func(t *testing.T) {
			src, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(bytes.NewReader(src), testKernel())
			if err != nil {
				t.Fatal(err)
			}
			stanzas := ifquery(t, g)
			if len(stanzas) < 2 {
				t.Fatalf("ifquery saw only %d stanzas", len(stanzas))
			}
			for _, s := range stanzas {
				d := cfg.Ifaces[s.Name]
				if d == nil {
					t.Errorf("%s: ifupdown2 sees it, we do not", s.Name)
					continue
				}
				if s.Auto && !d.Autostart && !isOVSPort(d.Type) {
					t.Errorf("%s: auto for ifupdown2, not for us", s.Name)
				}
				compareStanza(t, s, d)
			}
		})
	}
}

func compareStanza(t *testing.T, s ifqueryStanza, d *Iface) {
	t.Helper()
	var wantAddrs []string
	switch s.Family {
	case "inet":
		if s.Method != d.Method {
			t.Errorf("%s: inet method %q, ours %q", s.Name, s.Method, d.Method)
		}
		wantAddrs = nonEmpty(d.CIDR)
	case "inet6":
		if s.Method != d.Method6 {
			t.Errorf("%s: inet6 method %q, ours %q", s.Name, s.Method, d.Method6)
		}
		wantAddrs = nonEmpty(d.CIDR6)
	default: // typeless
		wantAddrs = nonEmpty(d.CIDR, d.CIDR6)
	}
	if got := strList(s.Config["address"]); !slices.Equal(got, wantAddrs) {
		t.Errorf("%s/%s: addresses %v, ours %v", s.Name, s.Family, got, wantAddrs)
	}
	if p, ok := s.Config["bridge-ports"]; ok && d.Type == TypeBridge {
		want := d.Attr("bridge_ports")
		if want == "" {
			want = "none"
		}
		if got := strings.Join(strList(p), " "); got != want {
			t.Errorf("%s: bridge-ports %q, ours %q", s.Name, got, want)
		}
	}
}

func nonEmpty(v ...string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func strList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}
