package jose

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// Limits on the JSON of a header or payload (C21). Real tokens nest a few
// levels and carry at most a few hundred roles or groups; the token size cap
// bounds the rest.
const (
	MaxJSONDepth = 32    // nested objects and arrays
	MaxJSONWidth = 10000 // members of one object, elements of one array
)

// scanObject validates b as one JSON object in a single pass and calls fn,
// when not nil, with the name (decoded when it holds escapes) and the raw
// value of each top-level member as it is read. On an error, discard what
// fn was given. It accepts what json.Valid accepts, less what encoding/json
// would accept silently and other parsers would read differently (C15),
// and shapes that only cost (C21):
//
//   - a top-level value other than an object, or bytes that are not UTF-8;
//   - a member name twice in one object (json.Unmarshal keeps the last one;
//     other parsers keep the first or fail);
//   - at the top level, two names equal but for letter case: Go's decoder
//     matches struct fields case-insensitively (with Unicode folding), so
//     {"exp": 1, "EXP": 9999999999} would otherwise be read as the second;
//   - nesting deeper than MaxJSONDepth, objects or arrays wider than
//     MaxJSONWidth.
//
// what names the segment in error texts. Ordinary tokens cost no allocation.
func scanObject(what string, b []byte, fn func(name, value []byte)) error {
	var s scanner
	if fn == nil {
		return s.start(what, b, nil)
	}
	return s.start(what, b, func(name, value []byte) bool { fn(name, value); return false })
}

// A memberFunc is given each top-level member of a scanned object; true
// pauses the scan just after that member (see scanner.resume).
type memberFunc func(name, value []byte) (pause bool)

// start begins the scan of b (see scanObject) in s. When fn pauses it, start
// returns nil with s.paused set: b is then valid up to that member only, and
// resume finishes the scan.
func (s *scanner) start(what string, b []byte, fn memberFunc) error {
	s.b, s.depth, s.n, s.paused = b, 0, 0, false // s.names need no zeroing: s.n bounds them
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("%w: %s is not a JSON object", ErrMalformed, what)
	}
	i, f := s.object(i, fn)
	return s.end(what, i, f)
}

// resume finishes a paused scan, giving fn the members after the pause
// (fn can pause it no more); it returns nil at once if s is not paused.
func (s *scanner) resume(what string, fn memberFunc) error {
	if !s.paused {
		return nil
	}
	s.paused = false
	var once memberFunc
	if fn != nil {
		once = func(name, value []byte) bool { fn(name, value); return false }
	}
	i, f := s.members(s.at.i, s.at.count, 0, s.at.set, false, once)
	return s.end(what, i, f)
}

func (s *scanner) end(what string, i int, f fault) error {
	if f == faultPaused {
		return nil
	}
	if f == 0 {
		if i = skipSpace(s.b, i); i != len(s.b) {
			f = faultSyntax
		}
	}
	if f != 0 {
		return f.error(what, i, len(s.b))
	}
	return nil
}

// scanner is the state of one scan. Its methods report a fault and where;
// end alone formats the error (which keeps the scanner and its name list
// on the stack).
type scanner struct {
	b      []byte
	depth  int
	n      int  // how many of names are in use
	paused bool // the top-level object's scan stopped after a member (at)
	at     struct {
		i, count int                 // just past the member's value; its number
		set      map[string]struct{} // the top-level names, when in a set
	}
	names [64]memberName // the open objects' listed member names, innermost last
}

type fault uint8

const (
	faultSyntax fault = iota + 1
	faultUTF8
	faultDepth
	faultObjectWidth
	faultArrayWidth
	faultDuplicate
	faultDuplicateFold
	faultPaused // not a fault: fn asked for a pause
)

func (f fault) error(what string, i, n int) error {
	switch f {
	case faultUTF8:
		return fmt.Errorf("%w: %s is not UTF-8", ErrMalformed, what)
	case faultDepth:
		return fmt.Errorf("%w: %s: JSON nested deeper than %d levels", ErrMalformed, what, MaxJSONDepth)
	case faultObjectWidth:
		return fmt.Errorf("%w: %s: JSON object wider than %d members", ErrMalformed, what, MaxJSONWidth)
	case faultArrayWidth:
		return fmt.Errorf("%w: %s: JSON array longer than %d elements", ErrMalformed, what, MaxJSONWidth)
	case faultDuplicate:
		return fmt.Errorf("%w: %s: a member name appears twice in one object", ErrMalformed, what)
	case faultDuplicateFold:
		return fmt.Errorf("%w: %s: a member name appears twice, or twice but for letter case", ErrMalformed, what)
	}
	if i >= n {
		return fmt.Errorf("%w: %s: JSON ends early", ErrMalformed, what)
	}
	return fmt.Errorf("%w: %s: invalid JSON at byte %d", ErrMalformed, what, i)
}

// memberName locates a name in the input, quotes excluded. key holds its
// first bytes and its length (letters folded at the top level): names whose
// keys differ are different, so most pairs cost one comparison.
type memberName struct {
	start, end int
	key        uint64
}

// value scans the value at b[i] and returns the index just past it.
func (s *scanner) value(i int) (int, fault) {
	b := s.b
	if i >= len(b) {
		return i, faultSyntax
	}
	switch c := b[i]; c {
	case '"':
		end, _, f := s.str(i)
		return end, f
	case '{':
		return s.object(i, nil)
	case '[':
		return s.array(i)
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.number(i)
		}
	}
	return i, faultSyntax
}

func (s *scanner) object(i int, fn memberFunc) (int, fault) {
	if s.depth == MaxJSONDepth {
		return i, faultDepth
	}
	s.depth++
	b := s.b
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		s.depth--
		return i + 1, 0
	}
	return s.members(i, 1, s.n, nil, true, fn)
}

// members scans an open object's members from b[i]: from the first
// member's name when first, else from the end of member count-1's value.
// base is where the object's names start in s.names; set holds them instead
// once the object is large or has escaped names.
func (s *scanner) members(i, count, base int, set map[string]struct{}, first bool, fn memberFunc) (int, fault) {
	b, top := s.b, s.depth == 1
	for ; ; count++ {
		if !first {
			if i = skipSpace(b, i); i >= len(b) {
				return i, faultSyntax
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case '}':
				s.n = base
				s.depth--
				return i + 1, 0
			default:
				return i, faultSyntax
			}
		}
		first = false
		if count > MaxJSONWidth {
			return i, faultObjectWidth
		}
		if i >= len(b) || b[i] != '"' {
			return i, faultSyntax
		}
		end, kind, f := s.str(i)
		if f != 0 {
			return end, f
		}
		name := memberName{start: i + 1, end: end - 1}
		if f := s.checkName(&set, base, name, kind, top); f != 0 {
			return i, f
		}
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return i, faultSyntax
		}
		start := skipSpace(b, i+1)
		if i, f = s.value(start); f != 0 {
			return i, f
		}
		if fn != nil {
			n := b[name.start:name.end]
			if kind&strEscaped != 0 {
				n = []byte(unescapeName(n))
			}
			if fn(n, b[start:i:i]) {
				s.paused = true
				s.at.i, s.at.count, s.at.set = i, count+1, set
				return i, faultPaused
			}
		}
	}
}

func (s *scanner) array(i int) (int, fault) {
	if s.depth == MaxJSONDepth {
		return i, faultDepth
	}
	s.depth++
	b := s.b
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		s.depth--
		return i + 1, 0
	}
	for count := 1; ; count++ {
		if count > MaxJSONWidth {
			return i, faultArrayWidth
		}
		var f fault
		if i, f = s.value(i); f != 0 {
			return i, f
		}
		if i = skipSpace(b, i); i >= len(b) {
			return i, faultSyntax
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			s.depth--
			return i + 1, 0
		default:
			return i, faultSyntax
		}
	}
}

// plain marks the bytes a string holds as they are: printable ASCII but the
// quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// What a scanned string holds besides plain ASCII.
const (
	strEscaped  = 1 << iota // a backslash escape
	strNonASCII             // a byte at or above 0x80
)

// str scans the string at b[i] (a quote) and returns the index just past
// it and what it holds (strEscaped, strNonASCII).
func (s *scanner) str(i int) (end int, kind uint8, f fault) {
	b := s.b
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
			return len(b), 0, faultSyntax
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, kind, 0
		case c == '\\':
			kind |= strEscaped
			if j+1 >= len(b) {
				return len(b), 0, faultSyntax
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return j, 0, faultSyntax
				}
				j += 6
			default:
				return j, 0, faultSyntax
			}
		case c < 0x20:
			return j, 0, faultSyntax
		default:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return j, 0, faultUTF8
			}
			kind |= strNonASCII
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

// number scans the JSON number at b[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
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

// checkName compares a new member name with the others of its object (the
// names from base on): exactly, or at the top level ignoring case. Plain
// names are listed and compared by key first, then byte by byte; escaped
// names, non-ASCII names at the top level, and objects past the list's
// room go through a set of decoded (and at the top level folded) names, so
// a crafted object costs linear time.
func (s *scanner) checkName(set *map[string]struct{}, base int, name memberName, kind uint8, top bool) fault {
	raw := s.b[name.start:name.end]
	if *set == nil && s.n < len(s.names) && kind&strEscaped == 0 && !(top && kind&strNonASCII != 0) {
		name.key = nameKey(s.b, name.start, name.end, top)
		for _, o := range s.names[base:s.n] {
			if o.key != name.key {
				continue
			}
			if other := s.b[o.start:o.end]; bytes.Equal(raw, other) || top && bytes.EqualFold(raw, other) {
				return duplicate(top)
			}
		}
		s.names[s.n] = name
		s.n++
		return 0
	}
	if *set == nil {
		*set = make(map[string]struct{}, 2*(s.n-base)+1)
		for _, o := range s.names[base:s.n] {
			(*set)[setKey(s.b[o.start:o.end], top)] = struct{}{}
		}
		s.n = base // the set holds them now
	}
	k := setKey(raw, top)
	if _, dup := (*set)[k]; dup {
		return duplicate(top)
	}
	(*set)[k] = struct{}{}
	return 0
}

// nameKey packs a name's length and first seven bytes, at the top level
// with ASCII letters folded to lower case (other bytes may collide: the
// comparison after it decides). raw lies in b, whose bytes after it are
// read in place when there are eight.
func nameKey(b []byte, start, end int, top bool) uint64 {
	n := end - start
	var x uint64
	if start+8 <= len(b) {
		x = binary.LittleEndian.Uint64(b[start:])
	} else {
		var k [8]byte
		copy(k[:], b[start:end])
		x = binary.LittleEndian.Uint64(k[:])
	}
	if top {
		x |= 0x2020202020202020
	}
	if n < 7 {
		x &= 1<<(8*n) - 1
	}
	return x&0x00FFFFFFFFFFFFFF | uint64(n&0xFF)<<56
}

// setKey decodes a member name's escapes and, at the top level, folds it
// as Go's decoder does before it looks up a struct field (foldName in
// encoding/json): ASCII letters to upper case, other runes to
// ToUpper(ToLower(r)).
func setKey(raw []byte, top bool) string {
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = []byte(unescapeName(raw))
	}
	if !top {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return string(out)
}

// unescapeName decodes the escapes of a scanned (valid) member name.
func unescapeName(raw []byte) string {
	var s string
	if json.Unmarshal([]byte(`"`+string(raw)+`"`), &s) != nil {
		return string(raw)
	}
	return s
}

func duplicate(top bool) fault {
	if top {
		return faultDuplicateFold
	}
	return faultDuplicate
}
