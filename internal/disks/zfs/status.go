package zfs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Status is `zpool status -P` in Proxmox's shape.
type Status struct {
	Name     string
	State    string
	Status   string
	Action   string
	Scan     string
	Errors   string
	Fields   map[string]string // every "key: value" field, joined
	Children []*Vdev
}

// Vdev is a node of the pool's config tree: a vdev, a device or a
// section (logs, cache, spares) without counters.
type Vdev struct {
	Name     string
	State    string
	Read     *float64
	Write    *float64
	Cksum    *float64
	Msg      string
	Children []*Vdev
	level    int
}

var (
	reField  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(\S+): (\S+.*)$`) })
	reCont   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s+(\S+.*)$`) })
	reConfig = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*config:`) })
	reVdev   = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\s+)(\S+)\s*(\S+)?(?:\s+(\S+)\s+(\S+)\s+(\S+))?\s*(.*)$`)
	})
)

// ParseStatus parses `zpool status -P NAME` the way Proxmox does: "key:
// value" fields with continuation lines joined by a space, and after
// "config:" the tree, two columns of indent per level.
func ParseStatus(b []byte) *Status {
	st := &Status{Fields: map[string]string{}}
	top := &Vdev{level: 0}
	stack := []*Vdev{top}
	field, config := "", false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case reField().MatchString(line) && !(config && strings.HasPrefix(line, "\t")):
			m := reField().FindStringSubmatch(line)
			field = m[1]
			st.Fields[field] = m[2]
			if field == "errors" {
				config = false
			}
		case !config && field != "" && reCont().MatchString(line):
			st.Fields[field] += " " + reCont().FindStringSubmatch(line)[1]
		case !config && reConfig().MatchString(line):
			config = true
		case config && reVdev().MatchString(line):
			m := reVdev().FindStringSubmatch(line)
			if m[2] == "NAME" {
				continue
			}
			v := &Vdev{Name: m[2], State: m[3], Msg: m[7], level: len(m[1])/2 + 1}
			if m[4] != "" {
				v.Read, v.Write, v.Cksum = counter(m[4]), counter(m[5]), counter(m[6])
			}
			for len(stack) > 1 && stack[len(stack)-1].level >= v.level {
				stack = stack[:len(stack)-1]
			}
			parent := stack[len(stack)-1]
			parent.Children = append(parent.Children, v)
			stack = append(stack, v)
		}
	}
	st.Name, st.State, st.Status = st.Fields["pool"], st.Fields["state"], st.Fields["status"]
	st.Action, st.Scan, st.Errors = st.Fields["action"], st.Fields["scan"], st.Fields["errors"]
	st.Children = top.Children
	return st
}

// counter is Perl's "+ 0": a leading number, else 0 (zpool prints 1.2K
// for large counts; Proxmox keeps the 1.2).
func counter(s string) *float64 {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	return &f
}

// MarshalJSON renders Proxmox's detail object: the fields, leaf 0 and the
// children with their leaf flags.
func (st *Status) MarshalJSON() ([]byte, error) {
	m := map[string]any{"name": st.Name, "state": st.State, "errors": st.Errors, "leaf": 0,
		"children": st.Children}
	for k, v := range st.Fields {
		if k != "pool" && k != "config" {
			m[k] = v
		}
	}
	if st.Children == nil {
		m["children"] = []*Vdev{}
	}
	return json.Marshal(m)
}

// MarshalJSON renders a tree node with leaf 1 when it has no children.
func (v *Vdev) MarshalJSON() ([]byte, error) {
	m := map[string]any{"name": v.Name, "msg": v.Msg, "leaf": 1}
	if v.State != "" {
		m["state"] = v.State
	}
	if v.Read != nil {
		m["read"], m["write"], m["cksum"] = *v.Read, *v.Write, *v.Cksum
	}
	if len(v.Children) > 0 {
		m["leaf"] = 0
		m["children"] = v.Children
	}
	return json.Marshal(m)
}
