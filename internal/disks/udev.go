package disks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Udev is what `udevadm info --query all` reports for a device: the
// properties from the kernel's uevent file merged with udev's database
// entry (/run/udev/data/b<major>:<minor>), and the device's symlinks.
type Udev struct {
	Props map[string]string
	Links []string // absolute, like /dev/disk/by-id/ata-...
}

// ParseUdev merges a uevent file (KEY=VALUE lines) and a udev database
// file ("E:KEY=VALUE" properties, "S:link" symlinks relative to /dev).
// Either may be empty: without udev only the kernel's properties exist.
func ParseUdev(uevent, db []byte) *Udev {
	u := &Udev{Props: map[string]string{}}
	for _, line := range lines(uevent) {
		if k, v, ok := strings.Cut(line, "="); ok {
			u.Props[k] = v
		}
	}
	for _, line := range lines(db) {
		switch {
		case strings.HasPrefix(line, "E:"):
			if k, v, ok := strings.Cut(line[2:], "="); ok {
				u.Props[k] = v
			}
		case strings.HasPrefix(line, "S:"):
			u.Links = append(u.Links, "/dev/"+line[2:])
		}
	}
	return u
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// reByID picks the by-id link Proxmox shows (not nvme-eui).
var reByID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/dev/disk/by-id/(ata|scsi|nvme)`) })

// ByIDLink is the first /dev/disk/by-id/(ata|scsi|nvme) link that is not an
// nvme-eui one, or "".
func (u *Udev) ByIDLink() string {
	for _, l := range u.Links {
		if reByID().MatchString(l) && !strings.HasPrefix(l, "/dev/disk/by-id/nvme-eui") {
			return l
		}
	}
	return ""
}

// Mount is one line of /proc/mounts.
type Mount struct {
	Source, Target, FSType, Options string
}

// ParseMounts parses /proc/mounts, decoding the octal escapes the kernel
// uses for blanks and backslashes.
func ParseMounts(b []byte) []Mount {
	var out []Mount
	for _, line := range lines(b) {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		out = append(out, Mount{unescapeOctal(f[0]), unescapeOctal(f[1]), f[2], f[3]})
	}
	return out
}

func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

// BlkInfo is what lsblk (or blkid) tells about one device: the partition
// type GUID and the file-system type.
type BlkInfo struct {
	PartType string
	FSType   string
}

// ParseLsblk parses `lsblk --json -o path,parttype,fstype`.
func ParseLsblk(b []byte) (map[string]BlkInfo, error) {
	var doc struct {
		Blockdevices []struct {
			Path     string  `json:"path"`
			PartType *string `json:"parttype"`
			FSType   *string `json:"fstype"`
		} `json:"blockdevices"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse lsblk output: %w", err)
	}
	out := make(map[string]BlkInfo, len(doc.Blockdevices))
	for _, d := range doc.Blockdevices {
		var bi BlkInfo
		if d.PartType != nil {
			bi.PartType = strings.ToLower(*d.PartType)
		}
		if d.FSType != nil {
			bi.FSType = *d.FSType
		}
		out[d.Path] = bi
	}
	return out, nil
}

// ParseBlkid parses `blkid -p -o export DEV`: TYPE is the file-system
// type, PTTYPE the partition-table type, PART_ENTRY_TYPE the partition
// type GUID.
func ParseBlkid(b []byte) map[string]string {
	out := map[string]string{}
	for _, line := range lines(b) {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// ParseDeviceList collects the absolute /dev paths, one per line, that
// `pvs --noheadings --readonly -o pv_name` prints.
func ParseDeviceList(b []byte) map[string]bool {
	out := map[string]bool{}
	for _, line := range lines(b) {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "/dev/") {
			out[l] = true
		}
	}
	return out
}

// ParseZpoolDevices collects the member devices from `zpool list -HPLv`:
// the lines that start with a tab name a vdev or device in the first field.
func ParseZpoolDevices(b []byte) map[string]bool {
	out := map[string]bool{}
	for _, line := range lines(b) {
		if !strings.HasPrefix(line, "\t") {
			continue
		}
		name, _, _ := strings.Cut(line[1:], "\t")
		if name != "" {
			out[name] = true
		}
	}
	return out
}
