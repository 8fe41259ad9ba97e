// Command etcdfloor does nothing but link the embedded etcd member that
// `hostadm serve` runs for clusters (DESIGN.md: one binary), with etcd's
// init-time Prometheus registrations held back as hostadm holds them
// (internal/cfs/promdefer). Its start-up time is the floor under every hostadm
// command: Go runs the package initialisers of everything linked (etcd's
// server registers its Prometheus metrics, gRPC and protobuf build their
// registries) before main, whichever command was asked for. bench-report
// times it beside `hostadm pvesh get /version`.
package main

import (
	_ "go.etcd.io/etcd/server/v3/embed"

	_ "hostadm/internal/cfs/promdefer"
)

func main() {}
