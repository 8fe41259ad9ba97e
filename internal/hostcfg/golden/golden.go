// Package golden runs the golden-file tests of hostcfg's codecs: every
// testdata/NAME.in is transformed and compared with NAME.golden (rewritten
// with -update), and the golden file transformed again must come back
// unchanged (idempotence).
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Run applies f to every testdata/*.in of the calling package.
func Run(t *testing.T, f func(in []byte) ([]byte, error)) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.in")
	if len(files) == 0 {
		t.Fatal("no golden inputs in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f(in)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(file, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(name, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			again, err := f(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, want) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}
