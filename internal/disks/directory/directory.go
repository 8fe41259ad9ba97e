// Package directory manages Proxmox VE's directory storages on local
// disks: a file system (ext4 or xfs) on the disk's single partition,
// mounted under /mnt/pve/NAME by a systemd mount unit in
// /etc/systemd/system, written in Proxmox's layout so either tool can
// manage it afterwards.
package directory

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"hostadm/internal/disks"
)

// UnitDir is where the mount units live.
const UnitDir = "/etc/systemd/system"

// reUnitFile matches the mount units of directory storages.
var reUnitFile = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^mnt-pve-(.+)\.mount$`) })

// MountPath is the mount point of storage NAME.
func MountPath(name string) string { return "/mnt/pve/" + name }

// UnitName is the mount unit of storage NAME (mnt-pve-NAME.mount with
// systemd's escaping).
func UnitName(name string) string { return disks.EscapeUnit(MountPath(name), true) + ".mount" }

// UnitPath is the host path of storage NAME's mount unit.
func UnitPath(name string) string { return UnitDir + "/" + UnitName(name) }

// Entry is one managed directory storage as GET disks/directory shows it.
type Entry struct {
	UnitFile string `json:"unitfile"`
	Path     string `json:"path"`
	Device   string `json:"device"`
	Type     string `json:"type"`
	Options  string `json:"options"`
}

// Service manages directory storages over a disks.Service.
type Service struct {
	d *disks.Service
}

// New returns a Service.
func New(d *disks.Service) *Service { return &Service{d: d} }

// Log is a task log.
type Log = disks.Log

// List reads every mnt-pve-*.mount unit, sorted by file name.
func (s *Service) List() ([]Entry, error) {
	ents, err := os.ReadDir(s.d.Root().Path(UnitDir))
	if os.IsNotExist(err) {
		return []Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", UnitDir, err)
	}
	out := []Entry{}
	for _, e := range ents {
		m := reUnitFile().FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		file := UnitDir + "/" + e.Name()
		b, err := s.d.Root().ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		u, err := ParseUnit(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		out = append(out, Entry{UnitFile: file, Path: MountPath(UnescapeUnit(m[1])),
			Device: u.Get("Mount", "What"), Type: u.Get("Mount", "Type"), Options: u.Get("Mount", "Options")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UnitFile < out[j].UnitFile })
	return out, nil
}

// UnescapeUnit is Proxmox's unescape_unit: "-" becomes "/", "\xNN" the
// byte NN.
func UnescapeUnit(v string) string {
	v = strings.ReplaceAll(v, "-", "/")
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			if n, err := strconv.ParseUint(v[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// Check is what the create endpoint refuses before its task: the mount
// point in use or a unit of that name already there.
func (s *Service) Check(name string) error {
	path := MountPath(name)
	if dev, ok := s.d.MountedPaths()[path]; ok {
		return fmt.Errorf("the path for '%s' is already mounted: %s (%s)", name, path, dev)
	}
	if s.d.Root().Exists(UnitPath(name)) {
		return fmt.Errorf("a systemd mount unit already exists: %s", UnitPath(name))
	}
	return nil
}
