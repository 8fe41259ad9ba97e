package sectioncfg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParse(f *testing.F) {
	ins, _ := filepath.Glob("testdata/*.in")
	for i, in := range ins {
		raw, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint8(i))
	}
	f.Add([]byte("a: x\n\tdisable 0\n\ttags t\n\n"), uint8(2))
	f.Add([]byte("graphite:\n  server s\r\n\nGRAPHITE: g2 \n\tport 1\n"), uint8(0))
	schemas := []func() *Schema{statusSchema, storageSchema, mixedSchema}
	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		s := schemas[int(which)%len(schemas)]()
		cfg, _, err := Parse(bytes.NewReader(raw), s)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := cfg.Write(&out); err != nil {
			t.Fatalf("write of a parsed config: %v", err)
		}
		again, warns, err := Parse(bytes.NewReader(out.Bytes()), s)
		if err != nil || len(warns) != 0 {
			t.Fatalf("re-parse: %v %v\n%q", err, warns, out.String())
		}
		if diff := cmp.Diff(written(cfg), written(again), cmp.AllowUnexported(Section{})); diff != "" {
			t.Fatalf("sections differ after a round trip (-first +second):\n%s\n%q", diff, out.String())
		}
		var out2 bytes.Buffer
		if err := again.Write(&out2); err != nil || !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("second write differs: %v\n%q\n%q", err, out.String(), out2.String())
		}
	})
}

// written is what the writer keeps of the sections: PVE drops a false
// `disable` rather than writing `disable 0`.
func written(c *Config) []Section {
	out := make([]Section, len(c.Sections))
	for i, s := range c.Sections {
		p := map[string]any{}
		for k, v := range s.Props {
			if k == "disable" && v == false {
				continue
			}
			p[k] = v
		}
		out[i] = Section{Type: s.Type, ID: s.ID, Props: p}
	}
	return out
}

func TestWrittenDropsFalseDisable(t *testing.T) {
	cfg, _, _ := Parse(strings.NewReader("a: xx\n\tdata d\n\tdisable 0\n"), mixedSchema())
	var b bytes.Buffer
	if err := cfg.Write(&b); err != nil || b.String() != "a: xx\n\tdata d\n\n" {
		t.Fatalf("%v %q", err, b.String())
	}
}
