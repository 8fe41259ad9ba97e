package network

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"

	"hostadm/internal/network/ifaces"
)

// CheckReachable refuses a staged file that no longer carries the address
// a request came in on, or drops the default route the live file has: the
// admin would lock themselves out. local is the server-side address of the
// request (invalid for in-process calls, which skips that check).
func (s *Service) CheckReachable(local netip.Addr) error {
	old, err := s.parseFile(LivePath)
	if err != nil {
		return err
	}
	next, err := s.parseFile(StagedPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if local.IsValid() && !local.IsLoopback() {
		local = local.Unmap()
		found := false
		for _, d := range next.Ifaces {
			for _, p := range wantAddrs(d) {
				if p.Addr() == local {
					found = true
				}
			}
		}
		if !found {
			return fmt.Errorf("the staged configuration drops %s, the address this request came in on; apply with force=1 to do it anyway", local)
		}
	}
	for _, six := range []bool{false, true} {
		if gatewayOf(old, six) != "" && gatewayOf(next, six) == "" {
			what := "IPv4"
			if six {
				what = "IPv6"
			}
			return fmt.Errorf("the staged configuration drops the %s default gateway %s; apply with force=1 to do it anyway", what, gatewayOf(old, six))
		}
	}
	return nil
}

func gatewayOf(cfg *ifaces.Config, six bool) string {
	for _, n := range sortedNames(cfg) {
		d := cfg.Ifaces[n]
		if gw := map[bool]string{false: d.Gateway, true: d.Gateway6}[six]; gw != "" {
			return gw
		}
	}
	return ""
}
