package ifaces

import (
	"bytes"
	"path/filepath"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// testKernel is the host every golden case runs against: two physical NICs,
// one of them up. NICs a file does not mention are added as Proxmox does.
func testKernel() *Kernel {
	return &Kernel{
		Physical: map[string][]string{"eno1": nil, "eno2": {"enx001122334455"}},
		Up:       map[string]bool{"eno1": true, "vmbr0": true, "lo": true},
	}
}

var ifupdown2 = Options{IfUpDown2: true}

func roundTrip(in []byte) ([]byte, error) {
	cfg, err := Parse(bytes.NewReader(in), testKernel())
	if err != nil {
		return nil, err
	}
	return cfg.Marshal(ifupdown2)
}

// TestGolden parses testdata/*.in, writes it, compares with *.golden, and
// checks that the golden file parsed and written again comes back unchanged.
func TestGolden(t *testing.T) {
	if ins, _ := filepath.Glob("testdata/*.in"); len(ins) < 10 {
		t.Fatalf("only %d golden cases", len(ins))
	}
	golden.Run(t, roundTrip)
}
