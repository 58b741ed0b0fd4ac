package jose

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Member names. Go's decoder matches a member to a struct field ignoring letter
// case (with Unicode folding), at every depth; a map, rbac's claim paths and
// other languages' parsers match exactly. Two names of one object that decode
// to the same string, or to strings equal but for case, would let two readers
// of one token read two different values, so scanObject refuses them in every
// object (parsers disagree on which of two values wins), at a cost linear in
// the input: escapes are decoded in place, one rune at a time, and an object's
// names are compared pairwise only while it has few.

// pairwiseNames is how many names of one object are compared pairwise, as
// each is read; an object with more is checked through a hash table when it
// closes. Real tokens' objects rarely have more (a Keycloak token's top
// level has about 25 members).
const pairwiseNames = 32

// memberName locates a name in the input, quotes excluded. key is its
// fingerprint (see fingerprint) while the name is compared pairwise, and its
// seeded hash once its object is checked through the table.
type memberName struct {
	start, end int
	key        uint64
}

// nextRune returns the rune at raw[i], the body of a valid JSON string
// (quotes excluded), decoding an escape as encoding/json does: a surrogate
// pair is one rune, a lone surrogate is U+FFFD. It returns the index past
// what it read.
func nextRune(raw []byte, i int) (rune, int) {
	c := raw[i]
	switch {
	case c < utf8.RuneSelf && c != '\\':
		return rune(c), i + 1
	case c != '\\':
		r, n := utf8.DecodeRune(raw[i:])
		return r, i + n
	}
	switch raw[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r := hex4(raw[i+2:])
		if !utf16.IsSurrogate(r) {
			return r, i + 6
		}
		if i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
			if pair := utf16.DecodeRune(r, hex4(raw[i+8:])); pair != unicode.ReplacementChar {
				return pair, i + 12
			}
		}
		return unicode.ReplacementChar, i + 6
	}
	return rune(raw[i+1]), i + 2 // '"', '\\' or '/'
}

// hex4 reads four hexadecimal digits, which the scan has checked.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// fold is encoding/json's folding of a name's rune before it looks up a
// struct field (foldName): ASCII letters to upper case, other runes to
// ToUpper(ToLower(r)).
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	return unicode.ToUpper(unicode.ToLower(r))
}

// appendUnescaped appends the string the valid JSON string body raw holds,
// in one pass: the bytes up to each escape as they are, then the escape
// decoded.
func appendUnescaped(dst, raw []byte) []byte {
	for {
		k := bytes.IndexByte(raw, '\\')
		if k < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:k]...)
		r, n := nextRune(raw, k)
		dst = utf8.AppendRune(dst, r)
		raw = raw[n:]
	}
}

// equalFolded reports whether two names decode and fold to the same runes.
func equalFolded(a, b []byte) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		var ra, rb rune
		ra, i = nextRune(a, i)
		rb, j = nextRune(b, j)
		if ra != rb && fold(ra) != fold(rb) {
			return false
		}
	}
	return i == len(a) && j == len(b)
}

// fingerprint is a quick hash of a name's folded runes (FNV-1a over them,
// from a basis chosen at random for the process): names whose fingerprints
// differ are different, so most pairs cost one comparison. It need not
// resist collisions: names built to share it cost a full comparison each,
// which pairwiseNames bounds.
func fingerprint(raw []byte) uint64 {
	h := basis
	for i := 0; i < len(raw); {
		var r rune
		r, i = nextRune(raw, i)
		h = (h ^ uint64(fold(r))) * 0x100000001b3
	}
	return h
}

// seed keys the hash of the names of wide objects; unknown outside this
// process, it keeps crafted names from sharing one hash.
var seed = maphash.MakeSeed()

var basis = maphash.Bytes(seed, nil)

// nameHash is the seeded hash of a name's folded runes; buf is scratch.
func nameHash(raw []byte, buf *[]byte) uint64 {
	b := (*buf)[:0]
	for i := 0; i < len(raw); {
		var r rune
		r, i = nextRune(raw, i)
		b = utf8.AppendRune(b, fold(r))
	}
	*buf = b
	return maphash.Bytes(seed, b)
}

// listName adds name to its object's names, which start at base in
// s.names, comparing it with each. It returns false when the list is full
// (the object has pairwiseNames names, or the open objects' lists fill
// s.names): the object's names then go to a slice of their own.
func (s *scanner) listName(base int, name memberName) (ok bool, f fault) {
	if s.n-base == pairwiseNames || s.n == len(s.names) {
		return false, 0
	}
	raw := s.b[name.start:name.end]
	name.key = fingerprint(raw)
	for _, o := range s.names[base:s.n] {
		if o.key == name.key && equalFolded(raw, s.b[o.start:o.end]) {
			return true, faultDuplicate
		}
	}
	s.names[s.n] = name
	s.n++
	return true, 0
}

// distinct checks the names of a wide object, in linear expected time: a
// seeded hash of each folded name in an open-addressing table, a full
// comparison when two hashes are equal.
func (s *scanner) distinct(names []memberName) fault {
	size := 1 << bits.Len(uint(2*len(names)))
	if cap(s.table) < size {
		s.table = make([]int32, size)
	}
	table := s.table[:size]
	clear(table)
	mask := uint64(size - 1)
	for k := range names {
		n := &names[k]
		raw := s.b[n.start:n.end]
		n.key = nameHash(raw, &s.folded)
		for j := n.key & mask; ; j = (j + 1) & mask {
			at := table[j]
			if at == 0 {
				table[j] = int32(k + 1)
				break
			}
			if o := names[at-1]; o.key == n.key && equalFolded(raw, s.b[o.start:o.end]) {
				return faultDuplicate
			}
		}
	}
	return 0
}
