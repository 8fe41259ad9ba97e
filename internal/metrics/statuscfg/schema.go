// Package statuscfg is status.cfg, Proxmox VE's list of external metric
// servers (FORMATS.md §4.1), on top of the shared section-config codec:
// its schema, reading and writing it in the cluster file store with the
// InfluxDB token kept apart in priv/metricserver/<id>.pw, and turning
// sections into exporter settings.
package statuscfg

import (
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Section types.
const (
	TypeGraphite      = "graphite"
	TypeInfluxDB      = "influxdb"
	TypeOpenTelemetry = "opentelemetry"
)

// Schema is status.cfg's section-config schema, with Proxmox VE 9.1's
// property list (descriptions as its API shows them).
func Schema() *sectioncfg.Schema {
	opt := sectioncfg.Option{Optional: true}
	common := func(o sectioncfg.Options) sectioncfg.Options {
		o["server"], o["disable"] = sectioncfg.Option{}, opt
		return o
	}
	graphite := common(sectioncfg.Options{"port": opt, "path": opt, "proto": opt, "mtu": opt, "timeout": opt})
	influx := common(sectioncfg.Options{"port": {}, "mtu": opt, "timeout": opt, "influxdbproto": opt,
		"organization": opt, "bucket": opt, "token": opt, "api-path-prefix": opt, "max-body-size": opt,
		"verify-certificate": opt})
	otel := common(sectioncfg.Options{"port": {}})
	for _, k := range []string{"otel-protocol", "otel-path", "otel-timeout", "otel-headers", "otel-verify-ssl",
		"otel-max-body-size", "otel-resource-attributes", "otel-compression"} {
		otel[k] = opt
	}
	return &sectioncfg.Schema{
		What:        "metric server",
		IDProperty:  "id",
		IDFormat:    "pve-configid",
		Properties:  properties(),
		Types:       map[string]sectioncfg.Options{TypeGraphite: graphite, TypeInfluxDB: influx, TypeOpenTelemetry: otel},
		ParseHeader: sectioncfg.StatusHeader,
	}
}

func properties() schema.Props {
	return schema.Props{
		"type":          schema.Str("Plugin type.").Fmt("pve-configid").OneOf(TypeGraphite, TypeInfluxDB, TypeOpenTelemetry),
		"id":            schema.Str("The ID of the entry.").Fmt("pve-configid"),
		"server":        schema.Str("server dns name or IP address").Fmt("address"),
		"port":          schema.Int("server network port").Min(1).Max(65536),
		"disable":       schema.Bool("Flag to disable the plugin.").Opt(),
		"mtu":           schema.Int("MTU for metrics transmission over UDP").Min(512).Max(65536).Def(1500),
		"timeout":       schema.Int("graphite TCP socket timeout (default=1)").Min(0).Def(1),
		"path":          schema.Str("root graphite path (ex: proxmox.mycluster.mykey)").Fmt("graphite-path").Opt(),
		"proto":         schema.Str("Protocol to send graphite data. TCP or UDP (default)").OneOf("udp", "tcp").Opt(),
		"influxdbproto": schema.Str("").OneOf("udp", "http", "https").Def("udp"),
		"organization": schema.Str("The InfluxDB organization. Only necessary when using the http v2 api. " +
			"Has no meaning when using v2 compatibility api.").Opt(),
		"bucket": schema.Str("The InfluxDB bucket/db. Only necessary when using the http v2 api.").Opt(),
		"token": schema.Str("The InfluxDB access token. Only necessary when using the http v2 api. " +
			"If the v2 compatibility api is used, use 'user:password' instead.").Opt(),
		"api-path-prefix": schema.Str("An API path prefix inserted between '<host>:<port>/' and '/api2/'. " +
			"Can be useful if the InfluxDB service runs behind a reverse proxy.").Opt(),
		"max-body-size": schema.Int("InfluxDB max-body-size in bytes. Requests are batched up to this size.").
			Min(1).Def(25000000),
		"verify-certificate": schema.Bool("Set to 0 to disable certificate verification for https endpoints.").Def(1),
		"otel-protocol":      schema.Str("HTTP protocol").OneOf("http", "https").Def("https"),
		"otel-path":          schema.Str("OTLP endpoint path").Def("/v1/metrics"),
		"otel-timeout":       schema.Int("HTTP request timeout in seconds").Min(1).Max(10).Def(5),
		"otel-headers":       schema.Str("Custom HTTP headers (JSON format, base64 encoded)").MaxLen(1024).Opt(),
		"otel-verify-ssl":    schema.Bool("Verify SSL certificates").Def(1),
		"otel-max-body-size": schema.Int("Maximum request body size in bytes").Min(1024).Def(10000000),
		"otel-resource-attributes": schema.Str("Additional resource attributes as JSON, base64 encoded").
			MaxLen(1024).Opt(),
		"otel-compression": schema.Str("Compression algorithm for requests").OneOf("none", "gzip").Def("gzip"),
	}
}
