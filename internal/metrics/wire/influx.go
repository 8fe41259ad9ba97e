package wire

import (
	"strconv"
	"strings"
)

// EncodeInflux writes o as InfluxDB line protocol (formats §5.3), the way
// InfluxDB.pm's build_influxdb_payload does: top-level scalars go to
// measurement "system", each top-level hash K to measurement K, each hash
// below that to measurement K with tag instance=<key>, and anything deeper
// is flattened into that line. Lines of nested hashes come before the line
// of the level holding them; keys are visited in sorted order. Values are
// written as Perl prints them, so numbers carry no type suffix and reach
// InfluxDB as floats, exactly as Proxmox's do.
//
// Unlike InfluxDB.pm, which escapes only blanks in guest and storage tags
// and double quotes in strings, every measurement, tag and field key and
// string value is escaped as the line protocol requires; for the names
// Proxmox VE allows the output is the same.
func EncodeInflux(b *Batcher, o *Object) {
	e := influxEnc{b: b, ts: o.Time * 1_000_000_000, excludeVMID: o.Kind == KindQEMU || o.Kind == KindLXC}
	e.tags = appendBaseTags(b.scratch[:0], o)
	e.level(o.Fields, "", "", 0)
	b.scratch = e.tags[:0]
}

type influxEnc struct {
	b           *Batcher
	tags        []byte
	ts          int64
	excludeVMID bool
}

// appendBaseTags writes the object's tags (without a leading comma).
func appendBaseTags(dst []byte, o *Object) []byte {
	switch o.Kind {
	case KindNode:
		dst = append(dst, "object=nodes,host="...)
		return appendTagValue(dst, o.ID)
	case KindQEMU, KindLXC:
		if o.Kind == KindQEMU {
			dst = append(dst, "object=qemu,vmid="...)
		} else {
			dst = append(dst, "object=lxc,vmid="...)
		}
		dst = appendTagValue(dst, o.ID)
		dst = append(dst, ",nodename="...)
		dst = appendTagValue(dst, o.Node)
		return appendOptTag(dst, ",host=", o, "name")
	case KindStorage:
		dst = append(dst, "object=storages,nodename="...)
		dst = appendTagValue(dst, o.Node)
		dst = append(dst, ",host="...)
		dst = appendTagValue(dst, o.ID)
		return appendOptTag(dst, ",type=", o, "type")
	}
	return dst
}

// appendOptTag adds a tag from a top-level string field when it is true in
// Perl's sense (not empty, not "0").
func appendOptTag(dst []byte, prefix string, o *Object, key string) []byte {
	f, ok := o.Lookup(key)
	if !ok || f.Kind != VString || f.Str == "" || f.Str == "0" {
		return dst
	}
	dst = append(dst, prefix...)
	return appendTagValue(dst, f.Str)
}

// level emits the lines of one hash: depth 0 is the object, 1 a
// measurement's hash, 2 an instance's hash.
func (e *influxEnc) level(fields []Field, measurement, instance string, depth int) {
	if depth < 2 {
		for i := range fields {
			f := &fields[i]
			if f.Kind != VHash || e.excluded(f.Key) {
				continue
			}
			if depth == 0 {
				e.level(f.Hash, f.Key, "", 1)
			} else {
				e.level(f.Hash, measurement, f.Key, 2)
			}
		}
	}
	e.line(fields, measurement, instance, depth)
}

// line writes the line holding this level's scalars, if it has any.
func (e *influxEnc) line(fields []Field, measurement, instance string, depth int) {
	b := e.b
	if measurement == "" {
		measurement = "system"
	}
	b.buf = appendEscaped(b.buf[:b.start], measurement, false)
	b.buf = append(b.buf, ',')
	b.buf = append(b.buf, e.tags...)
	if depth == 2 {
		b.buf = append(b.buf, ",instance="...)
		b.buf = appendTagValue(b.buf, instance)
	}
	b.buf = append(b.buf, ' ')
	n := 0
	for i := range fields {
		f := &fields[i]
		switch {
		case e.excluded(f.Key):
		case f.Kind != VHash:
			n += e.value(f, n, f.Key == "name" || f.Key == "tags")
		case depth == 2:
			n += e.recursive(f.Hash, n)
		}
	}
	if n == 0 {
		b.cancelLine()
		return
	}
	b.buf = append(b.buf, ' ')
	b.buf = strconv.AppendInt(b.buf, e.ts, 10)
	b.buf = append(b.buf, '\n')
	b.endLine()
}

func (e *influxEnc) excluded(key string) bool { return e.excludeVMID && key == "vmid" }

// recursive flattens a hash below the instance level into the line.
func (e *influxEnc) recursive(fields []Field, n int) int {
	added := 0
	for i := range fields {
		f := &fields[i]
		if f.Kind == VHash {
			added += e.recursive(f.Hash, n+added)
		} else {
			added += e.value(f, n+added, false)
		}
	}
	return added
}

// value writes `key=value` (comma-separated after the first) and returns 1,
// or 0 when the value is not sent (empty, NaN, Inf).
func (e *influxEnc) value(f *Field, n int, quote bool) int {
	b := e.b
	mark := len(b.buf)
	if n > 0 {
		b.buf = append(b.buf, ',')
	}
	b.buf = appendEscaped(b.buf, f.Key, true)
	b.buf = append(b.buf, '=')
	switch f.Kind {
	case VInt:
		b.buf = strconv.AppendInt(b.buf, f.Int, 10)
	case VFloat:
		if !finite(f.F) {
			b.buf = b.buf[:mark]
			return 0
		}
		b.buf = appendPerlFloat(b.buf, f.F)
	case VString:
		if f.Str == "" {
			b.buf = b.buf[:mark]
			return 0
		}
		if num, fin := looksLikeNumber(f.Str); num && !quote {
			if !fin {
				b.buf = b.buf[:mark]
				return 0
			}
			if !appendLPNumber(b, strings.TrimSpace(f.Str)) {
				b.buf = b.buf[:mark]
				return 0
			}
			break
		}
		b.buf = appendQuoted(b.buf, f.Str)
	}
	return 1
}

// appendEscaped escapes a measurement (commas, blanks) or, with isKey, a
// tag or field key (also equals signs).
func appendEscaped(dst []byte, s string, isKey bool) []byte {
	if plain(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ',', ' ':
			dst = append(dst, '\\', c)
		case '=':
			if isKey {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		case '\t', '\n', '\r', '\f', '\v':
			dst = append(dst, '\\', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendTagValue escapes a tag value as a key is escaped: InfluxDB.pm
// turns white space into `\ `; commas and equals signs are escaped too.
func appendTagValue(dst []byte, s string) []byte { return appendEscaped(dst, s, true) }

// appendQuoted writes a string field value in double quotes, escaping
// double quotes (as InfluxDB.pm does) and backslashes.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// plain reports whether s needs no escaping anywhere in a line.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '=', ' ', '\t', '\n', '\r', '\f', '\v', '"', '\\':
			return false
		}
	}
	return true
}

// appendLPNumber writes a numeric string Perl accepts as a number. It is
// written as it is when line protocol reads it so too (the usual case, and
// byte for byte what InfluxDB.pm sends); forms line protocol rejects ("+1",
// ".5", "5.") are written as the number they mean, since InfluxDB refuses
// a whole batch over one such field. It is false for a number too large for
// a float.
func appendLPNumber(b *Batcher, s string) bool {
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || !finite(v):
		return false
	case lpNumber(s):
		b.buf = append(b.buf, s...)
	default:
		b.buf = appendPerlFloat(b.buf, v)
	}
	return true
}

// lpNumber reports whether s is a float as line protocol writes one:
// -?digits(.digits)?([eE][+-]?digits)?.
func lpNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && isDigit(s[i]) {
			i, n = i+1, n+1
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
