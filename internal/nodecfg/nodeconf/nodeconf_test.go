package nodeconf

import (
	"bytes"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

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
	golden.RunEdit(t, Parse, func(*Config) error { return nil })
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

// TestDescriptionStable: bytes that are no valid UTF-8 are written as the
// U+FFFD the parser reads them back as, so a rewrite is stable (the fuzz
// input testdata/fuzz/FuzzParse/8818f06d42394393 was not).
func TestDescriptionStable(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // the file written, and written again
	}{
		{"description key", "description:\x890\n", "#%EF%BF%BD0\n"},
		{"encoded comment", "#a%FFb\n", "#a%EF%BF%BDb\n"},
		{"raw comment byte", "#a\xffb\nwakeonlan: aa:bb:cc:dd:ee:f0\n", "#a%EF%BF%BDb\nwakeonlan: aa:bb:cc:dd:ee:f0\n"},
		{"valid text unchanged", "#%C3%BC\n", "#%C3%BC\n"},
		// fuzz input testdata/fuzz/FuzzParse/626cf2d9dc1232a4: Parse
		// trims lines, so trailing spaces are written encoded
		{"lone encoded space", "#%20\n", "#%20\n"},
		{"trailing spaces", "#a%20%20\n#b\n", "#a%20%20\n#b\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := roundTrip(t, []byte(c.in))
			if string(out) != c.want {
				t.Errorf("written %q, want %q", out, c.want)
			}
			if again := roundTrip(t, out); !bytes.Equal(again, out) {
				t.Errorf("rewrite %q, want %q", again, out)
			}
		})
	}
	t.Run("model with invalid bytes", func(t *testing.T) {
		var out bytes.Buffer
		if err := (&Config{Description: "a\xffb\n"}).Write(&out); err != nil {
			t.Fatal(err)
		}
		back, _ := Parse(&out)
		if back.Description != "a\uFFFDb\n" {
			t.Errorf("read back %q", back.Description)
		}
	})
}
