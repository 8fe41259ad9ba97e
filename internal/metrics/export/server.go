// Package export sends collection rounds to external metric servers
// (Graphite over UDP or TCP, InfluxDB over UDP or the HTTP v2 write API).
// Each server has its own bounded queue and worker, so a slow or dead
// server never delays collection or another server: when its queue is full
// the oldest rounds are dropped and counted. Per-server health (last
// success, last error, points sent and dropped, queue depth) is kept for
// the API, and changes between working and failing are logged.
package export

import (
	"net"
	"strconv"
	"time"

	"hostadm/internal/metrics/wire"
)

// Server types and protocols, as status.cfg names them.
const (
	TypeGraphite = "graphite"
	TypeInfluxDB = "influxdb"
	ProtoUDP     = "udp"
	ProtoTCP     = "tcp"
	ProtoHTTP    = "http"
	ProtoHTTPS   = "https"
)

// Defaults Proxmox VE applies at run time.
const (
	DefaultMTU          = 1500
	DefaultTimeout      = time.Second
	DefaultMaxBodySize  = 25_000_000
	DefaultGraphitePort = 2003
	// GraphiteTCPBatch is the batch size of Graphite over TCP.
	GraphiteTCPBatch = 56000
	// udpOverhead is what Proxmox keeps free of the MTU for headers.
	udpOverhead = 50
)

// Server is one configured metric server with the defaults filled in.
type Server struct {
	ID, Type string
	Disable  bool
	Host     string
	Port     int
	MTU      int
	// Proto is udp or tcp for Graphite, udp, http or https for InfluxDB.
	Proto   string
	Timeout time.Duration
	// Path is the Graphite path prefix.
	Path string
	// InfluxDB HTTP: organization, bucket, token, API path prefix, the
	// largest request body and whether to verify the certificate.
	Organization, Bucket, Token, APIPathPrefix string
	MaxBodySize                                int
	VerifyCertificate                          bool
}

// WithDefaults fills in what Proxmox VE assumes for unset options.
func (s Server) WithDefaults() Server {
	if s.MTU == 0 {
		s.MTU = DefaultMTU
	}
	if s.Proto == "" {
		s.Proto = ProtoUDP
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Port == 0 && s.Type == TypeGraphite {
		s.Port = DefaultGraphitePort
	}
	if s.MaxBodySize == 0 {
		s.MaxBodySize = DefaultMaxBodySize
	}
	if s.Organization == "" {
		s.Organization = "proxmox"
	}
	if s.Bucket == "" {
		s.Bucket = "proxmox"
	}
	return s
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// BatchSize is the largest batch sent at once: MTU − 50 for UDP, 56000 for
// Graphite over TCP, max-body-size for InfluxDB over HTTP.
func (s Server) BatchSize() int {
	switch {
	case s.Proto == ProtoUDP:
		return s.MTU - udpOverhead
	case s.Type == TypeGraphite:
		return GraphiteTCPBatch
	}
	return s.MaxBodySize
}

// encode writes one object in the server's format.
func (s Server) encode(b *wire.Batcher, o *wire.Object) {
	if s.Type == TypeGraphite {
		wire.EncodeGraphite(b, s.Path, o)
		return
	}
	wire.EncodeInflux(b, o)
}

// Round is one collection round: every object, all with the same Time.
// Rounds are shared by all workers and never modified after Publish.
type Round struct {
	Time    int64
	Objects []wire.Object
}
