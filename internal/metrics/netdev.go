package metrics

import (
	"bytes"
	"fmt"

	"hostadm/internal/network/ifaces"
)

// physicalNetBytes sums the byte counters of the physical NICs (Proxmox's
// rule, shared with the interfaces file: pinned nicN/ifN names count too):
// the node's net_in and net_out (pull export, history).
func physicalNetBytes(devs []NetDev) (in, out uint64) {
	for _, d := range devs {
		if ifaces.PhysicalNIC().MatchString(d.Name) {
			in += d.RxBytes
			out += d.TxBytes
		}
	}
	return in, out
}

// NetDev is one interface's counters from /proc/net/dev.
type NetDev struct {
	Name                                    string
	RxBytes, RxPackets, RxErrors, RxDropped uint64
	TxBytes, TxPackets, TxErrors, TxDropped uint64
}

// ParseNetDev parses /proc/net/dev: two header lines, then one line per
// interface with 16 counters (8 receive, 8 transmit). Interfaces are
// returned in file order.
func ParseNetDev(b []byte) ([]NetDev, error) {
	var out []NetDev
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = nextLine(b)
		if n <= 2 || len(trimBlanks(line)) == 0 {
			continue
		}
		i := bytes.LastIndexByte(line, ':')
		if i < 0 {
			return nil, fmt.Errorf("net/dev line %d: no colon", n)
		}
		d := NetDev{Name: string(trimBlanks(line[:i]))}
		if err := d.parseCounters(line[i+1:]); err != nil {
			return nil, fmt.Errorf("net/dev line %d (%s): %w", n, d.Name, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func (d *NetDev) parseCounters(rest []byte) error {
	var c [16]uint64
	for i := range c {
		var f []byte
		f, rest = nextField(rest)
		v, err := atou(f)
		if err != nil {
			return fmt.Errorf("counter %d %q: %w", i+1, f, err)
		}
		c[i] = v
	}
	d.RxBytes, d.RxPackets, d.RxErrors, d.RxDropped = c[0], c[1], c[2], c[3]
	d.TxBytes, d.TxPackets, d.TxErrors, d.TxDropped = c[8], c[9], c[10], c[11]
	return nil
}
