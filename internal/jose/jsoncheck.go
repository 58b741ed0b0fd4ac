package jose

import (
	"fmt"
)

// Limits on the JSON of a header or payload, so that a hostile token costs
// at most a small multiple of an ordinary one of its size. Real tokens nest
// a few levels and carry at most a few hundred roles or groups; the token
// size cap bounds the rest.
const (
	MaxJSONDepth = 32    // nested objects and arrays
	MaxJSONWidth = 10000 // members of one object, elements of one array
)

// MaxHeaderNames bounds the member names of a JOSE header, at every depth
// (bounded cost). Real headers have a handful; a header is scanned before the
// signature is checked, so a forged one must not cost more than that.
const MaxHeaderNames = 64

// scanObject validates b as one JSON object in a single pass and calls fn,
// when not nil, with the name (decoded when it holds escapes) and the raw
// value of each top-level member as it is read. On an error, discard what
// fn was given. It accepts what json.Valid accepts, less what encoding/json
// would accept silently and other parsers would read differently,
// and shapes that only cost:
//
//   - a top-level value other than an object, or bytes that are not UTF-8;
//   - a member name twice in one object (json.Unmarshal keeps the last one;
//     other parsers keep the first or fail), or two names of one object
//     equal but for letter case, at any depth: Go's decoder matches struct
//     fields case-insensitively (with Unicode folding), so {"exp": 1,
//     "EXP": 9999999999} would otherwise be read as the second (see
//     jsonnames.go);
//   - nesting deeper than MaxJSONDepth, objects or arrays wider than
//     MaxJSONWidth.
//
// what names the segment in error texts. fn's name is valid during the call
// only. Ordinary tokens cost no allocation.
func scanObject(what string, b []byte, fn func(name, value []byte)) error {
	var s scanner
	return s.start(what, b, fn)
}

// A memberFunc is given each top-level member of a scanned object.
type memberFunc func(name, value []byte)

// start runs the scan of b (see scanObject) in s.
func (s *scanner) start(what string, b []byte, fn memberFunc) error {
	s.b, s.depth, s.n, s.seen, s.spill = b, 0, 0, 0, s.spill[:0] // s.names need no zeroing: s.n bounds them
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("%w: %s is not a JSON object", ErrMalformed, what)
	}
	i, f := s.object(i, fn)
	return s.end(what, i, f)
}

func (s *scanner) end(what string, i int, f fault) error {
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
	b         []byte
	depth     int
	n         int            // how many of names are in use
	header    bool           // a header's scan: at most MaxHeaderNames member names
	seen      int            // member names read so far
	names     [64]memberName // the open objects' listed member names, innermost last
	spill     []memberName   // the names of the open objects too wide for names, innermost last
	table     []int32        // distinct's hash table
	folded    []byte         // distinct's scratch: one name, folded
	unescaped []byte         // a top-level name with escapes, decoded for fn
}

type fault uint8

const (
	faultSyntax fault = iota + 1
	faultUTF8
	faultDepth
	faultObjectWidth
	faultArrayWidth
	faultDuplicate
	faultNames // a header of more than MaxHeaderNames names
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
	case faultNames:
		return fmt.Errorf("%w: %s: more than %d member names", ErrMalformed, what, MaxHeaderNames)
	case faultDuplicate:
		return fmt.Errorf("%w: %s: a member name appears twice in one object, or twice but for letter case", ErrMalformed, what)
	}
	if i >= n {
		return fmt.Errorf("%w: %s: JSON ends early", ErrMalformed, what)
	}
	return fmt.Errorf("%w: %s: invalid JSON at byte %d", ErrMalformed, what, i)
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
	return s.members(i, fn)
}

// members scans an open object's members from the first member's name at
// b[i]. Its names are listed in s.names from base; once the object has too
// many, wide is where they start in s.spill (-1 until then).
func (s *scanner) members(i int, fn memberFunc) (int, fault) {
	b, base, wide := s.b, s.n, -1
	for count, first := 1, true; ; count++ {
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
				if wide >= 0 {
					f := s.distinct(s.spill[wide:])
					if s.spill = s.spill[:wide]; f != 0 {
						return i, f
					}
				}
				return i + 1, 0
			default:
				return i, faultSyntax
			}
		}
		first = false
		if count > MaxJSONWidth {
			return i, faultObjectWidth
		}
		if s.seen++; s.header && s.seen > MaxHeaderNames {
			return i, faultNames
		}
		if i >= len(b) || b[i] != '"' {
			return i, faultSyntax
		}
		end, escaped, f := s.str(i)
		if f != 0 {
			return end, f
		}
		name := memberName{start: i + 1, end: end - 1}
		if wide >= 0 {
			s.spill = append(s.spill, name)
		} else if listed, f := s.listName(base, name); f != 0 {
			return i, f
		} else if !listed {
			wide = len(s.spill)
			s.spill = append(append(s.spill, s.names[base:s.n]...), name)
			s.n = base // s.spill holds them now
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
			if escaped {
				s.unescaped = appendUnescaped(s.unescaped[:0], n)
				n = s.unescaped
			}
			fn(n, b[start:i:i])
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
