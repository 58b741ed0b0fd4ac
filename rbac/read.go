package rbac

import (
	"errors"
	"slices"
	"strings"

	"github.com/jwtguard/jwtguard/internal/claimsx"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/middleware"
)

// A Mapper reads the raw JSON of a verified payload, never a decoded copy:
// attached to a verifier (nethttp does it), it reads the claims that the
// verification's one scan found, once per verification, and a cache hit
// reuses what it read. Its answers are those of MapClaims on the decoded
// payload (a differential test and fuzzing compare the two). Escapes,
// surrogates included, decode as encoding/json decodes them; the payload's
// scan has refused what the two readings could read apart (invalid UTF-8,
// a name twice in one object, even but for case). The names read share
// the payload's memory: a name kept keeps the payload (at most the token
// size limit) alive.

func init() {
	claimsx.MapperReader = func(x any) *claimsx.Reader {
		if m, ok := x.(*Mapper); ok && m != nil {
			return m.reader
		}
		return defaultM.reader
	}
}

// newReader returns m's reader: the top-level claims its sources start at,
// and those whose presence it reports (watch). It sets where each source's
// and each watched claim's value is among them (m.at).
func (m *Mapper) newReader() *claimsx.Reader {
	var names []string
	at := func(name string) int {
		i := slices.Index(names, name)
		if i < 0 {
			i = len(names)
			names = append(names, name)
		}
		return i
	}
	m.at = make([]int, 0, len(m.sources)+len(m.watch))
	for _, s := range m.sources {
		m.at = append(m.at, at(s.Path[0]))
	}
	for _, w := range m.watch {
		m.at = append(m.at, at(w))
	}
	m.unless = make([]int, len(m.sources))
	for i, s := range m.sources {
		m.unless[i] = -1
		if len(s.Unless) > 0 {
			m.unless[i] = at(s.Unless[0])
		}
	}
	m.self = make([]int, len(names))
	for i := range m.self {
		m.self[i] = i
	}
	return &claimsx.Reader{Names: names, Read: func(c claimsx.Values) (any, int) {
		a := m.readClaims(c)
		return a, a.size()
	}}
}

// shared returns m's reading of c: the one its verification made, when m
// was attached to the verifier, or else a reading of c's payload now. The
// result may be shared with other requests: never change it.
func (m *Mapper) shared(c *middleware.Claims) *Authorities {
	if m.reader == nil { // a Mapper not made by NewMapper: it has no sources
		return &Authorities{by: m}
	}
	if v, ok := claimsx.Derived(c, m.reader); ok {
		if a, ok := v.(*Authorities); ok {
			return a
		}
	}
	return m.readPayload(claimsx.Payload(c))
}

// readPayload reads a verified payload's top-level members for m.
func (m *Mapper) readPayload(payload []byte) *Authorities {
	names := m.reader.Names
	values := make([][]byte, len(names))
	if len(payload) > 0 {
		jose.EachMember(payload, func(name string, value []byte) bool {
			if i := slices.Index(names, name); i >= 0 {
				values[i] = value
			}
			return true
		})
	}
	return m.readClaims(claimsx.NewValues(values, m.self))
}

// readClaims is MapClaims on raw JSON values.
func (m *Mapper) readClaims(c claimsx.Values) *Authorities {
	a := &Authorities{by: m}
	for i, s := range m.sources {
		if m.unless[i] >= 0 {
			if u := valueAt(c.Get(m.unless[i]), s.Unless[1:]); u != nil && string(u) != "null" {
				continue // turned off by a claim present
			}
		}
		v := valueAt(c.Get(m.at[i]), s.Path[1:])
		if v == nil {
			continue // absent: nothing granted, nothing wrong
		}
		if got := m.readRaw(a, s, v); got != "" && m.hook != nil {
			m.hook(Mismatch{Source: s, Got: got})
		}
	}
	m.finish(a)
	for i, w := range m.watch {
		if c.Get(m.at[len(m.sources)+i]) != nil {
			a.unread = w
			break
		}
	}
	return a
}

// valueAt returns the value at path below v, or nil when there is none.
func valueAt(v []byte, path []string) []byte {
	for _, seg := range path {
		if v == nil {
			break
		}
		v = memberOf(v, seg)
	}
	return v
}

// memberOf returns the value of the member name of v when v is an object
// that has one, else nil.
func memberOf(v []byte, name string) []byte {
	if v[0] != '{' {
		return nil
	}
	var found []byte
	jose.EachMember(v, func(n string, value []byte) bool {
		if n == name {
			found = value
			return false
		}
		return true
	})
	return found
}

// readRaw is read for a raw JSON value.
func (m *Mapper) readRaw(a *Authorities, s Source, v []byte) string {
	if s.Shape == ShapeNames {
		if v[0] == '"' {
			s.Shape = ShapeSpaceDelimited
		} else {
			s.Shape = ShapeArray
		}
	}
	switch s.Shape {
	case ShapeSpaceDelimited, ShapeString:
		if v[0] != '"' {
			return rawType(v)
		}
		str := jose.Unquote(v)
		if s.Shape == ShapeString {
			a.add(s.Kind, str)
			return ""
		}
		a.addAll(s.Kind, strings.Fields(str))
	case ShapeArray:
		if v[0] != '[' {
			return rawType(v)
		}
		var names []string
		var bad []byte
		_ = jose.EachElement(v, func(item []byte) error {
			if item[0] != '"' {
				bad = item
				return errStop
			}
			names = append(names, jose.Unquote(item))
			return nil
		})
		if bad != nil {
			return "array containing " + rawType(bad)
		}
		a.addAll(s.Kind, names)
	case ShapeObjectKeys:
		if v[0] != '{' {
			return rawType(v)
		}
		var names []string
		jose.EachMember(v, func(n string, _ []byte) bool { names = append(names, n); return true })
		slices.Sort(names)
		a.addAll(s.Kind, names)
	}
	return ""
}

// errStop ends a walk of an array early.
var errStop = errors.New("stop")

// rawType is jsonType for a raw JSON value.
func rawType(v []byte) string {
	switch v[0] {
	case 'n':
		return "null"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	return "number"
}
