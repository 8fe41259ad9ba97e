package api

import (
	"context"
	"net"
	"time"
)

// localIP is the address the node's name resolves to (as Proxmox reports in
// cluster status), else the first global unicast address of the host. It
// resolves on every call (not cached) so that an edited /etc/hosts shows at
// once; the lookup ends with the request.
func localIP(ctx context.Context, node string) string {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
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
