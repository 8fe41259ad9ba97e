package wire

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	lp "github.com/influxdata/line-protocol/v2/lineprotocol"
)

// fuzzObject builds an object whose free-form parts come from the fuzzer:
// what a user or the host controls (guest name, NIC and disk names, string
// values, keys) and numbers. ID and Node are kept to what their formats
// allow (pve-node, VMID, pve-storage-id: no blanks), as status.cfg and the
// API validate them before they get here.
func fuzzObject(kind uint8, id, name, instance, key, str string, n int64, f float64) Object {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r <= ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
	}
	// A backslash before a separator, or ending a tag or key, cannot be
	// written so that both InfluxDB's server parser (which skips any
	// escaped pair) and the line-protocol library (which keeps a backslash
	// that escapes nothing) read it back; Proxmox's InfluxDB.pm has the same
	// limit. What reaches tags (dns-name guest names, storage ids, device
	// names) carries none in practice, so the fuzzer leaves them out there.
	// Control characters other than white space (which is escaped) do not
	// occur there either, and a NIC or disk name is never empty.
	tagSafe := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == '\\':
				return '/'
			case r < ' ' && !strings.ContainsRune("\t\n\r\f\v", r), r == 0x7f:
				return -1
			}
			return r
		}, s)
	}
	// Line protocol is UTF-8; the encoders pass bytes through as
	// InfluxDB.pm does (the values that reach them are UTF-8).
	name, instance, key = tagSafe(name), tagSafe(instance), tagSafe(key)
	name, instance, key, str = strings.ToValidUTF8(name, "?"), strings.ToValidUTF8(instance, "?"),
		strings.ToValidUTF8(key, "?"), strings.ToValidUTF8(str, "?")
	if instance == "" {
		instance = "i"
	}
	// A newline inside a quoted string field is legal line protocol (and
	// InfluxDB.pm sends it as is), but the checks here count a line per
	// newline.
	str, name = strings.ReplaceAll(str, "\n", " "), strings.ReplaceAll(name, "\n", " ")
	id = clean(id)
	if id == "" {
		id = "x"
	}
	if key == "" || key == "name" || key == "n" || key == "f" {
		key = "k" + key
	}
	fields := []Field{
		Str("name", name), Int("n", n), Float("f", f), Str(key, str),
		Hash("nics", Hash(instance, Int("netin", n), Str("s", str))),
	}
	Sort(fields)
	return Object{Kind: Kind(kind % 4), ID: id, Node: "pve1", Time: 1718000000, Fields: fields}
}

func addSeeds(f *testing.F) {
	f.Add(uint8(0), "pve1", "web", "eth0", "vmid", "12", int64(5), 0.5)
	f.Add(uint8(1), "100", `a,b=c d"\`, "tap100i0", "k,e=y z", `v"\`+"\n", int64(-1), 1e-7)
	f.Add(uint8(3), "local", "", "i\n1", "x.y", "1e5", int64(0), 1e300)
}

// FuzzEncodeInflux checks that every line the encoder writes, escaped
// however, parses with InfluxData's own parser, and that a size limit is
// kept: each batch at most Limit bytes, made of whole lines.
func FuzzEncodeInflux(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, id, name, instance, key, str string, n int64, fl float64) {
		o := fuzzObject(kind, id, name, instance, key, str, n, fl)
		var all Batcher
		EncodeInflux(&all, &o)
		out := all.Bytes()
		dec := lp.NewDecoderWithBytes(out)
		lines := 0
		for dec.Next() {
			if _, err := dec.Measurement(); err != nil {
				t.Fatalf("measurement: %v in %q", err, out)
			}
			for {
				k, _, err := dec.NextTag()
				if err != nil {
					t.Fatalf("tag: %v in %q", err, out)
				}
				if k == nil {
					break
				}
			}
			for {
				k, _, err := dec.NextField()
				if err != nil {
					t.Fatalf("field: %v in %q", err, out)
				}
				if k == nil {
					break
				}
			}
			if _, err := dec.Time(lp.Nanosecond, time.Unix(0, 0)); err != nil {
				t.Fatalf("time: %v in %q", err, out)
			}
			lines++
		}
		if lines != all.Lines() || lines != bytes.Count(out, []byte("\n")) {
			t.Fatalf("parsed %d lines, encoder counted %d: %q", lines, all.Lines(), out)
		}
		checkBatches(t, out, func(b *Batcher) { EncodeInflux(b, &o) })
	})
}

// FuzzEncodeGraphite checks the shape of every Graphite line, `<path>
// <number> <time>`, whatever the keys and values, and the size limit.
func FuzzEncodeGraphite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, id, name, instance, key, str string, n int64, fl float64) {
		o := fuzzObject(kind, id, name, instance, key, str, n, fl)
		var all Batcher
		EncodeGraphite(&all, "proxmox", &o)
		out := all.Bytes()
		for _, line := range strings.SplitAfter(string(out), "\n") {
			if line == "" {
				continue
			}
			parts := strings.Split(strings.TrimSuffix(line, "\n"), " ")
			if len(parts) != 3 || !strings.HasPrefix(parts[0], "proxmox.") || !strings.HasSuffix(line, "\n") {
				t.Fatalf("line %q", line)
			}
			if _, err := strconv.ParseFloat(parts[1], 64); err != nil {
				t.Fatalf("value in %q: %v", line, err)
			}
			if parts[2] != "1718000000" {
				t.Fatalf("time in %q", line)
			}
		}
		checkBatches(t, out, func(b *Batcher) { EncodeGraphite(b, "proxmox", &o) })
	})
}

// checkBatches encodes again with a limit just under the longest line's
// size: the batches must be whole lines within the limit, in order, and
// exactly the lines that fit.
func checkBatches(t *testing.T, all []byte, encode func(*Batcher)) {
	lines := strings.SplitAfter(string(all), "\n")
	longest := 0
	for _, l := range lines {
		longest = max(longest, len(l))
	}
	limit := max(longest-1, 1)
	var got strings.Builder
	b := Batcher{Limit: limit, Send: func(p []byte) error {
		if len(p) > limit || len(p) == 0 || p[len(p)-1] != '\n' {
			t.Fatalf("batch of %d bytes (limit %d): %q", len(p), limit, p)
		}
		got.Write(p)
		return nil
	}}
	encode(&b)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, l := range lines {
		if l != "" && len(l) <= limit {
			want.WriteString(l)
		}
	}
	if got.String() != want.String() {
		t.Fatalf("batches\n%q\nwant\n%q", got.String(), want.String())
	}
}

// TestInfluxNumericStrings: numbers Perl accepts but line protocol does not
// read are sent as the number they mean; the usual forms stay as they are
// (found by FuzzEncodeInflux: "+0" made InfluxDB refuse the batch).
func TestInfluxNumericStrings(t *testing.T) {
	o := Object{Kind: KindNode, ID: "pve1", Time: 1, Fields: []Field{
		Str("a", "+1"), Str("b", ".5"), Str("c", "5."), Str("d", " 7 "), Str("e", "0.46"),
		Str("f", "1e5"), Str("g", "1e999"), Str("h", "-2E-3"),
	}}
	var b Batcher
	EncodeInflux(&b, &o)
	want := "system,object=nodes,host=pve1 a=1,b=0.5,c=5,d=7,e=0.46,f=1e5,h=-2E-3 1000000000\n"
	if got := string(b.Bytes()); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
