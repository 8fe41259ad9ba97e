package ifaces

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Lower lists the interfaces in c that name sits on: its bridge ports,
// bond slaves and VLAN parent (vlan-raw-device, or the part before the
// dot of a VLAN named PARENT.ID).
func (c *Config) Lower(name string) []string { return slices.Collect(c.lower(name)) }

// lower is Lower without the slice.
func (c *Config) lower(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		d := c.Ifaces[name]
		if d == nil {
			return
		}
		for _, k := range [...]string{"bridge_ports", "slaves"} {
			for p := range listItems(d.Attr(k)) {
				if !yield(p) {
					return
				}
			}
		}
		if p := d.Attr("vlan-raw-device"); truthy(p) {
			yield(p)
		} else if parent, _, ok := cutVLANName(name); ok && d.Type == TypeVLAN {
			yield(parent)
		}
	}
}

// Loop returns the first circle of interfaces sitting on each other
// (found in name order), starting and ending with the same name, as
// "vmbr0", "vmbr1", "vmbr0"; nil when there is none. ifupdown2 and the
// kernel cannot build such a stack, and a walk down it never ends.
func (c *Config) Loop() []string { return c.loop(c.sortedIfaces()) }

// loop is Loop over the sorted names.
func (c *Config) loop(ifs []named) []string {
	const (
		open = 1
		done = 2
	)
	// Only interfaces with a lower one in the file can be on a circle:
	// those alone are entered in state and path (most bridges sit on
	// ports the file does not define, and the map then stays empty).
	var state map[string]int
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
		entered := false
		for l := range c.lower(n) {
			if c.Ifaces[l] == nil {
				continue
			}
			if !entered {
				if state == nil {
					state = map[string]int{}
				}
				state[n] = open
				path = append(path, n)
				entered = true
			}
			if loop := walk(l); loop != nil {
				return loop
			}
		}
		if entered {
			path = path[:len(path)-1]
			state[n] = done
		}
		return nil
	}
	for _, it := range ifs {
		if loop := walk(it.name); loop != nil {
			return loop
		}
	}
	return nil
}

// CheckLoops refuses interfaces that sit on themselves, directly or
// through others, naming the circle.
func (c *Config) CheckLoops() error {
	if loop := c.Loop(); loop != nil {
		return loopError(loop)
	}
	return nil
}

func checkLoops(c *Config, ifs []named, _ Options) error {
	if loop := c.loop(ifs); loop != nil {
		return loopError(loop)
	}
	return nil
}

func loopError(loop []string) error {
	return fmt.Errorf("iface %s - interface loop: %s (bridge ports, bond slaves and vlan-raw-device must not lead back to the interface)",
		loop[0], strings.Join(loop, " -> "))
}
