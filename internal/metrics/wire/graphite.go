package wire

import "strconv"

// DefaultGraphitePath is the path prefix when status.cfg sets none.
const DefaultGraphitePath = "proxmox"

// graphiteSkip are keys Graphite.pm never sends (state, not measurements).
func graphiteSkip(key string) bool {
	switch key {
	case "template", "pid", "agent", "serial":
		return true
	}
	return false
}

// EncodeGraphite writes o as Graphite plaintext lines, `<path> <value>
// <ctime>\n`, one per numeric leaf (formats §5.2). prefix is the
// configured path ("proxmox" when empty); keys are visited in sorted
// order and dots inside keys become dashes.
func EncodeGraphite(b *Batcher, prefix string, o *Object) {
	if prefix == "" {
		prefix = DefaultGraphitePath
	}
	b.buf = append(b.buf[:b.start], prefix...)
	switch o.Kind {
	case KindNode:
		b.buf = append(b.buf, ".nodes."...)
	case KindQEMU:
		b.buf = append(b.buf, ".qemu."...)
	case KindLXC:
		b.buf = append(b.buf, ".lxc."...)
	case KindStorage:
		b.buf = append(b.buf, ".storages."...)
		b.buf = append(b.buf, o.Node...)
		b.buf = append(b.buf, '.')
	}
	b.buf = append(b.buf, o.ID...)
	// The object path is kept in the batcher's scratch buffer: each line
	// starts with it.
	g := graphiteEnc{b: b, ts: o.Time}
	g.path = append(b.scratch[:0], b.buf[b.start:]...)
	b.buf = b.buf[:b.start]
	g.hash(o.Fields)
	b.scratch = g.path[:0]
}

type graphiteEnc struct {
	b    *Batcher
	ts   int64
	path []byte
}

func (g *graphiteEnc) hash(fields []Field) {
	for i := range fields {
		f := &fields[i]
		n := len(g.path)
		g.path = append(g.path, '.')
		g.path = appendGraphiteKey(g.path, f.Key)
		if f.Kind == VHash {
			g.hash(f.Hash)
		} else if !graphiteSkip(f.Key) {
			g.leaf(f)
		}
		g.path = g.path[:n]
	}
}

func (g *graphiteEnc) leaf(f *Field) {
	b := g.b
	b.buf = append(b.buf, g.path...)
	b.buf = append(b.buf, ' ')
	switch f.Kind {
	case VInt:
		b.buf = strconv.AppendInt(b.buf, f.Int, 10)
	case VFloat:
		// Perl prints large and tiny floats with an exponent, which
		// Graphite.pm's number filter then rejects; do the same.
		n := len(b.buf)
		b.buf = appendPerlFloat(b.buf, f.F)
		if !finite(f.F) || !graphiteNumber(string(b.buf[n:])) {
			b.cancelLine()
			return
		}
	case VString:
		if !graphiteNumber(f.Str) {
			b.cancelLine()
			return
		}
		b.buf = append(b.buf, f.Str...)
	}
	b.buf = append(b.buf, ' ')
	b.buf = strconv.AppendInt(b.buf, g.ts, 10)
	b.buf = append(b.buf, '\n')
	b.endLine()
}

// appendGraphiteKey appends a key with dots replaced by dashes (as
// Graphite.pm does) and blanks by underscores (which would otherwise end
// the path early and corrupt the line).
func appendGraphiteKey(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; c {
		case '.':
			dst = append(dst, '-')
		case ' ', '\t', '\n', '\r':
			dst = append(dst, '_')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
