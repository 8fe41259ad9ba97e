package statuscfg

import (
	"context"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/metrics/export"
	"hostadm/internal/sectioncfg"
)

// ServerOf turns a section into exporter settings (token not included).
// ok is false for types hostadm does not export to (opentelemetry).
func ServerOf(sec *sectioncfg.Section) (export.Server, bool) {
	if sec.Type != TypeGraphite && sec.Type != TypeInfluxDB {
		return export.Server{}, false
	}
	p := sec.Props
	s := export.Server{
		ID: sec.ID, Type: sec.Type,
		Disable:           boolOf(p["disable"], false),
		Host:              strOf(p["server"]),
		Port:              int(intOf(p["port"], 0)),
		MTU:               int(intOf(p["mtu"], 0)),
		Path:              strOf(p["path"]),
		Organization:      strOf(p["organization"]),
		Bucket:            strOf(p["bucket"]),
		APIPathPrefix:     strOf(p["api-path-prefix"]),
		MaxBodySize:       int(intOf(p["max-body-size"], 0)),
		VerifyCertificate: boolOf(p["verify-certificate"], true),
		Timeout:           time.Duration(intOf(p["timeout"], 1)) * time.Second,
	}
	if sec.Type == TypeGraphite {
		s.Proto = strOf(p["proto"])
	} else {
		s.Proto = strOf(p["influxdbproto"])
	}
	if s.Timeout == 0 {
		// timeout 0 would mean "no deadline": a dead server would then hold
		// its worker forever; keep Proxmox's default instead.
		s.Timeout = export.DefaultTimeout
	}
	return s.WithDefaults(), true
}

// Servers reads status.cfg and every token: the exporter configuration.
func Servers(ctx context.Context, st cfs.Store) ([]export.Server, error) {
	f, err := Read(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []export.Server
	for _, sec := range f.Config.Sections {
		s, ok := ServerOf(sec)
		if !ok {
			continue
		}
		if s.Type == TypeInfluxDB {
			if s.Token, err = Token(ctx, st, s.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

func intOf(v any, def int64) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return def
}

func boolOf(v any, def bool) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	}
	return def
}
