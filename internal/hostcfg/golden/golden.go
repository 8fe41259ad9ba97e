// Package golden runs the golden-file tests of hostcfg's codecs: every
// testdata/NAME.in is transformed and compared with NAME.golden (rewritten
// with -update), and the golden file transformed again must come back
// unchanged (idempotence). FuzzRoundTrip is their shared fuzz target: an
// untouched file must come back byte for byte.
package golden

import (
	"bytes"
	"flag"
	"io"
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

// Codec is a parsed file that writes itself back.
type Codec interface {
	Write(w io.Writer) error
}

// RunEdit is Run for a codec: each input is parsed, changed by edit and
// written back.
func RunEdit[C Codec](t *testing.T, parse func(io.Reader) (C, error), edit func(C) error) {
	t.Helper()
	Run(t, func(in []byte) ([]byte, error) {
		c, err := parse(bytes.NewReader(in))
		if err != nil {
			return nil, err
		}
		if err := edit(c); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		err = c.Write(&out)
		return out.Bytes(), err
	})
}

// FuzzRoundTrip checks that whatever parses and writes without an error
// comes back byte for byte.
func FuzzRoundTrip[C Codec](f *testing.F, parse func(io.Reader) (C, error), seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := parse(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if c.Write(&out) == nil && !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("%q -> %q", in, out.Bytes())
		}
	})
}
