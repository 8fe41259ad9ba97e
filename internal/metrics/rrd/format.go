package rrd

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// The file, all integers and floats little-endian:
//
//	offset 0       the header page (headerSize bytes): magic, heartbeat
//	               i64, max backstep i64, DS count u16, RRA count u16, per
//	               DS kind u8, name length u8, name; per RRA res i64, rows
//	               u32; then the CRC-32C of all that.
//	headerSize     two state slots of stateSize bytes, written in turn:
//	               sequence u64, last update i64, the last raw value of
//	               every DS f64, CRC. The valid one with the higher
//	               sequence wins, so a torn state write loses one update.
//	dataOffset     the rings in layout order, Rows rows of rowSize bytes:
//	               slot start i64, per DS mean f64, max f64, count u32, CRC.
//
// A row whose CRC does not match (never written, zeroed, or torn by a
// crash) reads as unknown. The header is written once, with the whole
// file, by an atomic create; later writes are in place, row by row.
const (
	magic      = "hostrrd\x01"
	headerSize = 4096
	stateSize  = 512
	dataOffset = headerSize + 2*stateSize
	maxDS      = 32
	maxRRA     = 16
	maxRows    = 1 << 20
	maxName    = 64
	dsBytes    = 8 + 8 + 4 // mean, max, count
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// rowSize is the size of one row of a layout with n data sources.
func rowSize(n int) int { return 8 + n*dsBytes + 4 }

// fileSize is the size of a file of layout l.
func (l Layout) fileSize() int {
	n := dataOffset
	for _, r := range l.RRAs {
		n += r.Rows * rowSize(len(l.DS))
	}
	return n
}

// ringOffsets are the file offsets of each ring's first row.
func (l Layout) ringOffsets() []int {
	offs := make([]int, len(l.RRAs))
	off := dataOffset
	for i, r := range l.RRAs {
		offs[i] = off
		off += r.Rows * rowSize(len(l.DS))
	}
	return offs
}

// encodeHeader is the header page of layout l.
func encodeHeader(l Layout) []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(l.Heartbeat))
	b = binary.LittleEndian.AppendUint64(b, uint64(l.MaxBackstep))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(l.DS)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(l.RRAs)))
	for _, d := range l.DS {
		b = append(b, byte(d.Kind), byte(len(d.Name)))
		b = append(b, d.Name...)
	}
	for _, r := range l.RRAs {
		b = binary.LittleEndian.AppendUint64(b, uint64(r.Res))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Rows))
	}
	b = binary.LittleEndian.AppendUint32(b, checksum(b))
	return b[:headerSize]
}

// decodeHeader reads the layout from a header page.
func decodeHeader(b []byte) (Layout, error) {
	var l Layout
	if len(b) < headerSize || string(b[:len(magic)]) != magic {
		return l, fmt.Errorf("rrd header: not a hostadm rrd file")
	}
	d := decoder{b: b[:headerSize], off: len(magic)}
	l.Heartbeat = int64(d.u64())
	l.MaxBackstep = int64(d.u64())
	nDS, nRRA := int(d.u16()), int(d.u16())
	if nDS > maxDS || nRRA > maxRRA {
		return l, fmt.Errorf("rrd header: %d data sources, %d rings", nDS, nRRA)
	}
	for range nDS {
		kind, n := Kind(d.u8()), int(d.u8())
		l.DS = append(l.DS, DS{Kind: kind, Name: string(d.bytes(n))})
	}
	for range nRRA {
		res := int64(d.u64())
		l.RRAs = append(l.RRAs, RRA{Res: res, Rows: int(d.u32())})
	}
	end := d.off
	if sum := d.u32(); d.bad || sum != checksum(b[:end]) {
		return l, fmt.Errorf("rrd header: bad checksum")
	}
	if err := l.Validate(); err != nil {
		return l, fmt.Errorf("rrd header: %w", err)
	}
	return l, nil
}

// decoder reads little-endian values; reading past the end sets bad.
type decoder struct {
	b   []byte
	off int
	bad bool
}

func (d *decoder) bytes(n int) []byte {
	if d.bad || d.off+n > len(d.b) {
		d.bad = true
		return nil
	}
	d.off += n
	return d.b[d.off-n : d.off]
}

func (d *decoder) u8() uint8 {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if b := d.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// state is what an update needs of the previous one.
type state struct {
	seq     uint64
	last    int64 // time of the last update, 0 for none
	lastRaw []float64
}

func encodeState(dst []byte, s *state) {
	clear(dst)
	b := dst[:0]
	b = binary.LittleEndian.AppendUint64(b, s.seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.last))
	for _, v := range s.lastRaw {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	binary.LittleEndian.AppendUint32(b, checksum(b))
}

// decodeState reads a state slot; ok is false for a torn or empty one.
func decodeState(b []byte, nDS int) (s state, ok bool) {
	n := 16 + 8*nDS
	if binary.LittleEndian.Uint32(b[n:]) != checksum(b[:n]) || allZero(b[:n+4]) {
		return state{}, false
	}
	s.seq = binary.LittleEndian.Uint64(b)
	s.last = int64(binary.LittleEndian.Uint64(b[8:]))
	s.lastRaw = make([]float64, nDS)
	for i := range s.lastRaw {
		s.lastRaw[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[16+8*i:]))
	}
	return s, true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// rowValid reports whether a row's CRC matches and it was ever written.
func rowValid(row []byte) bool {
	n := len(row) - 4
	return binary.LittleEndian.Uint32(row[n:]) == checksum(row[:n]) && !allZero(row[:8])
}

func rowSlot(row []byte) int64 { return int64(binary.LittleEndian.Uint64(row)) }

// rowCell returns data source i's mean, max and count.
func rowCell(row []byte, i int) (mean, mx float64, n uint32) {
	c := row[8+i*dsBytes:]
	return math.Float64frombits(binary.LittleEndian.Uint64(c)),
		math.Float64frombits(binary.LittleEndian.Uint64(c[8:])),
		binary.LittleEndian.Uint32(c[16:])
}

func setRowCell(row []byte, i int, mean, mx float64, n uint32) {
	c := row[8+i*dsBytes:]
	binary.LittleEndian.PutUint64(c, math.Float64bits(mean))
	binary.LittleEndian.PutUint64(c[8:], math.Float64bits(mx))
	binary.LittleEndian.PutUint32(c[16:], n)
}

// resetRow makes row an empty row of slot.
func resetRow(row []byte, slot int64) {
	clear(row)
	binary.LittleEndian.PutUint64(row, uint64(slot))
}

func sealRow(row []byte) {
	n := len(row) - 4
	binary.LittleEndian.PutUint32(row[n:], checksum(row[:n]))
}
