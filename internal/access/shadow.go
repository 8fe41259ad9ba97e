package access

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the argon2id parameters for new password hashes. Stored
// hashes carry their own parameters, so changing these never invalidates
// existing passwords.
type KDFParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// defaultKDF follows RFC 9106's second recommendation scaled to a node:
// 64 MiB, two passes, two lanes (55 ms per check on this project's 2-core test machine,
// BenchmarkCheckPasswordDefaultKDF).
var defaultKDF = KDFParams{MemoryKiB: 64 * 1024, Time: 2, Threads: 2}

// Limits on parameters read from a stored hash, so that a crafted
// shadow.cfg cannot make a login allocate unbounded memory.
const (
	maxKDFMemoryKiB = 1 << 20
	maxKDFTime      = 16
	maxKDFThreads   = 16
	kdfSaltLen      = 16
	kdfKeyLen       = 32
)

// Shadow is priv/shadow.cfg, the password store of the "pve" realm:
// "<name>:<hash>:" lines keyed by the user name without "@pve", as
// PVE::Auth::PVE keeps it. Proxmox writes crypt(3) SHA-256 hashes; hostadm
// writes argon2id hashes in PHC string form (no ':' or whitespace, so the
// line format is unchanged).
type Shadow struct {
	Hashes   map[string]string
	Warnings []string
}

var shadowLineRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\S+:\S+:$`) })

// ParseShadow reads shadow.cfg; invalid lines are skipped with a warning.
func ParseShadow(r io.Reader) (*Shadow, error) {
	s := &Shadow{Hashes: map[string]string{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !shadowLineRe().MatchString(line) {
			s.Warnings = append(s.Warnings, fmt.Sprintf("pve shadow password: ignore invalid line %d", n))
			continue
		}
		f := strings.Split(line, ":")
		s.Hashes[f[0]] = f[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read shadow.cfg: %w", err)
	}
	return s, nil
}

// Write emits the entries sorted by name.
func (s *Shadow) Write(w io.Writer) error {
	var b bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(s.Hashes)) {
		fmt.Fprintf(&b, "%s:%s:\n", name, s.Hashes[name])
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write shadow.cfg: %w", err)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// HashPassword returns an argon2id PHC string for password.
func HashPassword(password string, p KDFParams) (string, error) {
	salt := make([]byte, kdfSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, kdfKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword compares password with a stored argon2id PHC string in
// constant time. Hashes of other schemes (Proxmox's crypt $5$) are refused.
func CheckPassword(password, phc string) bool {
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p KDFParams
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > maxKDFMemoryKiB || p.Time == 0 || p.Time > maxKDFTime ||
		p.Threads == 0 || p.Threads > maxKDFThreads {
		return false
	}
	salt, err1 := b64.DecodeString(f[4])
	want, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
