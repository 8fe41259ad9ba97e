package nodeconf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func roundTrip(t *testing.T, in []byte) []byte {
	t.Helper()
	c, err := Parse(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestGolden parses every testdata/*.in, writes it back and compares with
// the .golden file; the golden file itself must then come back unchanged.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.in")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := roundTrip(t, in)
			golden := strings.TrimSuffix(f, ".in") + ".golden"
			if *update {
				os.WriteFile(golden, got, 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if again := roundTrip(t, want); !bytes.Equal(again, want) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}

func TestDescription(t *testing.T) {
	c := &Config{Description: "Rack 4: top\n100% ünïcode\n\nlast\n", Values: map[string]string{"wakeonlan": "aa:bb:cc:dd:ee:f0"}}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	want := "#Rack 4%3A top\n#100%25 %C3%BCn%C3%AFcode\n#\n#last\nwakeonlan: aa:bb:cc:dd:ee:f0\n"
	if out.String() != want {
		t.Fatalf("got %q want %q", out.String(), want)
	}
	back, _ := Parse(strings.NewReader(want))
	if back.Description != c.Description {
		t.Errorf("description %q, want %q", back.Description, c.Description)
	}
}

func TestRefusesNewline(t *testing.T) {
	c := &Config{Values: map[string]string{"wakeonlan": "aa:bb:cc:dd:ee:f0\nacme: x"}}
	err := c.Write(&bytes.Buffer{})
	if err == nil || err.Error() != "detected invalid newline inside property 'wakeonlan'" {
		t.Fatalf("err %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("#a%3Ab\nwakeonlan: aa:bb:cc:dd:ee:f0\n"))
	f.Add([]byte("description: x\nacme: domains=a.example\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := Parse(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if c.Write(&out) != nil {
			return
		}
		if again := roundTrip(t, out.Bytes()); !bytes.Equal(again, out.Bytes()) {
			t.Fatalf("not stable: %q -> %q", out.Bytes(), again)
		}
	})
}
