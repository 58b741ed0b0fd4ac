// Package statsx is the plumbing that lets our exporters (the prometheus
// and otel modules) read a verifier's state at scrape time: what no event
// says, because nothing happened (how old the key sets are, how full the
// verified-token cache is). Package middleware sets Read, so that it need
// not export the types.
//
// The prometheus module, a module of its own, imports this package: a user
// may pair one version of it with another of the core. So this package only
// ever grows: a field is added, never renamed, retyped or removed.
package statsx

import (
	"slices"
	"time"
)

// Verifier is one reading of a verifier's state.
type Verifier struct {
	Issuers []Issuer
	// The verified-token cache: the entries counted against its bounds (a
	// dropped one counts until its turn to leave), the bytes they account
	// for, and the bounds (zero: no cache).
	CacheEntries, CacheBytes       int
	CacheMaxEntries, CacheMaxBytes int
	// Revocation is the revocation store the verifier checks
	// (middleware.WithRevocation), when it is one of ours; nil otherwise.
	Revocation *Revocation
}

// Revocation is one reading of a store of package revocation or
// redisstore.
type Revocation struct {
	// Store is the store itself, so that an exporter reads a store that
	// several verifiers check once.
	Store any
	// Entries are the revocations held (for a shared store, in the local
	// copy requests read); MaxEntries the store's bound.
	Entries, MaxEntries int
	// Shared: the store keeps its local copy in sync with a shared one
	// (Redis). SyncAge is how long ago the last successful sync began;
	// Stale that it is past the store's staleness bound: checks then fail
	// closed (503), or pass if the store fails open.
	Shared  bool
	SyncAge time.Duration
	Stale   bool
}

// ReadRevocation reads store, a revocation store; ok is false when it is
// none of ours. Each package with a store wraps it when initialized,
// calling the previous value for stores not its own.
var ReadRevocation = func(store any) (r Revocation, ok bool) { return Revocation{}, false }

// Issuer is one configured issuer's key set.
type Issuer struct {
	URL string
	// Remote: the keys are fetched (a JWKS, by discovery or URL); a static
	// issuer's keys never age.
	Remote bool
	// HaveKeys: a key set was ever obtained. Age is how long ago the one
	// in use was fetched; Stale that it is past RemoteKeys.MaxStaleness,
	// so tokens of this issuer get 503. Keys is how many keys it holds.
	HaveKeys bool
	Age      time.Duration
	Stale    bool
	Keys     int
}

// Read reads v, a *middleware.Verifier; ok is false for anything else.
var Read func(v any) (s Verifier, ok bool)

// Revocations sums the revocation stores that watched verifiers check,
// each once however many verifiers check it: what an exporter reports.
type Revocations struct {
	Any, Shared         bool // a store was added; a shared one
	Stale               bool // a shared store is stale
	Entries, MaxEntries int
	SyncAge             time.Duration // the oldest shared store's
	seen                []any
}

// Add adds r (nil: none).
func (rs *Revocations) Add(r *Revocation) {
	if r == nil || slices.Contains(rs.seen, r.Store) {
		return
	}
	rs.seen = append(rs.seen, r.Store)
	rs.Any = true
	rs.Entries += r.Entries
	rs.MaxEntries += r.MaxEntries
	if r.Shared {
		rs.Shared = true
		rs.SyncAge = max(rs.SyncAge, r.SyncAge)
		rs.Stale = rs.Stale || r.Stale
	}
}

// SharedIssuer returns an issuer both a and b are configured with: two
// verifiers an exporter cannot both watch, as their series would collide.
func SharedIssuer(a, b Verifier) (string, bool) {
	for _, x := range a.Issuers {
		for _, y := range b.Issuers {
			if x.URL == y.URL {
				return x.URL, true
			}
		}
	}
	return "", false
}
