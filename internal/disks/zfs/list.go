package zfs

import (
	"strconv"
	"strings"
)

// Pool is one line of `zpool list -HpPLo name,size,alloc,free,frag,dedup,health`.
type Pool struct {
	Name   string  `json:"name"`
	Size   int64   `json:"size"`
	Alloc  int64   `json:"alloc"`
	Free   int64   `json:"free"`
	Frag   int64   `json:"frag"`
	Dedup  float64 `json:"dedup"`
	Health string  `json:"health"`
}

// ParseList parses zpool list's scripted output; numbers that are "-"
// count as 0, as Perl's "+ 0" does.
func ParseList(b []byte) []Pool {
	out := []Pool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		dedup, _ := strconv.ParseFloat(strings.TrimSuffix(f[5], "x"), 64)
		out = append(out, Pool{Name: f[0], Size: num(f[1]), Alloc: num(f[2]), Free: num(f[3]),
			Frag: num(strings.TrimSuffix(f[4], "%")), Dedup: dedup, Health: f[6]})
	}
	return out
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// ParseMembers lists the /dev paths in `zpool list -vHPL NAME`.
func ParseMembers(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], "/dev/") && len(f[0]) > len("/dev/") {
			out = append(out, f[0])
		}
	}
	return out
}
