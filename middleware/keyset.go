package middleware

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// Key is a static verification key for Issuer.Keys: for tests, for issuers
// without a JWKS endpoint, and for HS256/384/512 with a shared secret.
type Key struct {
	// ID is the kid tokens name this key by. Optional when the issuer has a
	// single key per algorithm.
	ID string
	// Algorithm binds the key to one JWS algorithm ("RS256", "ES256", "HS256", …).
	// Optional for public keys: RSA keys then accept any allowed RS*/PS*
	// algorithm, EC keys their curve's, Ed25519 keys EdDSA. Required for secrets.
	Algorithm string
	// Public is an *rsa.PublicKey (at least 2048 bits), *ecdsa.PublicKey
	// (P-256, P-384, P-521) or ed25519.PublicKey.
	Public crypto.PublicKey
	// Secret is an HMAC secret, at least as long as the hash output.
	Secret []byte
}

// keySet is an immutable set of verification keys; a refresh swaps the
// whole set atomically.
type keySet struct {
	byKID   map[string][]*jose.Key
	all     []*jose.Key
	fetched time.Time // zero for static sets
}

func newKeySet(keys []*jose.Key, fetched time.Time) *keySet {
	s := &keySet{byKID: make(map[string][]*jose.Key, len(keys)), all: keys, fetched: fetched}
	for _, k := range keys {
		s.byKID[k.ID] = append(s.byKID[k.ID], k)
	}
	return s
}

func staticKeySet(keys []Key) (*keySet, error) {
	out := make([]*jose.Key, 0, len(keys))
	for i, k := range keys {
		var jk *jose.Key
		var err error
		switch {
		case k.Secret != nil && k.Public != nil:
			err = errors.New("set either Public or Secret, not both")
		case k.Secret != nil:
			jk, err = jose.NewSecretKey(k.ID, k.Algorithm, k.Secret)
		default:
			jk, err = jose.NewPublicKey(k.ID, k.Algorithm, k.Public)
		}
		if err != nil {
			return nil, fmt.Errorf("key %d (kid %q): %w", i, k.ID, err)
		}
		out = append(out, jk)
	}
	return newKeySet(out, time.Time{}), nil
}

// lookup outcomes besides a key.
var (
	errNoSuchKID = errors.New("no key with this kid")
	// errRefreshLimited: an unknown kid, and no refresh made for it: the
	// last one a request started is too recent.
	errRefreshLimited = fmt.Errorf("%w (refresh rate-limited)", errNoSuchKID)
	errKeyAlgorithm   = errors.New("the key with this kid is bound to another algorithm")
	errAmbiguousKID   = errors.New("several keys match this kid and algorithm")
	errNoKIDChoice    = errors.New("token has no kid and several keys fit its algorithm")
)

// find selects the one key for kid and alg. A token without kid is accepted
// only when exactly one key fits its algorithm, so no token can make the
// verifier try several keys.
func (s *keySet) find(kid string, alg *jose.Alg) (*jose.Key, error) {
	var cands []*jose.Key
	if kid == "" {
		cands = s.all
	} else if cands = s.byKID[kid]; len(cands) == 0 {
		return nil, errNoSuchKID
	}
	var found *jose.Key
	n := 0
	for _, k := range cands {
		if k.Accepts(alg) {
			found = k
			n++
		}
	}
	switch {
	case n == 1:
		return found, nil
	case n == 0 && kid == "":
		return nil, errNoSuchKID
	case n == 0:
		return nil, errKeyAlgorithm
	case kid == "":
		return nil, errNoKIDChoice
	}
	return nil, errAmbiguousKID
}
