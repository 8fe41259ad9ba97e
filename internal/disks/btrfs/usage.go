package btrfs

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Usage is `btrfs filesystem usage -b PATH` parsed (bytes).
type Usage struct {
	DeviceSize    int64     `json:"device_size"`
	Allocated     int64     `json:"device_allocated"`
	Unallocated   int64     `json:"device_unallocated"`
	Missing       int64     `json:"device_missing"`
	Used          int64     `json:"used"`
	FreeEstimated int64     `json:"free_estimated"`
	FreeMin       int64     `json:"free_estimated_min"`
	FreeStatfs    int64     `json:"free_statfs"`
	DataRatio     float64   `json:"data_ratio"`
	MetadataRatio float64   `json:"metadata_ratio"`
	GlobalReserve int64     `json:"global_reserve"`
	MultiProfiles bool      `json:"multiple_profiles"`
	Allocations   []Profile `json:"allocations"`
	DeviceUnalloc []DevSize `json:"unallocated"`
}

// Profile is one block group type and its RAID profile ("Data,RAID1")
// with the space it holds on each device.
type Profile struct {
	Type    string    `json:"type"`
	Profile string    `json:"profile"`
	Size    int64     `json:"size"`
	Used    int64     `json:"used"`
	Devices []DevSize `json:"devices"`
}

// DevSize is a device and a byte count.
type DevSize struct {
	Device string `json:"device"`
	Bytes  int64  `json:"bytes"`
}

var reAlloc = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\w+),([\w/]+): Size:(\d+), Used:(\d+)`) })

// ParseUsage parses the output of `btrfs filesystem usage -b` (btrfs-progs
// 5.x and 6.x layout: an "Overall:" block of "Key:  value" lines, then one
// block per allocation type with per-device lines, then "Unallocated:").
// Unknown lines are skipped.
func ParseUsage(b []byte) *Usage {
	u := &Usage{}
	var cur *[]DevSize
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			cur = nil
		case t == "Unallocated:":
			cur = &u.DeviceUnalloc
		case reAlloc().MatchString(t):
			m := reAlloc().FindStringSubmatch(t)
			u.Allocations = append(u.Allocations, Profile{Type: m[1], Profile: m[2], Size: num(m[3]), Used: num(m[4])})
			cur = &u.Allocations[len(u.Allocations)-1].Devices
		case cur != nil && strings.HasPrefix(line, " "):
			if f := strings.Fields(t); len(f) == 2 {
				*cur = append(*cur, DevSize{f[0], num(f[1])})
			}
		default:
			u.overall(t)
		}
	}
	return u
}

func (u *Usage) overall(t string) {
	k, v, ok := strings.Cut(t, ":")
	if !ok {
		return
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return
	}
	ints := map[string]*int64{"Device size": &u.DeviceSize, "Device allocated": &u.Allocated,
		"Device unallocated": &u.Unallocated, "Device missing": &u.Missing, "Used": &u.Used,
		"Free (estimated)": &u.FreeEstimated, "Free (statfs, df)": &u.FreeStatfs, "Global reserve": &u.GlobalReserve}
	if p := ints[k]; p != nil {
		*p = num(f[0])
	}
	switch k {
	case "Data ratio":
		u.DataRatio, _ = strconv.ParseFloat(f[0], 64)
	case "Metadata ratio":
		u.MetadataRatio, _ = strconv.ParseFloat(f[0], 64)
	case "Multiple profiles":
		u.MultiProfiles = f[0] == "yes"
	case "Free (estimated)":
		if len(f) >= 3 && f[1] == "(min:" {
			u.FreeMin = num(strings.TrimSuffix(f[2], ")"))
		}
	}
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// Subvolume is one line of `btrfs subvolume list`.
type Subvolume struct {
	ID       int64  `json:"id"`
	Gen      int64  `json:"gen"`
	TopLevel int64  `json:"top_level"`
	Path     string `json:"path"`
	ReadOnly bool   `json:"readonly"`
}

var reSubvol = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ID (\d+) gen (\d+) top level (\d+) path (.+)$`) })

// ParseSubvolumes parses `btrfs subvolume list PATH`; readonly holds the
// output of `btrfs subvolume list -r PATH`, whose entries are marked.
func ParseSubvolumes(all, readonly []byte) []Subvolume {
	ro := map[int64]bool{}
	for _, s := range parseSubvolList(readonly) {
		ro[s.ID] = true
	}
	out := parseSubvolList(all)
	for i := range out {
		out[i].ReadOnly = ro[out[i].ID]
	}
	return out
}

func parseSubvolList(b []byte) []Subvolume {
	out := []Subvolume{}
	for _, line := range strings.Split(string(b), "\n") {
		if m := reSubvol().FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, Subvolume{ID: num(m[1]), Gen: num(m[2]), TopLevel: num(m[3]), Path: m[4]})
		}
	}
	return out
}

var reShowDev = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^devid\s+(\d+) size (\d+) used (\d+) path (\S+)`) })

// ParseShowDevices lists the member devices of `btrfs filesystem show
// --raw PATH`.
func ParseShowDevices(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if m := reShowDev().FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, m[4])
		}
	}
	return out
}
