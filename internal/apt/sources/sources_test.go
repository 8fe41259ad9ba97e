package sources

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/hostcfg/golden"
)

func typeOf(name string) FileType {
	if strings.HasSuffix(name, ".sources") {
		return Sources
	}
	return List
}

func parseFile(t *testing.T, path string) *File {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(bytes.NewReader(raw), typeOf(path))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("validate %s: %v", path, err)
	}
	return f
}

// TestGolden parses every real-world file in testdata, writes it back in
// Proxmox's layout, and checks the written file and the parsed model
// against golden copies. The written file parsed and written again must
// come back unchanged (idempotence).
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.list")
	more, _ := filepath.Glob("testdata/*.sources")
	inputs = append(inputs, more...)
	if len(inputs) < 10 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			f := parseFile(t, in)
			out, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			goldenPath := filepath.Join("testdata", "golden", name)
			golden.File(t, goldenPath, out)
			model, _ := json.MarshalIndent(f.Repos, "", "  ")
			golden.File(t, goldenPath+".json", append(model, '\n'))

			again := parseFile(t, goldenPath)
			out2, err := again.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, out2) {
				t.Errorf("not idempotent:\n%s\n---\n%s", out, out2)
			}
			if diff := cmp.Diff(f, again, cmp.AllowUnexported(Option{})); diff != "" {
				t.Errorf("model changed on re-parse (-first +second):\n%s", diff)
			}
		})
	}
}

// TestBad checks Proxmox's error messages for broken files.
func TestBad(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/bad/*.list")
	more, _ := filepath.Glob("testdata/bad/*.sources")
	for _, in := range append(inputs, more...) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			raw, _ := os.ReadFile(in)
			f, err := Parse(bytes.NewReader(raw), typeOf(in))
			if err == nil {
				err = f.Validate()
			}
			if err == nil {
				t.Fatal("no error")
			}
			golden.File(t, strings.TrimSuffix(in, filepath.Ext(in))+".err", []byte(err.Error()+"\n"))
		})
	}
}

func TestSetEnabled(t *testing.T) {
	f := parseFile(t, "testdata/proxmox-trixie.sources")
	f.Repos[0].SetEnabled(false)
	out, _ := f.Bytes()
	if !strings.Contains(string(out), "Enabled: false\n") {
		t.Errorf("disable deb822:\n%s", out)
	}
	f.Repos[0].SetEnabled(true)
	out, _ = f.Bytes()
	if !strings.Contains(string(out), "Enabled: true\n") || strings.Count(string(out), "Enabled") != 1 {
		t.Errorf("re-enable deb822:\n%s", out)
	}
	l := parseFile(t, "testdata/pve-enterprise.list")
	l.Repos[0].SetEnabled(false)
	out, _ = l.Bytes()
	if want := "# deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n\n"; string(out) != want {
		t.Errorf("disable list: got %q want %q", out, want)
	}
}

func TestWriteRefusesInvalid(t *testing.T) {
	f := &File{Type: List, Repos: []*Repository{{Types: []string{"deb"}, URIs: []string{"http://a"}, Suites: []string{"x", "y"}, Components: []string{"main"}, FileType: List, Enabled: true}}}
	var b bytes.Buffer
	if err := f.Write(&b); err == nil || b.Len() != 0 {
		t.Fatalf("err %v, wrote %q", err, b.String())
	}
	if err := f.Validate(); err.Error() != "check for repository 1 - more than one suite" {
		t.Errorf("message: %v", err)
	}
}
