package boot

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// firstLine is the first line of a host file, "" when it is missing (as
// Proxmox's get_first_line, whitespace kept).
func (s *Service) firstLine(p string) string {
	b, err := s.root.ReadFile(p)
	if err != nil {
		return ""
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}

// lines are the lines of a host file (nil when missing).
func (s *Service) lines(p string) ([]string, error) {
	b, err := s.root.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func (s *Service) writeLines(ctx context.Context, p string, lines []string) error {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if err := s.root.WriteFileContext(ctx, p, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// addEntry adds a line to a list file, kept sorted and unique (sort -u).
func (s *Service) addEntry(ctx context.Context, p, entry string) error {
	lines, err := s.lines(p)
	if err != nil {
		return err
	}
	return s.writeLines(ctx, p, sortUnique(append(lines, entry)))
}

// removeEntry drops every line equal to entry from a list file.
func (s *Service) removeEntry(ctx context.Context, p, entry string) error {
	lines, err := s.lines(p)
	if err != nil {
		return err
	}
	kept := slices.DeleteFunc(lines, func(l string) bool { return l == entry })
	return s.writeLines(ctx, p, kept)
}

func sortUnique(lines []string) []string {
	out := slices.Clone(lines)
	slices.Sort(out)
	return slices.Compact(out)
}
