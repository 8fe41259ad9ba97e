package api

import (
	"context"
	"net"
	"time"
)

// localIP is the address the node's name resolves to (as Proxmox reports in
// cluster status), else the first global unicast address of the host.
func localIP(node string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if addrs, err := net.DefaultResolver.LookupHost(ctx, node); err == nil {
		for _, a := range addrs {
			if ip := net.ParseIP(a); ip != nil && !ip.IsLoopback() {
				return a
			}
		}
	}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range ifaddrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}
