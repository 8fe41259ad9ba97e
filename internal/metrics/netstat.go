package metrics

import (
	"context"
	"fmt"
	"regexp"
	"sync"
)

// guestNIC matches the host side of a guest NIC: tap<vmid>i<n> (QEMU) or
// veth<vmid>i<n> (containers).
var guestNIC = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:tap|veth)(\d+)i(\d+)$`) })

// NetStat is GET /nodes/{node}/netstat: one entry per guest NIC, with in
// and out seen from the guest (in is the host's transmit counter).
func (n *Node) NetStat(ctx context.Context) ([]map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	devs, _, err := readOptional(n, pathNetDev, ParseNetDev)
	n.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("netstat: %w", err)
	}
	out := []map[string]any{}
	for _, d := range devs {
		m := guestNIC().FindStringSubmatch(d.Name)
		if m == nil {
			continue
		}
		out = append(out, map[string]any{"vmid": m[1], "dev": "net" + m[2], "in": d.TxBytes, "out": d.RxBytes})
	}
	return out, nil
}
