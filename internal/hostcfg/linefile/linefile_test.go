package linefile

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

func TestRoundTrip(t *testing.T) {
	for _, in := range []string{"", "a", "a\n", "a\n\nb", "\n", "# c\r\nk = v\n"} {
		f, err := Parse[File](strings.NewReader(in), "test file")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := f.Write(&out, "test file"); err != nil || out.String() != in {
			t.Errorf("%q -> %q, %v", in, out.String(), err)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestErrors(t *testing.T) {
	if f, err := Parse[File](failingReader{}, "resolv.conf"); f != nil || err == nil || err.Error() != "read resolv.conf: boom" {
		t.Errorf("parse error %v", err)
	}
	f := File{Lines: []string{"ok", "a\x00b"}}
	want := "resolv.conf line 2: line break or NUL inside a line"
	if err := f.Write(&bytes.Buffer{}, "resolv.conf"); err == nil || err.Error() != want {
		t.Errorf("write error %v", err)
	}
}

func TestReplace(t *testing.T) {
	isK := func(l string) bool { return strings.HasPrefix(l, "k") }
	for _, tc := range []struct {
		name  string
		lines []string
		repl  []string
		want  []string
	}{
		{"first replaced, others dropped", []string{"a", "k1", "b", "k2"}, []string{"x", "y"}, []string{"a", "x", "y", "b"}},
		{"appended when none", []string{"a"}, []string{"x"}, []string{"a", "x"}},
		{"removed without repl", []string{"k1", "a", "k2"}, nil, []string{"a"}},
		{"nothing left", []string{"k1"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Replace(tc.lines, isK, tc.repl...); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzRoundTrip(f *testing.F) {
	golden.FuzzRoundTrip(f, func(r io.Reader) (*codec, error) { return Parse[codec](r, "fuzz") }, "a\nb", "a\n")
}

// codec embeds File as the codecs do and gives it golden.Codec's Write.
type codec struct{ File }

func (c *codec) Write(w io.Writer) error { return c.File.Write(w, "fuzz") }
