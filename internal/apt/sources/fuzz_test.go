package sources

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzFormat checks, for any input: parsing never panics; a file that
// parses and validates writes without error; the written file parses and
// validates again and writing it once more gives the same bytes.
func fuzzFormat(f *testing.F, t FileType, glob string) {
	seeds, _ := filepath.Glob(glob)
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(tt *testing.T, in []byte) {
		file, err := Parse(bytes.NewReader(in), t)
		if err != nil || file.Validate() != nil {
			return
		}
		out, err := file.Bytes()
		if err != nil {
			tt.Fatalf("write of a valid file failed: %v", err)
		}
		again, err := Parse(bytes.NewReader(out), t)
		if err != nil {
			tt.Fatalf("written file does not parse: %v\n%q", err, out)
		}
		out2, err := again.Bytes()
		if err != nil {
			tt.Fatalf("written file does not validate: %v\n%q", err, out)
		}
		if !bytes.Equal(out, out2) {
			tt.Fatalf("not idempotent:\n%q\n%q", out, out2)
		}
	})
}

func FuzzList(f *testing.F)    { fuzzFormat(f, List, "testdata/*.list") }
func FuzzSources(f *testing.F) { fuzzFormat(f, Sources, "testdata/*.sources") }
