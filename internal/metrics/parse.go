package metrics

import (
	"errors"
	"strconv"
)

// The helpers below walk /proc text without building strings or slices, so
// the parsers allocate only for what they return (names, loadavg text).

var errNumber = errors.New("not an unsigned integer")

// nextLine splits b at the first newline; the newline is dropped.
func nextLine(b []byte) (line, rest []byte) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}

// nextField skips blanks and returns the next blank-separated field.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isBlank(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// trimBlanks removes leading and trailing blanks.
func trimBlanks(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// atou parses a decimal unsigned integer, rejecting signs, blanks and
// overflow.
func atou(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, errNumber
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errNumber
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, errNumber
		}
		n = n*10 + d
	}
	return n, nil
}

// atof parses a decimal number such as "0.12" or "194.15".
func atof(b []byte) (float64, error) {
	if len(b) == 0 || len(b) > 40 {
		return 0, errNumber
	}
	return strconv.ParseFloat(string(b), 64)
}

// splitKey splits "key: value" or "key\t: value" at the first colon and
// trims both parts. ok is false when there is no colon.
func splitKey(line []byte) (key, value []byte, ok bool) {
	for i, c := range line {
		if c == ':' {
			return trimBlanks(line[:i]), trimBlanks(line[i+1:]), true
		}
	}
	return nil, nil, false
}
