package wire

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	lp "github.com/influxdata/line-protocol/v2/lineprotocol"

	"hostadm/internal/hostcfg/golden"
)

// guestObjects are a VM, a container and a storage shaped like
// qemu-server's and pve-container's vmstatus and storage_info output.
func guestObjects() []Object {
	vm := Object{Kind: KindQEMU, ID: "100", Node: "pve1", Time: 1718000000, Fields: []Field{
		Str("name", "web server"), Str("status", "running"), Str("qmpstatus", "running"),
		Int("vmid", 100), Int("cpus", 2), Float("cpu", 0.0234567), Int("maxmem", 2147483648),
		Int("mem", 1073741824), Int("uptime", 3600), Int("pid", 4242), Int("template", 0),
		Str("tags", "prod;web"), Str("lock", ""), Int("agent", 1), Str("serial", "1"),
		Int("netin", 1234), Int("netout", 5678), Float("tiny", 1e-7), Float("nan", math.NaN()),
		Str("running-machine", "pc-i440fx-9.0+pve0"), Str("quote", `say "hi" \ bye`),
		Hash("ballooninfo", Int("actual", 1073741824), Int("max_mem", 2147483648)),
		Hash("blockstat", Hash("scsi0", Int("rd_bytes", 123456), Int("wr_bytes", 654321),
			Hash("timed_stats", Int("idle_time_ns", 7)))),
		Hash("nics", Hash("tap100i0", Int("netin", 1234), Int("netout", 5678))),
		Hash("proxmox-support", Str("pbs-library-version", "1.4.1 (UNKNOWN)"), Int("query-bitmap-info", 1)),
	}}
	ct := Object{Kind: KindLXC, ID: "101", Node: "pve1", Time: 1718000000, Fields: []Field{
		Str("name", "0"), Str("status", "stopped"), Str("type", "lxc"), Int("vmid", 101),
		Int("cpus", 1), Int("cpu", 0), Int("maxmem", 536870912), Str("ostype.detail", "debian"),
	}}
	st := Object{Kind: KindStorage, ID: "local-lvm", Node: "pve1", Time: 1718000000, Fields: []Field{
		Str("type", "lvmthin"), Int("total", 100000), Int("used", 40000), Int("avail", 60000),
		Int("active", 1), Int("enabled", 1), Int("shared", 0), Str("content", "rootdir,images"),
	}}
	objs := []Object{vm, ct, st}
	for i := range objs {
		Sort(objs[i].Fields)
	}
	return objs
}

func TestEncodeGolden(t *testing.T) {
	var g, in Batcher
	for _, o := range guestObjects() {
		EncodeGraphite(&g, "proxmox.cluster1", &o)
		EncodeInflux(&in, &o)
	}
	golden.File(t, "testdata/guests.graphite", g.Bytes())
	golden.File(t, "testdata/guests.influx", in.Bytes())
	checkParses(t, in.Bytes())
}

// checkParses decodes every line with InfluxData's own parser, so the
// escaping is checked by the reference implementation.
func checkParses(t *testing.T, data []byte) {
	t.Helper()
	dec := lp.NewDecoderWithBytes(data)
	lines := 0
	for dec.Next() {
		if _, err := dec.Measurement(); err != nil {
			t.Fatalf("line %d: measurement: %v", lines+1, err)
		}
		for {
			k, _, err := dec.NextTag()
			if err != nil {
				t.Fatalf("line %d: tag: %v", lines+1, err)
			}
			if k == nil {
				break
			}
		}
		for {
			k, _, err := dec.NextField()
			if err != nil {
				t.Fatalf("line %d: field: %v", lines+1, err)
			}
			if k == nil {
				break
			}
		}
		if _, err := dec.Time(lp.Nanosecond, time.Unix(0, 0)); err != nil {
			t.Fatalf("line %d: time: %v", lines+1, err)
		}
		lines++
	}
	if lines != bytes.Count(data, []byte("\n")) {
		t.Errorf("parsed %d lines of %d", lines, bytes.Count(data, []byte("\n")))
	}
}

func TestInfluxEscaping(t *testing.T) {
	o := Object{Kind: KindQEMU, ID: "100", Node: "pve1", Time: 1, Fields: []Field{
		Str("name", "a,b=c d"), Str("k,e=y z", `v"\`), Hash("m x", Hash("i,1", Int("v", 1))),
	}}
	Sort(o.Fields)
	var b Batcher
	EncodeInflux(&b, &o)
	want := `m\ x,object=qemu,vmid=100,nodename=pve1,host=a\,b\=c\ d,instance=i\,1 v=1 1000000000` + "\n" +
		`system,object=qemu,vmid=100,nodename=pve1,host=a\,b\=c\ d k\,e\=y\ z="v\"\\",name="a,b=c d" 1000000000` + "\n"
	if got := string(b.Bytes()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	checkParses(t, b.Bytes())
}

func TestPerlNumbers(t *testing.T) {
	for _, tt := range []struct {
		in                string
		graphite, perlNum bool
	}{
		{"0.12", true, true}, {"12", true, true}, {"-1.5", true, true}, {".5", true, true},
		{"5.", false, true}, {"1e-05", false, true}, {"abc", false, false}, {"", false, false},
		{" 12 ", false, true}, {"Inf", false, true}, {"nan", false, true}, {"1.2.3", false, false},
		{"+", false, false}, {"0x10", false, false}, {"1e", false, false},
	} {
		if got := graphiteNumber(tt.in); got != tt.graphite {
			t.Errorf("graphiteNumber(%q) = %v", tt.in, got)
		}
		if got, _ := looksLikeNumber(tt.in); got != tt.perlNum {
			t.Errorf("looksLikeNumber(%q) = %v", tt.in, got)
		}
	}
	for f, want := range map[float64]string{
		0: "0", 0.1 + 0.2: "0.3", 1718000000.123456: "1718000000.12346", 1e-7: "1e-07",
		1e15: "1e+15", 123456789012345: "123456789012345", 2.5: "2.5",
	} {
		if got := string(appendPerlFloat(nil, f)); got != want {
			t.Errorf("perl float %v = %s, want %s", f, got, want)
		}
	}
}

func TestBatcherLimit(t *testing.T) {
	var batches []string
	b := Batcher{Limit: 100, Send: func(p []byte) error { batches = append(batches, string(p)); return nil }}
	for _, o := range guestObjects() {
		EncodeInflux(&b, &o)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	var all Batcher
	for _, o := range guestObjects() {
		EncodeInflux(&all, &o)
	}
	// Lines longer than the limit are dropped; the rest arrive whole and in order.
	var kept []string
	for _, l := range strings.SplitAfter(string(all.Bytes()), "\n") {
		if l != "" && len(l) <= 100 {
			kept = append(kept, l)
		}
	}
	if got := strings.Join(batches, ""); got != strings.Join(kept, "") {
		t.Errorf("batches\n%s\nwant\n%s", got, strings.Join(kept, ""))
	}
	for _, p := range batches {
		if len(p) > 100 || !strings.HasSuffix(p, "\n") {
			t.Errorf("batch of %d bytes: %q", len(p), p)
		}
	}
	if b.Dropped() != all.Lines()-len(kept) || b.Lines() != len(kept) {
		t.Errorf("lines %d dropped %d, want %d and %d", b.Lines(), b.Dropped(), len(kept), all.Lines()-len(kept))
	}
}

func TestBatcherSendError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	b := Batcher{Limit: 60, Send: func([]byte) error { calls++; return boom }}
	for _, o := range guestObjects() {
		EncodeGraphite(&b, "", &o)
	}
	if !errors.Is(b.Flush(), boom) || calls != 1 {
		t.Errorf("err %v after %d sends, want boom after 1", b.Err(), calls)
	}
	b.Reset()
	if b.Err() != nil || len(b.Bytes()) != 0 {
		t.Error("Reset kept state")
	}
}
