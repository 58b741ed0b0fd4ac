package rbac

import (
	"errors"
	"fmt"
	"strings"
)

// A Path names a claim, possibly nested, in a token payload.
//
// Syntax: segments separated by dots, each either a bare name or a quoted
// name in brackets. Bare names may hold any character but '.', '[', ']' and
// '"'; a bracketed name holds anything, with \" and \\ as escapes:
//
//	scope                                   top-level claim "scope"
//	realm_access.roles                      "roles" inside "realm_access"
//	resource_access["orders.api"].roles     a client id with a dot in it
//	["https://example.com/roles"]           a namespaced claim (Auth0)
//	cognito:groups                          colons and slashes need no quoting
//
// A bracketed segment may follow another segment directly (a["b"]) or after
// a dot (a.["b"]).
type Path []string

// ParsePath parses the path syntax above.
func ParsePath(s string) (Path, error) {
	if s == "" {
		return nil, errors.New("rbac: empty claim path")
	}
	var p Path
	i := 0
	for i < len(s) {
		if s[i] == '[' {
			seg, n, err := quoted(s[i:])
			if err != nil {
				return nil, fmt.Errorf("rbac: claim path %q: %w", s, err)
			}
			p = append(p, seg)
			i += n
		} else {
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				if s[j] == ']' || s[j] == '"' {
					return nil, fmt.Errorf("rbac: claim path %q: %q outside brackets", s, s[j])
				}
				j++
			}
			if j == i {
				return nil, fmt.Errorf("rbac: claim path %q: empty segment", s)
			}
			p = append(p, s[i:j])
			i = j
		}
		if i < len(s) && s[i] == '.' {
			i++
			if i == len(s) {
				return nil, fmt.Errorf("rbac: claim path %q: ends with a dot", s)
			}
		} else if i < len(s) && s[i] != '[' {
			return nil, fmt.Errorf("rbac: claim path %q: unexpected %q", s, s[i])
		}
	}
	return p, nil
}

// MustParsePath is ParsePath that panics, for paths written in code.
func MustParsePath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// quoted reads ["..."] at the start of s and returns the name and the
// number of bytes read.
func quoted(s string) (string, int, error) {
	if len(s) < 4 || s[1] != '"' {
		return "", 0, errors.New(`a bracket must hold a quoted name: ["name"]`)
	}
	var b strings.Builder
	for i := 2; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '"' && s[i+1] != '\\') {
				return "", 0, errors.New(`only \" and \\ may be escaped`)
			}
			b.WriteByte(s[i+1])
			i++
		case '"':
			if i+1 >= len(s) || s[i+1] != ']' {
				return "", 0, errors.New(`a quoted name must end with "]`)
			}
			if b.Len() == 0 {
				return "", 0, errors.New("empty quoted name")
			}
			return b.String(), i + 2, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated quoted name")
}

// String renders the path in the syntax ParsePath reads.
func (p Path) String() string {
	var b strings.Builder
	for i, seg := range p {
		if strings.ContainsAny(seg, `.[]"\`) {
			b.WriteString(`["`)
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(seg))
			b.WriteString(`"]`)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// lookup walks the decoded claims along p.
func (p Path) lookup(claims map[string]any) (any, bool) {
	var cur any = claims
	for _, seg := range p {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}
