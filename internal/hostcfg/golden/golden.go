// Package golden runs golden-file tests: File compares output with a file
// in testdata (rewritten with -update) for any package's tests; Run does
// it for every testdata/NAME.in of a codec, and the golden file
// transformed again must come back unchanged (idempotence); Edit does it
// for one named edit of a codec's file. FuzzRoundTrip is their shared fuzz
// target: an untouched file must come back byte for byte.
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

// File compares got with the golden file at path, which -update rewrites
// first, and returns the golden content.
func File(t testing.TB, path string, got []byte) []byte {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
	return want
}

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
			want := File(t, strings.TrimSuffix(file, ".in")+".golden", got)
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

// Edit parses testdata/in, which must come back byte for byte when written
// untouched, applies edit and compares the written file with
// testdata/name.golden; the golden file parsed and written again must come
// back unchanged.
func Edit[C Codec](t *testing.T, parse func(io.Reader) (C, error), in, name string, edit func(C) error) {
	t.Helper()
	c, raw := Load(t, parse, in)
	if got := Written(t, c); !bytes.Equal(got, raw) {
		t.Fatalf("untouched %s does not round-trip:\n%s", in, got)
	}
	if err := edit(c); err != nil {
		t.Fatal(err)
	}
	want := File(t, filepath.Join("testdata", name+".golden"), Written(t, c))
	again, err := parse(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if b := Written(t, again); !bytes.Equal(b, want) {
		t.Errorf("golden file does not round-trip:\n%s", b)
	}
}

// Read reads testdata/name (a recorded output or an input file).
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Load parses testdata/name and returns the codec and the file's bytes.
func Load[C Codec](t testing.TB, parse func(io.Reader) (C, error), name string) (C, []byte) {
	t.Helper()
	raw := Read(t, name)
	c, err := parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return c, raw
}

// Written is what c writes.
func Written(t testing.TB, c Codec) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
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
