package statuscfg

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/metrics/export"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// proxmoxFile is the example of FORMATS.md §4.1 plus a legacy header
// without id and an opentelemetry section (PVE 9).
const proxmoxFile = `graphite: mygraphite
	port 2003
	server 10.0.0.5
	path proxmox.cluster1
	proto udp

influxdb: influx2
	port 8086
	server influx.example.com
	bucket pve
	influxdbproto https
	organization myorg
	verify-certificate 0

graphite:
	server 10.0.0.6
	disable

opentelemetry: otel
	server otel.example.com
	port 4318
`

func TestParseAndServers(t *testing.T) {
	st, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.Put(ctx, Path, []byte(proxmoxFile), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}
	if err := SetToken(ctx, st, "influx2", "tok"); err != nil {
		t.Fatal(err)
	}
	f, err := Read(ctx, st)
	if err != nil || len(f.Warnings) != 0 {
		t.Fatalf("read: %v %v", err, f.Warnings)
	}
	if got := f.Config.IDs(); len(got) != 4 || got[2] != "graphite" {
		t.Errorf("ids = %v", got)
	}
	servers, err := Servers(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []export.Server{
		{ID: "mygraphite", Type: "graphite", Host: "10.0.0.5", Port: 2003, MTU: 1500, Proto: "udp",
			Timeout: time.Second, Path: "proxmox.cluster1", Organization: "proxmox", Bucket: "proxmox",
			MaxBodySize: 25000000, VerifyCertificate: true},
		{ID: "influx2", Type: "influxdb", Host: "influx.example.com", Port: 8086, MTU: 1500, Proto: "https",
			Timeout: time.Second, Organization: "myorg", Bucket: "pve", Token: "tok", MaxBodySize: 25000000},
		{ID: "graphite", Type: "graphite", Disable: true, Host: "10.0.0.6", Port: 2003, MTU: 1500, Proto: "udp",
			Timeout: time.Second, Organization: "proxmox", Bucket: "proxmox", MaxBodySize: 25000000, VerifyCertificate: true},
	}
	if len(servers) != len(want) {
		t.Fatalf("servers = %+v", servers)
	}
	for i := range want {
		if servers[i] != want[i] {
			t.Errorf("server %d = %+v\nwant %+v", i, servers[i], want[i])
		}
	}
	// Written back in PVE's order: disable, required keys, optional keys.
	var b bytes.Buffer
	if err := f.Config.Write(&b); err != nil {
		t.Fatal(err)
	}
	c2, _, _ := sectioncfg.Parse(bytes.NewReader(b.Bytes()), Schema())
	var b2 bytes.Buffer
	c2.Write(&b2)
	if b.String() != b2.String() {
		t.Errorf("not idempotent:\n%s\n%s", b.String(), b2.String())
	}
	if !bytes.Contains(b.Bytes(), []byte("graphite: graphite\n\tdisable\n\tserver 10.0.0.6\n\n")) {
		t.Errorf("written:\n%s", b.String())
	}
}

// TestTokenWithControlCharacters: a token with a newline (or another
// control character) is refused and not stored; status.cfg values are
// refused the same way by the section-config codec.
func TestTokenWithControlCharacters(t *testing.T) {
	st, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, tok := range []string{"tok\nX-Injected: 1", "tok\r", "a\x00b", "tok\x7f"} {
		err := SetToken(ctx, st, "influx", tok)
		var pe schema.ParamError
		if !errors.As(err, &pe) || !strings.HasPrefix(pe["token"], "value contains a control character") {
			t.Errorf("SetToken(%q) = %v", tok, err)
		}
	}
	if _, err := st.Get(ctx, TokenPath("influx")); !errors.Is(err, cfs.ErrNotFound) {
		t.Errorf("a refused token was stored: %v", err)
	}
	if err := CheckToken("user:pa ss~word"); err != nil {
		t.Errorf("plain token refused: %v", err)
	}
	if err := SetToken(ctx, st, "influx", "tok"); err != nil {
		t.Fatal(err)
	}
	f, err := Read(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Config.Create(TypeInfluxDB, "influx", map[string]any{"server": "10.0.0.1", "port": "8086",
		"bucket": "b\x00ucket"})
	if err == nil || err.Error() != "property 'bucket': property contains a control character (0x00)" {
		t.Errorf("status.cfg value with NUL: %v", err)
	}
}
