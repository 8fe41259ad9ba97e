package directory

import (
	"bufio"
	"bytes"
	"io"
	"maps"
	"slices"
	"strings"
)

// Unit is a systemd unit file as Proxmox's Directory API reads and writes
// it: sections of keys, a key repeated keeps its values in order.
// Comments and blank lines are not kept (Proxmox's read_ini drops them
// too); Write orders sections and keys by name, as Proxmox's write_ini
// does, so the files hostadm writes are the files Proxmox writes.
type Unit map[string]map[string][]string

// ParseUnit reads a unit file. Lines outside a section are skipped.
func ParseUnit(r io.Reader) (Unit, error) {
	u := Unit{}
	var section string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			if end := strings.Index(line, "]"); end > 1 {
				section = line[1:end]
				if u[section] == nil {
					u[section] = map[string][]string{}
				}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			continue
		}
		u[section][k] = append(u[section][k], v)
	}
	return u, sc.Err()
}

// Get is the first value of a key, or "".
func (u Unit) Get(section, key string) string {
	if v := u[section][key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set sets a key to one value.
func (u Unit) Set(section, key, value string) {
	if u[section] == nil {
		u[section] = map[string][]string{}
	}
	u[section][key] = []string{value}
}

// Write writes the unit in write_ini's layout: "[Section]", "key=value"
// lines, a blank line after each section.
func (u Unit) Write(w io.Writer) error {
	var b bytes.Buffer
	for _, s := range slices.Sorted(maps.Keys(u)) {
		b.WriteString("[" + s + "]\n")
		for _, k := range slices.Sorted(maps.Keys(u[s])) {
			for _, v := range u[s][k] {
				b.WriteString(k + "=" + v + "\n")
			}
		}
		b.WriteString("\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// MountUnit is the unit Proxmox writes for a directory storage NAME on
// the file system with UUID.
func MountUnit(name, uuid, fstype string) Unit {
	u := Unit{}
	u.Set("Unit", "Description", "Mount storage '"+name+"' under /mnt/pve")
	u.Set("Install", "WantedBy", "multi-user.target")
	u.Set("Mount", "What", "/dev/disk/by-uuid/"+uuid)
	u.Set("Mount", "Where", MountPath(name))
	u.Set("Mount", "Type", fstype)
	u.Set("Mount", "Options", "defaults")
	return u
}
