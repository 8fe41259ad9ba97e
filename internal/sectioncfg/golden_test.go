package sectioncfg

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestGolden(t *testing.T) {
	ins, err := filepath.Glob("testdata/*.in")
	if err != nil || len(ins) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			s := schemaFor(name)
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := roundTrip(t, raw, s)
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n%s", golden, got)
			}
			if again := roundTrip(t, want, s); !bytes.Equal(again, want) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}

func roundTrip(t *testing.T, raw []byte, s *Schema) []byte {
	t.Helper()
	cfg, _, err := Parse(bytes.NewReader(raw), s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := cfg.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
