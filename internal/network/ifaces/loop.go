package ifaces

import (
	"fmt"
	"strings"
)

// Lower lists the interfaces in c that name sits on: its bridge ports,
// bond slaves and VLAN parent (vlan-raw-device, or the part before the
// dot of a VLAN named PARENT.ID).
func (c *Config) Lower(name string) []string {
	d := c.Ifaces[name]
	if d == nil {
		return nil
	}
	var out []string
	for _, k := range []string{"bridge_ports", "slaves"} {
		out = append(out, splitList(d.Attr(k))...)
	}
	if p := d.Attr("vlan-raw-device"); truthy(p) {
		out = append(out, p)
	} else if m := reVLANName.FindStringSubmatch(name); m != nil && d.Type == TypeVLAN {
		out = append(out, m[1])
	}
	return out
}

// Loop returns the first circle of interfaces sitting on each other
// (found in name order), starting and ending with the same name, as
// "vmbr0", "vmbr1", "vmbr0"; nil when there is none. ifupdown2 and the
// kernel cannot build such a stack, and a walk down it never ends.
func (c *Config) Loop() []string {
	const (
		open = 1
		done = 2
	)
	state := make(map[string]int, len(c.Ifaces))
	var path []string
	var walk func(n string) []string
	walk = func(n string) []string {
		switch state[n] {
		case done:
			return nil
		case open:
			for i, p := range path {
				if p == n {
					return append(append([]string(nil), path[i:]...), n)
				}
			}
		}
		state[n] = open
		path = append(path, n)
		for _, l := range c.Lower(n) {
			if c.Ifaces[l] == nil {
				continue
			}
			if loop := walk(l); loop != nil {
				return loop
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, n := range c.Names() {
		if loop := walk(n); loop != nil {
			return loop
		}
	}
	return nil
}

// CheckLoops refuses interfaces that sit on themselves, directly or
// through others, naming the circle.
func (c *Config) CheckLoops() error {
	if loop := c.Loop(); loop != nil {
		return fmt.Errorf("iface %s - interface loop: %s (bridge ports, bond slaves and vlan-raw-device must not lead back to the interface)",
			loop[0], strings.Join(loop, " -> "))
	}
	return nil
}

func checkLoops(c *Config, _ Options) error { return c.CheckLoops() }
