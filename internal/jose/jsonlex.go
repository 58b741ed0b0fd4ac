package jose

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// plain marks the bytes a string holds as they are: printable ASCII but the
// quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str scans the string at s.b[i] (see scanString).
func (s *scanner) str(i int) (end int, escaped bool, f fault) { return scanString(s.b, i) }

// scanString validates the string at b[i] (a quote) and returns the index
// just past it and whether it holds an escape.
func scanString(b []byte, i int) (end int, escaped bool, f fault) {
	j := i + 1
	for {
		// Eight bytes at a time up to the next byte that needs a look, then
		// byte by byte near the end.
		for j+8 <= len(b) {
			if m := special8(binary.LittleEndian.Uint64(b[j:])); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(b) && plain[b[j]] {
			j++
		}
		if j >= len(b) {
			return len(b), false, faultSyntax
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, escaped, 0
		case c == '\\':
			escaped = true
			if j+1 >= len(b) {
				return len(b), false, faultSyntax
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return j, false, faultSyntax
				}
				j += 6
			default:
				return j, false, faultSyntax
			}
		case c < 0x20:
			return j, false, faultSyntax
		default:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return j, false, faultUTF8
			}
			j += size
		}
	}
}

// special8 flags, in the high bit of each byte, the bytes of x that are
// not plain (see plain): below 0x20, at or above 0x80, a quote or a
// backslash. Each term is the classic test for a zero byte; a borrow can
// only flag a byte above a flagged one, so the lowest flag is exact.
func special8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ ones*'"'
	backslash := x ^ ones*'\\'
	return ((x - ones*0x20) | (quote-ones)&^quote | (backslash-ones)&^backslash | x) & highs
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number scans the JSON number at b[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number(i int) (int, fault) {
	b, j := s.b, i
	if b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		j = digits(b, j)
	default:
		return j, faultSyntax
	}
	if j < len(b) && b[j] == '.' {
		if k := digits(b, j+1); k > j+1 {
			j = k
		} else {
			return k, faultSyntax
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if k := digits(b, j); k > j {
			j = k
		} else {
			return k, faultSyntax
		}
	}
	return j, 0
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func (s *scanner) literal(i int, lit string) (int, fault) {
	if !bytes.HasPrefix(s.b[i:], []byte(lit)) {
		return i, faultSyntax
	}
	return i + len(lit), 0
}
