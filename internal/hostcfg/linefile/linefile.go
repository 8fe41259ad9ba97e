// Package linefile is the shape shared by the host config codecs that keep
// every line and own only a few (chronyconf, sysctlconf, timesyncdconf,
// resolvconf): a text file held as its lines, so that a file read and
// written back without changes comes out byte for byte, and the lines a
// codec does not own stay as they were.
package linefile

import (
	"fmt"
	"io"
	"strings"
)

// File is a text file split into lines. A codec embeds it and reads and
// replaces the lines it owns.
type File struct {
	Lines []string
	NoEOL bool // the last line had no newline
}

// Embedder is satisfied by *File and by a pointer to any struct that
// embeds File; it lets Parse fill a codec's own file type.
type Embedder[T any] interface {
	*T
	file() *File
}

func (f *File) file() *File { return f }

// Parse reads all of r into a new T: File itself, or a codec's file type
// that embeds File, as in chronyconf's
//
//	func Parse(r io.Reader) (*File, error) { return linefile.Parse[File](r, "chrony config") }
//
// name says what the file is in errors ("read chrony config: ...").
func Parse[T any, P Embedder[T]](r io.Reader, name string) (*T, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	t := new(T)
	if s := string(b); s != "" {
		f := P(t).file()
		f.NoEOL = !strings.HasSuffix(s, "\n")
		f.Lines = strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	}
	return t, nil
}

// Write validates the lines and writes them, each ending in a newline but
// the last when NoEOL is set. name says what the file is in errors.
func (f *File) Write(w io.Writer, name string) error {
	if err := f.Validate(name); err != nil {
		return err
	}
	s := strings.Join(f.Lines, "\n")
	if len(f.Lines) > 0 && !f.NoEOL {
		s += "\n"
	}
	_, err := io.WriteString(w, s)
	return err
}

// Validate refuses a line holding a line break or NUL, which would not
// read back as the same line ("resolv.conf line 3: ...").
func (f *File) Validate(name string) error {
	for i, l := range f.Lines {
		if strings.ContainsAny(l, "\n\x00") {
			return fmt.Errorf("%s line %d: line break or NUL inside a line", name, i+1)
		}
	}
	return nil
}

// Replace returns lines with repl where the first line that owned matches
// was and without the other lines it matches; repl is appended when owned
// matches none. owned is called once per line, in order. With no repl it
// removes every matching line.
func Replace(lines []string, owned func(line string) bool, repl ...string) []string {
	var out []string
	placed := false
	for _, l := range lines {
		if !owned(l) {
			out = append(out, l)
			continue
		}
		if !placed {
			out = append(out, repl...)
			placed = true
		}
	}
	if !placed {
		out = append(out, repl...)
	}
	return out
}
