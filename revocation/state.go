package revocation

import (
	"time"

	"github.com/jwtguard/jwtguard/middleware"
)

type key struct {
	kind Kind
	iss  string
	val  string
}

// layer is an immutable set of entries with its lookup indexes: per
// issuer, then per claim value, so a check hashes the issuer once and
// allocates nothing.
type layer struct {
	entries map[key]Revocation
	byIss   map[string]*issuerIndex
}

type issuerIndex struct {
	jti map[string]struct{}
	sub map[string]time.Time // -> cutoff
	sid map[string]struct{}
}

func newLayer(entries map[key]Revocation) *layer {
	l := &layer{entries: entries, byIss: map[string]*issuerIndex{}}
	for k, r := range entries {
		ix := l.byIss[k.iss]
		if ix == nil {
			ix = &issuerIndex{jti: map[string]struct{}{}, sub: map[string]time.Time{}, sid: map[string]struct{}{}}
			l.byIss[k.iss] = ix
		}
		switch k.kind {
		case ByTokenID:
			ix.jti[k.val] = struct{}{}
		case BySubject:
			ix.sub[k.val] = r.Before
		case BySession:
			ix.sid[k.val] = struct{}{}
		}
	}
	return l
}

func (l *layer) revoked(c *middleware.Claims) bool {
	if len(l.byIss) == 0 {
		return false
	}
	ix := l.byIss[c.Issuer]
	if ix == nil {
		return false
	}
	if c.ID != "" && len(ix.jti) > 0 {
		if _, ok := ix.jti[c.ID]; ok {
			return true
		}
	}
	if c.Subject != "" && len(ix.sub) > 0 {
		if cutoff, ok := ix.sub[c.Subject]; ok {
			// Tokens issued before the cutoff are revoked; one without iat
			// cannot show it was issued after, so it is revoked too.
			if c.IssuedAt.IsZero() || c.IssuedAt.Before(cutoff) {
				return true
			}
		}
	}
	if c.SessionID != "" && len(ix.sid) > 0 {
		if _, ok := ix.sid[c.SessionID]; ok {
			return true
		}
	}
	return false
}

// deltaMax is the size of the small layer that takes new entries; past it
// both layers are merged. Adding an entry then costs O(deltaMax), and
// O(n) only once per deltaMax additions.
const deltaMax = 256

// State is an immutable set of revocations with a lock-free, allocation-free
// check. Stores swap whole states atomically; updates copy only a small
// layer.
type State struct {
	base, delta *layer
}

// NewState builds a state from entries, dropping those expired at now.
// Of two entries for one key, the wider one wins (the later cutoff, the
// later expiry).
func NewState(entries []Revocation, now time.Time) *State {
	m := make(map[key]Revocation, len(entries))
	for _, r := range entries {
		merge(m, r, now)
	}
	return &State{base: newLayer(m), delta: newLayer(map[key]Revocation{})}
}

func merge(m map[key]Revocation, r Revocation, now time.Time) {
	if !r.Expires.After(now) {
		return
	}
	if old, ok := m[r.key()]; ok {
		r = wider(r, old)
	}
	m[r.key()] = r
}

// wider is r with the later cutoff and the later expiry of r and old.
func wider(r, old Revocation) Revocation {
	if old.Before.After(r.Before) {
		r.Before = old.Before
	}
	if old.Expires.After(r.Expires) {
		r.Expires = old.Expires
	}
	return r
}

// Widen returns r widened by the entry the state already holds for the same
// kind, issuer and value, if any: a store never narrows a revocation in force.
func (s *State) Widen(r Revocation) Revocation {
	k := r.key()
	if old, ok := s.base.entries[k]; ok {
		r = wider(r, old)
	}
	if old, ok := s.delta.entries[k]; ok {
		r = wider(r, old)
	}
	return r
}

// With returns a new state with r added.
func (s *State) With(r Revocation, now time.Time) *State {
	if len(s.delta.entries) < deltaMax {
		d := make(map[key]Revocation, len(s.delta.entries)+1)
		for k, e := range s.delta.entries {
			d[k] = e
		}
		if old, ok := s.base.entries[r.key()]; ok {
			merge(d, old, now) // so the delta's entry is the widest
		}
		merge(d, r, now)
		return &State{base: s.base, delta: newLayer(d)}
	}
	all := s.Entries()
	all = append(all, r)
	return NewState(all, now)
}

// Len is the number of entries.
func (s *State) Len() int {
	n := len(s.base.entries)
	for k := range s.delta.entries {
		if _, dup := s.base.entries[k]; !dup {
			n++
		}
	}
	return n
}

// Entries lists the entries, merged.
func (s *State) Entries() []Revocation {
	out := make([]Revocation, 0, s.Len())
	for k, r := range s.base.entries {
		if _, newer := s.delta.entries[k]; !newer {
			out = append(out, r)
		}
	}
	for _, r := range s.delta.entries {
		out = append(out, r)
	}
	return out
}

// Revoked reports whether the state revokes c. It allocates nothing.
func (s *State) Revoked(c *middleware.Claims) bool {
	return s.delta.revoked(c) || s.base.revoked(c)
}
