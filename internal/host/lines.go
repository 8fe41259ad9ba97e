package host

import (
	"bufio"
	"errors"
	"io"
)

// DefaultMaxLine is the longest line ForEachLine hands over whole; longer
// lines are cut there, so one huge line costs no more than this.
const DefaultMaxLine = 64 << 10

// ForEachLine calls fn with each line of r, without its newline (a last
// line without one counts). A line longer than max bytes (DefaultMaxLine
// when max <= 0) is cut to max bytes and the rest skipped, with cut set.
// fn returns false to stop reading. Memory stays at one buffer of max
// bytes however long the input or its lines are.
func ForEachLine(r io.Reader, max int, fn func(line []byte, cut bool) bool) error {
	if max <= 0 {
		max = DefaultMaxLine
	}
	br := bufio.NewReaderSize(r, max)
	for {
		line, err := br.ReadSlice('\n')
		cut := false
		if errors.Is(err, bufio.ErrBufferFull) {
			cut = true
			if !fn(line, true) {
				return nil
			}
			if err = skipLine(br); err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			if err != nil {
				return nil
			}
			continue
		}
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			if !fn(line, cut) {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// skipLine discards the rest of a line that did not fit the buffer.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// capWriter keeps the first max bytes written to it and drops the rest,
// remembering that it did.
type capWriter struct {
	buf       []byte
	max       int
	truncated bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room < len(p) {
		w.truncated = true
		if room > 0 {
			w.buf = append(w.buf, p[:room]...)
		}
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
