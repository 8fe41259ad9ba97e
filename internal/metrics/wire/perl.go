package wire

import (
	"math"
	"strconv"
)

// appendPerlFloat writes f as Perl stringifies a floating-point number:
// printf's %.15g. Go's 'g' format with precision 15 gives the same digits
// and the same two-digit exponent.
func appendPerlFloat(dst []byte, f float64) []byte {
	return strconv.AppendFloat(dst, f, 'g', 15, 64)
}

// finite is false for NaN and ±Inf, which neither encoder sends.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// graphiteNumber reports whether s matches Graphite.pm's filter
// ^[+-]?[0-9]*\.?[0-9]+$ (no exponent, no blanks).
func graphiteNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == len(s) {
		return i > intStart
	}
	if s[i] != '.' {
		return false
	}
	i++
	fracStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i == len(s) && i > fracStart
}

// looksLikeNumber is Perl's looks_like_number for the strings metric data
// holds: optional blanks, sign, digits with an optional fraction and
// exponent, or Inf/Infinity/NaN; trailing blanks are allowed. ok is false
// otherwise; finite is false for Inf and NaN.
func looksLikeNumber(s string) (ok, isFinite bool) {
	i := skipSpace(s, 0)
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if j, special := matchSpecial(s, i); special {
		return skipSpace(s, j) == len(s), false
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j {
			return false, false
		}
		i = k
	}
	return skipSpace(s, i) == len(s), true
}

// matchSpecial matches Inf, Infinity or NaN (any case) at s[i:].
func matchSpecial(s string, i int) (int, bool) {
	for _, w := range [...]string{"infinity", "inf", "nan"} {
		if len(s)-i >= len(w) && equalFoldASCII(s[i:i+len(w)], w) {
			return i + len(w), true
		}
	}
	return i, false
}

func equalFoldASCII(a, lower string) bool {
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
