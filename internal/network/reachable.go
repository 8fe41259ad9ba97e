package network

import (
	"fmt"
	"net/netip"

	"hostadm/internal/network/ifaces"
)

// CheckReachable refuses a staged file that no longer brings up the
// address a request came in on, or drops the default route the live file
// brings up: the admin would lock themselves out. Only the interfaces
// the appliers bring up count (auto ones and what they sit on): an address
// left on an interface that lost autostart is gone after the next boot.
// local is the server-side address of the request (invalid for in-process
// calls, which skips that check); its zone, if any, is ignored.
func (s *Service) CheckReachable(local netip.Addr) error {
	old, next, staged, err := s.parseBoth()
	if err != nil || !staged {
		return err
	}
	if local.IsValid() && !local.IsLoopback() {
		if err := checkAddrUp(next, local.WithZone("").Unmap()); err != nil {
			return err
		}
	}
	for _, six := range []bool{false, true} {
		if gw := gatewayOf(old, six); gw != "" && gatewayOf(next, six) == "" {
			what := "IPv4"
			if six {
				what = "IPv6"
			}
			return fmt.Errorf("the staged configuration drops the %s default gateway %s; apply with force=1 to do it anyway", what, gw)
		}
	}
	return nil
}

// checkAddrUp refuses a configuration that does not bring up local.
func checkAddrUp(cfg *ifaces.Config, local netip.Addr) error {
	up := upNames(cfg)
	carrier := ""
	for _, n := range cfg.Names() {
		for _, p := range wantAddrs(cfg.Ifaces[n]) {
			if p.Addr() != local {
				continue
			}
			if up[n] {
				return nil
			}
			carrier = n
		}
	}
	if carrier != "" {
		return fmt.Errorf("the staged configuration no longer brings up %s, which carries %s, the address this request came in on (set autostart again); apply with force=1 to do it anyway", carrier, local)
	}
	return fmt.Errorf("the staged configuration drops %s, the address this request came in on; apply with force=1 to do it anyway", local)
}

// upNames are the interfaces the appliers bring up: the auto ones and
// what they sit on (loopback included when auto).
func upNames(cfg *ifaces.Config) map[string]bool {
	out := map[string]bool{}
	for _, n := range managed(cfg) {
		out[n] = true
	}
	if d := cfg.Ifaces["lo"]; d != nil && d.Autostart {
		out["lo"] = true
	}
	return out
}

// gatewayOf is the default gateway of the first interface (by name) that
// the appliers bring up and that has one.
func gatewayOf(cfg *ifaces.Config, six bool) string {
	up := upNames(cfg)
	for _, n := range cfg.Names() {
		d := cfg.Ifaces[n]
		if !up[n] {
			continue
		}
		if gw := map[bool]string{false: d.Gateway, true: d.Gateway6}[six]; gw != "" {
			return gw
		}
	}
	return ""
}
