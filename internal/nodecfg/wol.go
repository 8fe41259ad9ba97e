package nodecfg

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"hostadm/internal/schema"
)

// Packet is one Wake-on-LAN magic packet and where it goes.
type Packet struct {
	Payload   []byte     // 6 x 0xff, then the MAC 16 times
	Broadcast netip.Addr // IPv4 destination, sent to UDP port 9 (discard)
	Interface string     // SO_BINDTODEVICE when set
}

// WOLPort is the UDP port Proxmox sends to (the discard service).
const WOLPort = 9

// MagicPacket builds the 102-byte payload for a MAC address.
func MagicPacket(mac net.HardwareAddr) []byte {
	p := make([]byte, 0, 6+16*len(mac))
	for range 6 {
		p = append(p, 0xff)
	}
	for range 16 {
		p = append(p, mac...)
	}
	return p
}

// Wake sends a magic packet to another node of the store: its MAC comes
// from its wakeonlan setting, the broadcast address and interface from
// the local node's. It returns the MAC as configured.
func (s *Service) Wake(ctx context.Context, target string) (string, error) {
	if target == "localhost" || target == s.cfg.Node {
		return "", fmt.Errorf("'%s' is local node, cannot wake my self!", target)
	}
	if _, err := s.cfg.Store.Get(ctx, StorePath(target)); err != nil {
		return "", fmt.Errorf("no such cluster node '%s'", target)
	}
	remote, err := s.wolConfig(ctx, target)
	if err != nil {
		return "", err
	}
	mac, _ := remote["mac"].(string)
	if mac == "" {
		return "", fmt.Errorf("No wake on LAN MAC address defined for '%s'!", target)
	}
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		return "", fmt.Errorf("invalid wake on LAN MAC address '%s'", mac)
	}
	local, err := s.wolConfig(ctx, s.cfg.Node)
	if err != nil {
		return "", err
	}
	p := Packet{Payload: MagicPacket(hw), Broadcast: netip.AddrFrom4([4]byte{255, 255, 255, 255})}
	if b, ok := local["broadcast-address"].(string); ok {
		if p.Broadcast, err = netip.ParseAddr(b); err != nil || !p.Broadcast.Is4() {
			return "", fmt.Errorf("invalid broadcast address '%s'", b)
		}
	}
	p.Interface, _ = local["bind-interface"].(string)
	if err := s.cfg.Send(ctx, p); err != nil {
		return "", err
	}
	return mac, nil
}

// wolConfig parses a node's wakeonlan property ({} when unset).
func (s *Service) wolConfig(ctx context.Context, node string) (map[string]any, error) {
	l, err := s.Load(ctx, node)
	if err != nil {
		return nil, err
	}
	v, ok := l.Config.Values["wakeonlan"]
	if !ok {
		return map[string]any{}, nil
	}
	return schema.ParsePropString(WakeOnLANFormat(), v)
}

// SendMagic sends the packet as one UDP datagram with SO_BROADCAST, bound
// to the interface when one is given. The socket is made in the calling
// thread's network namespace.
func SendMagic(_ context.Context, p Packet) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return fmt.Errorf("Unable to open socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, 1); err != nil {
		return fmt.Errorf("Unable to set socket option: %w", err)
	}
	if p.Interface != "" {
		if err := unix.BindToDevice(fd, p.Interface); err != nil {
			return fmt.Errorf("Unable to bind socket to interface '%s': %w", p.Interface, err)
		}
	}
	to := &unix.SockaddrInet4{Port: WOLPort, Addr: p.Broadcast.As4()}
	if err := unix.Sendto(fd, p.Payload, 0, to); err != nil {
		return fmt.Errorf("Unable to send packet: %w", err)
	}
	return nil
}
