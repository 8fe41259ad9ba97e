package access

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// TokenSecrets is priv/token.cfg: one "<user>@<realm>!<tokenid> <secret>"
// line per API token, as PVE::TokenConfig reads and writes it.
type TokenSecrets struct {
	Secrets  map[string]string // full token id → secret
	Warnings []string
}

// ParseTokenSecrets reads token.cfg; malformed lines are skipped with a
// warning, like Proxmox does.
func ParseTokenSecrets(r io.Reader) (*TokenSecrets, error) {
	t := &TokenSecrets{Secrets: map[string]string{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		id, secret, ok := strings.Cut(line, " ")
		if ok && id != "" && secret != "" && !strings.ContainsAny(id+secret, " \t\r") {
			if _, _, err := SplitTokenID(id); err == nil {
				t.Secrets[id] = secret
				continue
			}
		}
		t.Warnings = append(t.Warnings, "skipping invalid token.cfg entry")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read token.cfg: %w", err)
	}
	return t, nil
}

// Write emits the secrets sorted by token id.
func (t *TokenSecrets) Write(w io.Writer) error {
	var b bytes.Buffer
	for _, id := range slices.Sorted(maps.Keys(t.Secrets)) {
		fmt.Fprintf(&b, "%s %s\n", id, t.Secrets[id])
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write token.cfg: %w", err)
	}
	return nil
}

// newUUID returns a random (version 4) UUID, the form of Proxmox's token
// secrets.
func newUUID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generate token secret: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
