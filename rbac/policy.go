package rbac

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/jwtguard/jwtguard/middleware"
)

type op uint8

const (
	opDeny op = iota // the zero Policy: fails closed
	opHas
	opAll
	opAny
	opAuthenticated
)

// Policy is an authorization rule over Authorities. Build it with Role,
// Scope, Permission, Group, AllOf, AnyOf (or from a Rule); it is immutable
// and safe for concurrent use. The zero Policy denies everything.
type Policy struct {
	op     op
	kind   Kind
	name   string
	subs   []Policy
	scopes []string // scopes named for the RFC 6750 scope attribute
}

// Role requires the role name (directly or through the role hierarchy).
func Role(name string) Policy { return has(KindRole, name) }

// Scope requires the scope name (exactly, or through a declared wildcard).
func Scope(name string) Policy { return has(KindScope, name) }

// Permission requires the permission name.
func Permission(name string) Policy { return has(KindPermission, name) }

// Group requires membership of the group name.
func Group(name string) Policy { return has(KindGroup, name) }

func has(k Kind, name string) Policy {
	if name == "" {
		return Policy{} // an empty name can never be granted: deny
	}
	p := Policy{op: opHas, kind: k, name: name}
	if k == KindScope {
		p.scopes = []string{name}
	}
	return p
}

// Authenticated allows any verified token, whatever it grants.
func Authenticated() Policy { return Policy{op: opAuthenticated} }

// AllOf requires every policy. With no policy it denies.
func AllOf(ps ...Policy) Policy {
	p := Policy{op: opAll, subs: slices.Clone(ps)}
	for _, s := range ps {
		for _, sc := range s.scopes {
			if !slices.Contains(p.scopes, sc) {
				p.scopes = append(p.scopes, sc)
			}
		}
	}
	return p
}

// AnyOf requires at least one policy. With no policy it denies.
func AnyOf(ps ...Policy) Policy {
	p := Policy{op: opAny, subs: slices.Clone(ps)}
	// One alternative's scopes are enough: name the first that has any.
	for _, s := range ps {
		if len(s.scopes) > 0 {
			p.scopes = s.scopes
			break
		}
	}
	return p
}

// The builders of lists, one pair per kind, as a Rule's fields are named:
// All* requires every one of the names, Any* at least one. With no names
// both deny, as AllOf and AnyOf do.

// AllRoles requires every one of the roles.
func AllRoles(names ...string) Policy { return AllOf(each(Role, names)...) }

// AnyRoles requires at least one of the roles.
func AnyRoles(names ...string) Policy { return AnyOf(each(Role, names)...) }

// AllScopes requires every one of the scopes.
func AllScopes(names ...string) Policy { return AllOf(each(Scope, names)...) }

// AnyScopes requires at least one of the scopes.
func AnyScopes(names ...string) Policy { return AnyOf(each(Scope, names)...) }

// AllPermissions requires every one of the permissions.
func AllPermissions(names ...string) Policy { return AllOf(each(Permission, names)...) }

// AnyPermissions requires at least one of the permissions.
func AnyPermissions(names ...string) Policy { return AnyOf(each(Permission, names)...) }

// AllGroups requires membership of every one of the groups.
func AllGroups(names ...string) Policy { return AllOf(each(Group, names)...) }

// AnyGroups requires membership of at least one of the groups.
func AnyGroups(names ...string) Policy { return AnyOf(each(Group, names)...) }

func each(f func(string) Policy, names []string) []Policy {
	out := make([]Policy, len(names))
	for i, n := range names {
		out[i] = f(n)
	}
	return out
}

// Allows evaluates the policy. A nil a (no verified token) is never allowed.
// It does not allocate.
func (p Policy) Allows(a *Authorities) bool {
	if a == nil {
		return false
	}
	switch p.op {
	case opHas:
		return a.Has(p.kind, p.name)
	case opAuthenticated:
		return true
	case opAll:
		if len(p.subs) == 0 {
			return false
		}
		for i := range p.subs {
			if !p.subs[i].Allows(a) {
				return false
			}
		}
		return true
	case opAny:
		for i := range p.subs {
			if p.subs[i].Allows(a) {
				return true
			}
		}
	}
	return false
}

// Scopes lists the scopes the policy names, for the scope attribute of a
// 403 insufficient_scope answer: every scope of an AllOf, and the first
// alternative with scopes of an AnyOf.
func (p Policy) Scopes() []string { return slices.Clone(p.scopes) }

// String renders the policy for logs, e.g.
// "(role:admin OR role:editor) AND scope:items:write".
func (p Policy) String() string {
	var b strings.Builder
	p.write(&b, false)
	return b.String()
}

func (p Policy) write(b *strings.Builder, nested bool) {
	switch p.op {
	case opHas:
		b.WriteString(p.kind.String())
		b.WriteByte(':')
		b.WriteString(p.name)
		return
	case opAuthenticated:
		b.WriteString("authenticated")
		return
	case opDeny:
		b.WriteString("deny")
		return
	}
	if len(p.subs) == 0 {
		b.WriteString("deny")
		return
	}
	sep := " AND "
	if p.op == opAny {
		sep = " OR "
	}
	if nested && len(p.subs) > 1 {
		b.WriteByte('(')
	}
	for i := range p.subs {
		if i > 0 {
			b.WriteString(sep)
		}
		p.subs[i].write(b, true)
	}
	if nested && len(p.subs) > 1 {
		b.WriteByte(')')
	}
}

// Allowed reports whether the request's verified token satisfies p. It
// reads the authorities the middleware stored in ctx, or maps the claims in
// ctx with the Default preset when none were stored; with no verified claims
// it is false. When the Default preset is used on claims that a provider's
// preset reads (Keycloak's realm_access, Auth0's permissions, groups,
// cognito:groups), a warning says so once per process (slog.Default):
// configure the provider's mapper (WithMapper).
func Allowed(ctx context.Context, p Policy) bool {
	return p.Allows(fromContext(ctx, false))
}

// FromContext returns the authorities of the request: those stored with
// WithAuthorities, else the Default preset's reading of the verified claims
// in ctx, else nil.
func FromContext(ctx context.Context) *Authorities {
	return fromContext(ctx, true)
}

// fromContext is FromContext; unless own, a reading by the Default preset
// may be one other requests share (Allowed only reads it).
func fromContext(ctx context.Context, own bool) *Authorities {
	if a, ok := stored(ctx); ok {
		return a
	}
	c, ok := middleware.ClaimsFromContext(ctx)
	if !ok {
		return nil
	}
	a := defaultM.shared(c)
	if a.unread != "" && !warnedUnmapped.Load() {
		warnUnmapped(a.unread)
	}
	if own {
		a = a.clone()
	}
	return a
}

// providerClaims are claims that hold authorities in a provider's preset
// but that the Default preset does not read, with the preset to use.
var providerClaims = [...]struct{ claim, preset string }{
	{"realm_access", "Keycloak"}, {"resource_access", "Keycloak"}, {"permissions", "Auth0"},
	{"groups", "a preset that reads groups"}, {"cognito:groups", "Cognito"},
}

var (
	warnedUnmapped atomic.Bool
	// logUnmapped is slog.Warn; tests read what it is given.
	logUnmapped = slog.Warn
)

// warnUnmapped logs, once, that the Default preset is reading claims a
// provider's preset would map (claim is the first of them the token has):
// rbac.Allowed without a mapper answers false for a Keycloak admin, say,
// and nothing else would tell.
func warnUnmapped(claim string) {
	for _, p := range providerClaims {
		if p.claim == claim && warnedUnmapped.CompareAndSwap(false, true) {
			logUnmapped("rbac: no mapper is configured, so the Default preset (roles, scope) reads these claims and ignores "+
				p.claim+": configure the provider's mapper with nethttp.WithMapper (or the adapter's)", "claim", p.claim, "preset", p.preset)
			return
		}
	}
}

// defaultM is the Default preset's mapper that FromContext uses, watching
// the claims providerClaims lists.
var defaultM = func() *Mapper {
	m := &Mapper{sources: Default()}
	for _, p := range providerClaims {
		m.watch = append(m.watch, p.claim)
	}
	m.reader = m.newReader()
	return m
}()
