package export

import (
	"context"
	"fmt"
	"net"
)

// Test checks that a server can be reached before its configuration is
// stored, as the API does on create and update (skipped for disabled
// servers). For UDP it opens the socket, for Graphite over TCP it
// connects. For InfluxDB over HTTP it writes probe (one line-protocol
// point) with the token: Proxmox VE only asks /health, which passes with
// a token that cannot write; a real write refuses such a token at once.
func Test(ctx context.Context, s Server, probe []byte) error {
	s = s.WithDefaults()
	if s.Disable {
		return nil
	}
	switch {
	case s.Proto == ProtoUDP:
		c, err := net.Dial("udp", s.Addr())
		if err != nil {
			return fmt.Errorf("couldn't create socket [%s]:%d - %w", s.Host, s.Port, err)
		}
		return c.Close()
	case s.Type == TypeGraphite && s.Proto == ProtoTCP:
		d := net.Dialer{Timeout: s.Timeout}
		c, err := d.DialContext(ctx, "tcp", s.Addr())
		if err != nil {
			return fmt.Errorf("couldn't connect to [%s]:%d - %w", s.Host, s.Port, err)
		}
		return c.Close()
	}
	tr, err := newTransport(s)
	if err != nil {
		return err
	}
	defer tr.close()
	return tr.send(ctx, probe)
}
