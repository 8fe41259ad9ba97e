package wire

// Batcher gathers encoded lines into batches of at most Limit bytes, the
// way pvestatd's transactions do: before a line that would make the batch
// longer than the limit, the batch so far is handed to Send. A line longer
// than the limit on its own is dropped and counted, so no datagram or
// request body ever exceeds the limit.
//
// The zero value keeps every line in one buffer (Bytes), which is what the
// golden tests and the benchmarks use. A Batcher is reused round after
// round: its buffer is allocated once.
type Batcher struct {
	// Limit is the largest batch in bytes; 0 means no limit.
	Limit int
	// Send receives each full batch; the bytes are valid only during the
	// call. After Send fails, the Batcher discards lines until Reset.
	Send func(batch []byte) error

	buf     []byte
	scratch []byte // the encoders' reusable scratch space
	start   int    // where the line being written starts
	lines   int
	dropped int
	err     error
}

// Reset empties the batcher for a new round, keeping its buffer.
func (b *Batcher) Reset() {
	b.buf, b.start, b.lines, b.dropped, b.err = b.buf[:0], 0, 0, 0, nil
}

// Bytes returns the lines not yet sent.
func (b *Batcher) Bytes() []byte { return b.buf[:b.start] }

// Lines is the number of lines accepted since Reset.
func (b *Batcher) Lines() int { return b.lines }

// Dropped is the number of lines dropped since Reset because they were
// longer than Limit or came after a failed Send.
func (b *Batcher) Dropped() int { return b.dropped }

// Err is the first Send error since Reset.
func (b *Batcher) Err() error { return b.err }

// Flush sends what is buffered, if anything, and returns Err.
func (b *Batcher) Flush() error {
	if b.err == nil && b.start > 0 && b.Send != nil {
		b.err = b.Send(b.buf[:b.start])
		b.buf, b.start = b.buf[:0], 0
	}
	return b.err
}

// cancelLine forgets the line being written.
func (b *Batcher) cancelLine() { b.buf = b.buf[:b.start] }

// endLine accepts the line written since the last endLine.
func (b *Batcher) endLine() {
	n := len(b.buf) - b.start
	switch {
	case b.err != nil, b.Limit > 0 && n > b.Limit:
		b.buf = b.buf[:b.start]
		b.dropped++
		return
	case b.Limit > 0 && len(b.buf) > b.Limit && b.Send != nil:
		b.err = b.Send(b.buf[:b.start])
		if b.err != nil {
			b.buf = b.buf[:0]
			b.start = 0
			b.dropped++
			return
		}
		b.buf = append(b.buf[:0], b.buf[b.start:]...)
	}
	b.start = len(b.buf)
	b.lines++
}
