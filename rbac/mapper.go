package rbac

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jwtguard/jwtguard/internal/claimsx"
	"github.com/jwtguard/jwtguard/middleware"
)

// Mapper turns verified claims into Authorities. Build it once with
// NewMapper; it is safe for concurrent use.
type Mapper struct {
	sources  []Source
	implied  map[string][]string // role -> every role it implies, transitively
	prefixes []string            // declared scope wildcards, without the '*'
	hook     func(Mismatch)
	watch    []string        // top-level claims whose presence Authorities.unread reports (the Default preset's, for its warning)
	reader   *claimsx.Reader // how a verifier reads the claims for m (read.go)
	at       []int           // where each source's, then each watched claim's, value is among reader.Names
	unless   []int           // where each source's Unless claim is among reader.Names; -1 for none
	self     []int           // 0, 1, … len(reader.Names)-1: the values of a payload read in reader.Names' order
}

// MapperOption configures a Mapper.
type MapperOption interface{ apply(*Mapper) error }

type mapperOption func(*Mapper) error

func (f mapperOption) apply(m *Mapper) error { return f(m) }

// WithRoleHierarchy declares which roles imply which, e.g.
// {"admin": {"editor"}, "editor": {"viewer"}}: a token with role admin then
// has editor and viewer too. Implication is transitive; cycles are allowed
// (the roles in a cycle imply each other). Default: no hierarchy.
func WithRoleHierarchy(h map[string][]string) MapperOption {
	return mapperOption(func(m *Mapper) error {
		m.implied = map[string][]string{}
		for role := range h {
			if role == "" {
				return errors.New("rbac: empty role in the hierarchy")
			}
			seen := map[string]bool{role: true}
			stack := append([]string(nil), h[role]...)
			var out []string
			for len(stack) > 0 {
				r := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if r == "" {
					return fmt.Errorf("rbac: role %q implies an empty role", role)
				}
				if seen[r] {
					continue
				}
				seen[r] = true
				out = append(out, r)
				stack = append(stack, h[r]...)
			}
			m.implied[role] = out
		}
		return nil
	})
}

// WithScopeWildcards declares scope wildcards such as "items:*": a token
// holding the scope "items:*" is then granted every scope starting with
// "items:". Without a declaration "items:*" is just a scope name. Each
// pattern must end in a single '*' after a non-empty prefix.
// Default: no wildcards.
func WithScopeWildcards(patterns ...string) MapperOption {
	return mapperOption(func(m *Mapper) error {
		for _, p := range patterns {
			prefix, ok := strings.CutSuffix(p, "*")
			if !ok || prefix == "" || strings.Contains(prefix, "*") {
				return fmt.Errorf("rbac: scope wildcard %q must be a prefix followed by one '*'", p)
			}
			m.prefixes = append(m.prefixes, prefix)
		}
		return nil
	})
}

// WithMismatchHook sets a function called when a claim is present but of
// the wrong shape. Such a claim never errors and never grants anything.
// The function is called each time the mapper reads the claims: once per
// verification, whoever asked for it, when the mapper is attached to the
// verifier (nethttp.Protect attaches its mapper; a request answered from the
// verified-token cache reads nothing again), and on each Map otherwise (a
// mapper Protect does not use, or one beyond the 8 mappers or 16 top-level
// claims a verifier reads for). Default: none.
func WithMismatchHook(fn func(Mismatch)) MapperOption {
	return mapperOption(func(m *Mapper) error { m.hook = fn; return nil })
}

// NewMapper builds a mapper reading the given sources (see the presets:
// Keycloak, Auth0, EntraID, Okta, Cognito, OIDC, Default).
func NewMapper(sources []Source, opts ...MapperOption) (*Mapper, error) {
	if len(sources) == 0 {
		return nil, errors.New("rbac: a mapper needs at least one source")
	}
	m := &Mapper{sources: append([]Source(nil), sources...)}
	for i, s := range m.sources {
		if s.Kind < KindRole || s.Kind > KindGroup {
			return nil, fmt.Errorf("rbac: source %d: unknown kind", i)
		}
		if s.Shape < ShapeSpaceDelimited || s.Shape > ShapeNames {
			return nil, fmt.Errorf("rbac: source %d: unknown shape", i)
		}
		if len(s.Path) == 0 || strings.Join(s.Path, "") == "" {
			return nil, fmt.Errorf("rbac: source %d: empty path", i)
		}
		if s.Unless != nil && strings.Join(s.Unless, "") == "" {
			return nil, fmt.Errorf("rbac: source %d: empty Unless path", i)
		}
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(m); err != nil {
			return nil, err
		}
	}
	m.reader = m.newReader()
	return m, nil
}

// MustNewMapper is NewMapper that panics, for mappers written in code.
func MustNewMapper(sources []Source, opts ...MapperOption) *Mapper {
	m, err := NewMapper(sources, opts...)
	if err != nil {
		panic(err)
	}
	return m
}

// Map reads the authorities of verified claims. It decodes nothing: when m
// is the mapper Protect uses, the verification read them already (read.go).
// The result is the caller's own: changing it changes no other request's.
func (m *Mapper) Map(c *middleware.Claims) *Authorities {
	if c == nil {
		return &Authorities{}
	}
	return m.shared(c).clone()
}

// FromContext returns the request's authorities as m reads them: those
// stored in ctx when m mapped them (Protect with this mapper), else m's
// reading of the verified claims in ctx, else nil. When the same mapper is
// given to Protect and Require, Require maps nothing: the verification
// read the claims for m.
func (m *Mapper) FromContext(ctx context.Context) *Authorities {
	if a, ok := stored(ctx); ok && a.by == m {
		return a
	}
	if c, ok := middleware.ClaimsFromContext(ctx); ok {
		return m.Map(c)
	}
	return nil
}

// MapClaims reads the authorities of decoded claims (as from Claims.Map):
// for the same payload, what Map reads.
func (m *Mapper) MapClaims(claims map[string]any) *Authorities {
	a := &Authorities{by: m}
	for _, s := range m.sources {
		if len(s.Unless) > 0 {
			if u, ok := s.Unless.lookup(claims); ok && u != nil {
				continue // turned off by a claim present
			}
		}
		v, ok := s.Path.lookup(claims)
		if !ok {
			continue // absent: nothing granted, nothing wrong
		}
		if got := m.read(a, s, v); got != "" && m.hook != nil {
			m.hook(Mismatch{Source: s, Got: got})
		}
	}
	m.finish(a)
	for _, w := range m.watch {
		if _, ok := claims[w]; ok {
			a.unread = w
			break
		}
	}
	return a
}

// finish adds what the roles imply and the scope wildcards held.
func (m *Mapper) finish(a *Authorities) {
	for _, r := range a.Roles {
		for _, implied := range m.implied[r] {
			a.add(KindRole, implied)
		}
	}
	for _, p := range m.prefixes {
		if a.Has(KindScope, p+"*") {
			a.scopePrefixes = append(a.scopePrefixes, p)
		}
	}
}

// read adds what v grants under s, or returns the JSON type found when v
// does not have the source's shape (and then adds nothing).
func (m *Mapper) read(a *Authorities, s Source, v any) string {
	if s.Shape == ShapeNames {
		if _, ok := v.(string); ok {
			s.Shape = ShapeSpaceDelimited
		} else {
			s.Shape = ShapeArray
		}
	}
	switch s.Shape {
	case ShapeSpaceDelimited, ShapeString:
		str, ok := v.(string)
		if !ok {
			return jsonType(v)
		}
		if s.Shape == ShapeString {
			a.add(s.Kind, str)
			return ""
		}
		for _, name := range strings.Fields(str) {
			a.add(s.Kind, name)
		}
	case ShapeArray:
		list, ok := v.([]any)
		if !ok {
			return jsonType(v)
		}
		for _, item := range list {
			if _, ok := item.(string); !ok {
				return "array containing " + jsonType(item)
			}
		}
		for _, item := range list {
			a.add(s.Kind, item.(string))
		}
	case ShapeObjectKeys:
		obj, ok := v.(map[string]any)
		if !ok {
			return jsonType(v)
		}
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			a.add(s.Kind, name)
		}
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "number"
}
