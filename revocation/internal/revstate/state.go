package revstate

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
)

type key struct {
	kind Kind
	iss  string
	val  string
}

// DefaultLeeway is the leeway a state allows when none is given: the
// verifier's default (middleware.WithLeeway).
const DefaultLeeway = 60 * time.Second

// State is the revocations in force of one store: a concurrent map from
// kind, issuer and value to the entry (sync.Map, a hash trie). Revoked takes
// no lock and allocates nothing; Add costs O(log n) and copies nothing else;
// Sweep, O(n), removes the entries no accepted token can still be covered
// by. Writers (Add, Sweep) must be serialized by the caller; Revoked may run
// beside them, and sees each entry either before or after its change.
//
// The leeway is the verifier's (middleware.WithLeeway), which accepts an
// issuer's clock that far ahead or behind. So:
//   - a subject's tokens issued before the cutoff (BySubject) are those whose
//     iat is before the cutoff plus the leeway: a token minted just before
//     the logout by an issuer whose clock runs ahead is covered. The price:
//     a token issued within the leeway after the cutoff is refused too, and
//     a user who logs in again at once may have to wait that long;
//   - an entry is kept until its Expires plus twice the leeway: a covered
//     token's exp may lie a leeway past Expires, and it is accepted up to a
//     leeway past its exp.
type State struct {
	leeway  time.Duration
	entries sync.Map // key → Entry
	n       atomic.Int64
}

// NewState returns a state holding entries, less those expired at now,
// that allows leeway (DefaultLeeway when zero or less). Of two entries for
// one key, the wider one wins (the later cutoff, the later expiry).
func NewState(entries []Entry, now time.Time, leeway time.Duration) *State {
	if leeway <= 0 {
		leeway = DefaultLeeway
	}
	s := &State{leeway: leeway}
	for _, r := range entries {
		s.Add(r, now)
	}
	return s
}

// Expired reports whether no token r covers can be accepted at now: its
// entry may be forgotten.
func (s *State) Expired(r Entry, now time.Time) bool {
	return !s.ExpiresAt(r).After(now)
}

// Add records r, widened by the entry already held for its key, unless it
// has expired at now. It returns whether the state changed.
func (s *State) Add(r Entry, now time.Time) bool {
	if s.Expired(r, now) {
		return false
	}
	k := r.key()
	if v, ok := s.entries.Load(k); ok {
		old := v.(Entry)
		if !r.Before.After(old.Before) && !r.Expires.After(old.Expires) {
			return false
		}
		s.entries.Store(k, wider(r, old))
		return true
	}
	s.entries.Store(k, r)
	s.n.Add(1)
	return true
}

// Holds reports whether the state has an entry for r's key.
func (s *State) Holds(r Entry) bool {
	_, ok := s.entries.Load(r.key())
	return ok
}

// Sweep removes the entries expired at now. It returns how many, and when
// the next of those left expires (zero when none is left).
func (s *State) Sweep(now time.Time) (removed int, next time.Time) {
	s.entries.Range(func(k, v any) bool {
		r := v.(Entry)
		if s.Expired(r, now) {
			s.entries.Delete(k)
			removed++
		} else if at := s.ExpiresAt(r); next.IsZero() || at.Before(next) {
			next = at
		}
		return true
	})
	s.n.Add(-int64(removed))
	return removed, next
}

// ExpiresAt is when r's entry may be forgotten (see Expired).
func (s *State) ExpiresAt(r Entry) time.Time { return r.Expires.Add(2 * s.leeway) }

// wider is r with the later cutoff and the later expiry of r and old.
func wider(r, old Entry) Entry {
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
func (s *State) Widen(r Entry) Entry {
	if v, ok := s.entries.Load(r.key()); ok {
		r = wider(r, v.(Entry))
	}
	return r
}

// Len is the number of entries, expired ones not yet swept included.
func (s *State) Len() int { return int(s.n.Load()) }

// Entries lists the entries in force at now.
func (s *State) Entries(now time.Time) []Entry {
	out := make([]Entry, 0, s.Len())
	s.entries.Range(func(_, v any) bool {
		if r := v.(Entry); !s.Expired(r, now) {
			out = append(out, r)
		}
		return true
	})
	return out
}

// Revoked reports whether the state revokes c. It allocates nothing.
func (s *State) Revoked(c *middleware.Claims) bool {
	if c.ID != "" {
		if _, ok := s.entries.Load(key{ByTokenID, c.Issuer, c.ID}); ok {
			return true
		}
	}
	if c.Subject != "" {
		if v, ok := s.entries.Load(key{BySubject, c.Issuer, c.Subject}); ok {
			// A token without iat cannot show it was issued after the
			// cutoff: it is revoked too.
			if c.IssuedAt.IsZero() || c.IssuedAt.Before(v.(Entry).Before.Add(s.leeway)) {
				return true
			}
		}
	}
	if c.SessionID != "" {
		if _, ok := s.entries.Load(key{BySession, c.Issuer, c.SessionID}); ok {
			return true
		}
	}
	return false
}
