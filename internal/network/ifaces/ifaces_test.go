package ifaces

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testKernel is the host every golden case runs against: two physical NICs,
// one of them up. NICs a file does not mention are added as Proxmox does.
func testKernel() *Kernel {
	return &Kernel{
		Physical: map[string][]string{"eno1": nil, "eno2": {"enx001122334455"}},
		Up:       map[string]bool{"eno1": true, "vmbr0": true, "lo": true},
	}
}

var ifupdown2 = Options{IfUpDown2: true}

func roundTrip(t *testing.T, in []byte) ([]byte, error) {
	t.Helper()
	cfg, err := Parse(bytes.NewReader(in), testKernel())
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Marshal(ifupdown2)
}

// TestGolden parses testdata/*.in, writes it, compares with *.golden, and
// checks that the golden file parsed and written again comes back unchanged.
func TestGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/*.in")
	if len(ins) < 10 {
		t.Fatalf("only %d golden cases", len(ins))
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := roundTrip(t, src)
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n%s", golden, out)
			}
			again, err := roundTrip(t, want)
			if err != nil {
				t.Fatalf("rewrite golden: %v", err)
			}
			if !bytes.Equal(again, want) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}
