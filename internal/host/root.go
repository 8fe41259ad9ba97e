// Package host is hostadm's only door to the node: every file lives under a
// Root prefix ("/" in production, a temporary directory in tests) and every
// command runs through a Runner by argument vector, never through a shell.
package host

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Root is a host root prefix. The zero value is not usable; build it with NewRoot.
type Root struct {
	dir     string
	journal Journal // nil: writes and reads are not reported
}

// NewRoot returns a Root for dir, which must be an absolute path.
func NewRoot(dir string) (Root, error) {
	if dir == "" {
		dir = "/"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Root{}, fmt.Errorf("host root %q: %w", dir, err)
	}
	return Root{dir: abs}, nil
}

// Dir is the prefix itself.
func (r Root) Dir() string { return r.dir }

// Path maps an absolute host path (like "/etc/hosts") to its place under the
// root. Relative components that would climb out of the root are cleaned away.
func (r Root) Path(p string) string {
	clean := filepath.Clean("/" + p)
	if r.dir == "/" {
		return clean
	}
	return filepath.Join(r.dir, clean)
}

// ReadFile reads a host file.
func (r Root) ReadFile(p string) ([]byte, error) {
	data, err := os.ReadFile(r.Path(p))
	if err == nil && r.journal != nil && r.journal.Records(p) {
		r.journal.Read(p, data)
	}
	return data, err
}

// Exists tells whether a host path exists.
func (r Root) Exists(p string) bool {
	_, err := os.Lstat(r.Path(p))
	return err == nil
}

// WriteFile writes a host file atomically with the given mode, creating the
// parent directories it needs.
// The journal records the change without an actor; callers that have the
// request's context use WriteFileContext.
func (r Root) WriteFile(p string, data []byte, mode fs.FileMode) error {
	return r.WriteFileContext(context.Background(), p, data, mode)
}

// Digest is the SHA-1 hex digest Proxmox uses for config files.
func Digest(data []byte) string {
	sum := sha1.Sum(data)
	return hex.EncodeToString(sum[:])
}

// ErrDigestMismatch is returned when a caller's digest does not match the
// current content. The API maps it to Proxmox's message.
var ErrDigestMismatch = errors.New("detected modified configuration - file changed by other user? Try again.")

// CheckDigest compares a client digest with the current one. An empty client
// digest means "no check", as in Proxmox.
func CheckDigest(current, client string) error {
	if client == "" || current == "" {
		return nil
	}
	if !strings.EqualFold(current, client) {
		return ErrDigestMismatch
	}
	return nil
}
