package wire

import (
	"strconv"
	"testing"
)

// benchObject is a node-sized object: 60 numeric leaves in four hashes
// plus 8 NICs.
func benchObject() Object {
	var cpu, mem, bs, nics []Field
	for i := range 20 {
		cpu = append(cpu, Int("c"+strconv.Itoa(i), int64(i)*12345))
		bs = append(bs, Int("b"+strconv.Itoa(i), int64(i)*987654321))
	}
	cpu = append(cpu, Float("cpu", 0.130963561979656), Str("avg1", "0.46"))
	for i := range 10 {
		mem = append(mem, Int("m"+strconv.Itoa(i), int64(i)<<30))
	}
	for i := range 8 {
		nics = append(nics, Hash("eth"+strconv.Itoa(i), Int("receive", 100845059), Int("transmit", 489787)))
	}
	o := Object{Kind: KindNode, ID: "pve1", Time: 1795715500, Fields: []Field{
		Int("uptime", 315), Hash("cpustat", cpu...), Hash("memory", mem...),
		Hash("blockstat", bs...), Hash("nics", nics...),
	}}
	Sort(o.Fields)
	return o
}

// BenchmarkEncode reports lines per second for each encoder; bytes are
// handed to a Send that does nothing, in 1450-byte batches as for UDP.
func BenchmarkEncode(b *testing.B) {
	o := benchObject()
	for _, bc := range []struct {
		name string
		enc  func(*Batcher, *Object)
	}{
		{"graphite", func(bt *Batcher, o *Object) { EncodeGraphite(bt, "proxmox", o) }},
		{"influx", EncodeInflux},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bt := Batcher{Limit: 1450, Send: func([]byte) error { return nil }}
			lines := 0
			b.ReportAllocs()
			for b.Loop() {
				bt.Reset()
				bc.enc(&bt, &o)
				bt.Flush()
				lines += bt.Lines()
			}
			b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
