package rbac

import (
	"context"
	"slices"
	"strings"
)

// Kind is a kind of authority. Kinds never satisfy each other: a role
// "admin" is not a scope "admin".
type Kind uint8

// Kinds of authority.
const (
	KindRole Kind = iota + 1
	KindScope
	KindPermission
	KindGroup
)

func (k Kind) String() string {
	switch k {
	case KindRole:
		return "role"
	case KindScope:
		return "scope"
	case KindPermission:
		return "permission"
	case KindGroup:
		return "group"
	}
	return "unknown"
}

// Authorities are what a token grants, by kind. Roles include those implied
// by the mapper's role hierarchy.
type Authorities struct {
	Roles       []string
	Scopes      []string
	Permissions []string
	Groups      []string

	// scopePrefixes are the declared wildcards the token holds, as prefixes
	// ("items:" for "items:*").
	scopePrefixes []string
	// by is the mapper that read them, nil when built otherwise: see
	// Mapper.FromContext.
	by *Mapper
	// unread is the first of the mapper's watched claims the token has
	// (the Default preset's warning), or "".
	unread string
}

// size is about how many bytes a holds of its own: its struct and its
// lists' string headers (the names themselves lie in the payload).
func (a *Authorities) size() int {
	return 160 + 16*(cap(a.Roles)+cap(a.Scopes)+cap(a.Permissions)+cap(a.Groups)+cap(a.scopePrefixes))
}

// clone returns a copy of a whose slices share no memory with a's (one
// array holds them all, each slice capped at its end), for a reading that
// other requests share.
func (a *Authorities) clone() *Authorities {
	all := make([]string, 0, len(a.Roles)+len(a.Scopes)+len(a.Permissions)+len(a.Groups))
	cp := func(s []string) []string {
		if s == nil {
			return nil
		}
		start := len(all)
		all = append(all, s...)
		return all[start:len(all):len(all)]
	}
	out := *a
	out.Roles, out.Scopes, out.Permissions, out.Groups = cp(a.Roles), cp(a.Scopes), cp(a.Permissions), cp(a.Groups)
	return &out
}

// Has reports whether the authorities include name of kind k. A scope is
// also granted by a declared wildcard the token holds ("items:*" grants
// "items:read").
func (a *Authorities) Has(k Kind, name string) bool {
	if a == nil {
		return false
	}
	list := a.list(k)
	if list == nil {
		return false
	}
	if slices.Contains(*list, name) {
		return true
	}
	if k == KindScope {
		for _, p := range a.scopePrefixes {
			if len(name) > len(p) && strings.HasPrefix(name, p) {
				return true
			}
		}
	}
	return false
}

func (a *Authorities) list(k Kind) *[]string {
	switch k {
	case KindRole:
		return &a.Roles
	case KindScope:
		return &a.Scopes
	case KindPermission:
		return &a.Permissions
	case KindGroup:
		return &a.Groups
	}
	return nil
}

// addAll adds each of names, a slice the caller gives up: when the list is
// empty and names holds no duplicate and no empty name, it becomes the list
// (one allocation per claim instead of one per growth).
func (a *Authorities) addAll(k Kind, names []string) {
	list := a.list(k)
	if list == nil || len(names) == 0 {
		return
	}
	if len(*list) == 0 && distinct(names) {
		*list = names
		return
	}
	for _, n := range names {
		a.add(k, n)
	}
}

// distinct reports whether names holds no duplicate and no empty name.
func distinct(names []string) bool {
	for i, n := range names {
		if n == "" || slices.Contains(names[:i], n) {
			return false
		}
	}
	return true
}

func (a *Authorities) add(k Kind, name string) {
	if list := a.list(k); list != nil && name != "" && !slices.Contains(*list, name) {
		*list = append(*list, name)
	}
}

type authoritiesKey struct{}

// WithAuthorities returns a copy of ctx carrying a, for FromContext (and
// Allowed) to read: Protect with WithMapper stores the mapped authorities
// this way, once per request; a test of a handler may too.
func WithAuthorities(ctx context.Context, a *Authorities) context.Context {
	return context.WithValue(ctx, authoritiesKey{}, a)
}

// stored returns the authorities stored by WithAuthorities.
func stored(ctx context.Context) (*Authorities, bool) {
	a, ok := ctx.Value(authoritiesKey{}).(*Authorities)
	return a, ok && a != nil
}
