package jose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Limits on the JSON of a header or payload (C21). Real tokens nest a few
// levels and carry at most a few hundred roles or groups; the token size cap
// bounds the rest.
const (
	MaxJSONDepth = 32    // nested objects and arrays
	MaxJSONWidth = 10000 // members of one object, elements of one array
)

// jsonFrame is one open object or array.
type jsonFrame struct {
	object    bool
	expectKey bool
	count     int                 // members or elements so far
	names     int                 // index in the name list of this object's first member
	set       map[string]struct{} // this object's member names, once it is large
}

// smallObject is the member count up to which names are compared pairwise;
// larger objects use a map, so a crafted object costs linear time.
const smallObject = 16

// checkJSON refuses what encoding/json would accept silently and other
// parsers would read differently (C15), and shapes that only cost (C21):
//
//   - a member name twice in one object (json.Unmarshal keeps the last one;
//     other parsers keep the first or fail);
//   - at the top level, two names equal but for letter case: Go's decoder
//     matches struct fields case-insensitively (with Unicode folding), so
//     {"exp": 1, "EXP": 9999999999} would otherwise be read as the second;
//   - nesting deeper than MaxJSONDepth, objects or arrays wider than
//     MaxJSONWidth.
//
// It tracks structure only; json.Unmarshal checks the grammar afterwards.
// Well-formed input of ordinary size costs no allocation.
func checkJSON(b []byte) error {
	var stackBuf [8]jsonFrame
	stack := stackBuf[:0]
	var nameBuf [32][2]int // [start, end) of the open objects' member names, quotes excluded
	names := nameBuf[:0]
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case ' ', '\t', '\n', '\r', ':':
			i++
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			i++
		case '{', '[':
			if err := countElement(stack); err != nil {
				return err
			}
			if len(stack) == MaxJSONDepth {
				return fmt.Errorf("%w: JSON nested deeper than %d levels", ErrMalformed, MaxJSONDepth)
			}
			stack = append(stack, jsonFrame{object: c == '{', expectKey: c == '{', names: len(names)})
			i++
		case '}', ']':
			if len(stack) == 0 {
				return nil // unbalanced: json.Unmarshal reports it
			}
			if top := stack[len(stack)-1]; top.object {
				names = names[:top.names]
			}
			stack = stack[:len(stack)-1]
			i++
		case '"':
			end, escaped := scanString(b, i)
			if end < 0 {
				return nil // unterminated: json.Unmarshal reports it
			}
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].expectKey {
				f := &stack[n-1]
				f.expectKey = false
				if f.count++; f.count > MaxJSONWidth {
					return fmt.Errorf("%w: JSON object wider than %d members", ErrMalformed, MaxJSONWidth)
				}
				name := [2]int{i + 1, end - 1}
				if err := checkName(b, f, names[f.names:], name, escaped, n == 1); err != nil {
					return err
				}
				names = append(names, name)
			} else if err := countElement(stack); err != nil {
				return err
			}
			i = end
		default: // a number or a literal: skip to the next delimiter
			if err := countElement(stack); err != nil {
				return err
			}
			for i < len(b) && !isDelim(b[i]) {
				i++
			}
		}
	}
	return nil
}

func isDelim(c byte) bool {
	switch c {
	case ',', ':', '[', ']', '{', '}', '"', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// countElement counts a value starting in the innermost array.
func countElement(stack []jsonFrame) error {
	if n := len(stack); n > 0 && !stack[n-1].object {
		if stack[n-1].count++; stack[n-1].count > MaxJSONWidth {
			return fmt.Errorf("%w: JSON array longer than %d elements", ErrMalformed, MaxJSONWidth)
		}
	}
	return nil
}

// scanString returns the index just past the string starting at b[i] (a
// quote), and whether it holds escapes; -1 if it is not terminated.
func scanString(b []byte, i int) (end int, escaped bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// checkName compares a new member name with the others of its object:
// exactly, or at the top level ignoring case.
func checkName(b []byte, f *jsonFrame, others [][2]int, name [2]int, escaped, top bool) error {
	raw := b[name[0]:name[1]]
	if f.set == nil && len(others) < smallObject && !escaped && !hasEscapes(b, others) {
		for _, o := range others {
			other := b[o[0]:o[1]]
			if bytes.Equal(raw, other) || top && bytes.EqualFold(raw, other) {
				return duplicate(top)
			}
		}
		return nil
	}
	// Large objects and escaped names: compare decoded names through a set.
	if f.set == nil {
		f.set = make(map[string]struct{}, 2*len(others))
		for _, o := range others {
			f.set[nameKey(b[o[0]:o[1]], top)] = struct{}{}
		}
	}
	k := nameKey(raw, top)
	if _, dup := f.set[k]; dup {
		return duplicate(top)
	}
	f.set[k] = struct{}{}
	return nil
}

func hasEscapes(b []byte, names [][2]int) bool {
	for _, n := range names {
		if bytes.IndexByte(b[n[0]:n[1]], '\\') >= 0 {
			return true
		}
	}
	return false
}

// nameKey decodes a member name's escapes and, at the top level, folds its
// case the way Go's decoder compares field names.
func nameKey(raw []byte, top bool) string {
	s := string(raw)
	if bytes.IndexByte(raw, '\\') >= 0 {
		var dec string
		if json.Unmarshal([]byte(`"`+s+`"`), &dec) == nil {
			s = dec
		}
	}
	if top {
		s = strings.ToLower(strings.ToUpper(s))
	}
	return s
}

func duplicate(top bool) error {
	if top {
		return fmt.Errorf("%w: a member name appears twice, or twice but for letter case", ErrMalformed)
	}
	return fmt.Errorf("%w: a member name appears twice in one object", ErrMalformed)
}
