package apt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"hostadm/internal/apt/sources"
)

// SourceFile is one parsed source file with the digest of its bytes.
type SourceFile struct {
	Path   string // host path
	File   *sources.File
	Digest [32]byte
}

// FileError is a source file that could not be read or parsed.
type FileError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Snapshot is every configured source file, as read at one moment.
type Snapshot struct {
	Files  []*SourceFile
	Errors []FileError
	Digest string // overall digest, FORMATS.md §6.3
}

// File returns the parsed file at a host path.
func (sn *Snapshot) File(p string) *SourceFile {
	for _, f := range sn.Files {
		if f.Path == p {
			return f
		}
	}
	return nil
}

// ErrorFor returns the error recorded for a host path.
func (sn *Snapshot) ErrorFor(p string) *FileError {
	for i := range sn.Errors {
		if sn.Errors[i].Path == p {
			return &sn.Errors[i]
		}
	}
	return nil
}

// Read reads sources.list and sources.list.d with Proxmox's file rules:
// ignored names are skipped, bad names and unparsable files become errors
// that do not hide the other files.
func (s *Service) Read() (*Snapshot, error) {
	sn := &Snapshot{}
	if st, err := os.Stat(s.cfg.Root.Path(sourcesList)); err == nil {
		if st.Mode().IsRegular() {
			s.readOne(sn, sourcesList, sources.List)
		} else {
			sn.Errors = append(sn.Errors, FileError{sourcesList, "not a regular file!"})
		}
	}
	entries, err := os.ReadDir(s.cfg.Root.Path(sourcesListDir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil && isNotDir(err):
		sn.Errors = append(sn.Errors, FileError{sourcesListDir, "not a directory!"})
	case err != nil:
		return nil, err
	}
	for _, e := range entries {
		p := sourcesListDir + e.Name()
		if e.IsDir() {
			continue
		}
		t, ferr := fileTypeOf(e.Name())
		if ferr != "" {
			sn.Errors = append(sn.Errors, FileError{p, ferr})
		} else if t != "" {
			s.readOne(sn, p, t)
		}
	}
	sn.Digest = commonDigest(sn.Files)
	return sn, nil
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// fileTypeOf applies APT's and Proxmox's name rules: "" with no error for
// names APT ignores, an error message for invalid names.
func fileTypeOf(name string) (sources.FileType, string) {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return "", ""
	}
	ext := strings.TrimPrefix(path.Ext(name), ".")
	if ext == "" {
		return "", "invalid extension"
	}
	if strings.HasPrefix(ext, "dpkg-") || strings.HasPrefix(ext, "ucf-") ||
		slices.Contains([]string{"disabled", "bak", "save", "orig", "distUpgrade"}, ext) {
		return "", ""
	}
	if ext != "list" && ext != "sources" {
		return "", "invalid extension"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return "", "invalid characters in file name"
		}
	}
	return sources.FileType(ext), ""
}

func (s *Service) readOne(sn *Snapshot, p string, t sources.FileType) {
	raw, err := s.cfg.Root.ReadFile(p)
	if err != nil {
		sn.Errors = append(sn.Errors, FileError{p, err.Error()})
		return
	}
	f, err := sources.Parse(bytes.NewReader(raw), t)
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		sn.Errors = append(sn.Errors, FileError{p, err.Error()})
		return
	}
	sn.Files = append(sn.Files, &SourceFile{Path: p, File: f, Digest: sha256.Sum256(raw)})
}

// commonDigest is SHA-256 over the per-file digests ordered by path.
func commonDigest(files []*SourceFile) string {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b *SourceFile) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range sorted {
		h.Write(f.Digest[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}
