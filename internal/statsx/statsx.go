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

import "time"

// Verifier is one reading of a verifier's state.
type Verifier struct {
	Issuers []Issuer
	// The verified-token cache: the entries counted against its bounds (a
	// dropped one counts until its turn to leave), the bytes they account
	// for, and the bounds (zero: no cache).
	CacheEntries, CacheBytes       int
	CacheMaxEntries, CacheMaxBytes int
}

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
