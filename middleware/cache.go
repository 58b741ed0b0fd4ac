package middleware

import (
	"crypto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// The verified-token cache remembers tokens that passed every check, so a
// client that sends the same token again costs a hash and a map lookup
// instead of a signature verification. Nothing about a token is trusted
// from the cache but its signature and its static claims: on every hit the
// time claims (exp, nbf, iat, maximum age) and revocation are checked again,
// and the key that verified it must still be in its issuer's current key set.
// Tokens bound to a sender (cnf) are never cached: their proof is per
// request.
//
// Entries are keyed by the exact token: Go's map compares the whole string
// on a hit, so no collision can ever stand in for a token, and the lookup
// costs tens of nanoseconds where a SHA-256 of the token costs half a
// microsecond. The cache therefore holds the tokens it has verified, in the
// process's memory, until they expire or are evicted: as the request that
// brought them did.

const cacheShards = 32

type tokenCache struct {
	shards   [cacheShards]cacheShard
	maxCount int // per shard
	maxBytes int // per shard
}

// cacheShard is read without a lock: hits load an immutable map through an
// atomic pointer, so parallel requests never contend; writers (misses,
// evictions) copy the shard's map under its mutex.
type cacheShard struct {
	mu    sync.Mutex // serializes writers
	m     atomic.Pointer[map[string]*cacheEntry]
	bytes int // guarded by mu
	_     [40]byte
}

type cacheEntry struct {
	claims *Claims
	is     *issuerState
	key    *jose.Key
	alg    *jose.Alg
	set    atomic.Pointer[keySet] // the remote set the key was last seen in
	size   int
}

func newTokenCache(maxEntries, maxBytes int) *tokenCache {
	if maxEntries <= 0 || maxBytes <= 0 {
		return nil
	}
	c := &tokenCache{maxCount: max(1, maxEntries/cacheShards), maxBytes: max(1, maxBytes/cacheShards)}
	for i := range c.shards {
		empty := map[string]*cacheEntry{}
		c.shards[i].m.Store(&empty)
	}
	return c
}

// shard picks a shard from the signature's last characters: random for
// any token an issuer signed, and only signed tokens are ever put.
func (c *tokenCache) shard(raw string) *cacheShard {
	n := len(raw)
	return &c.shards[(uint(raw[n-1])+uint(raw[n-2])<<3)%cacheShards]
}

func (c *tokenCache) get(raw string) *cacheEntry {
	if len(raw) < 2 {
		return nil
	}
	return (*c.shard(raw).m.Load())[raw]
}

func (c *tokenCache) drop(raw string) {
	s := c.shard(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.m.Load()
	e, ok := cur[raw]
	if !ok {
		return
	}
	next := make(map[string]*cacheEntry, len(cur))
	for k, v := range cur {
		if k != raw {
			next[k] = v
		}
	}
	s.bytes -= e.size
	s.m.Store(&next)
}

// put adds an entry, evicting others at random (Go's map iteration order)
// while the shard is over its bounds.
func (c *tokenCache) put(raw string, e *cacheEntry) {
	e.size = 2*len(raw) + 512 // the token, its payload, and the fixed cost of an entry
	if e.size > c.maxBytes || len(raw) < 2 {
		return
	}
	raw = strings.Clone(raw) // keep only the token, not what held it
	s := c.shard(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.m.Load()
	next := make(map[string]*cacheEntry, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	if old, ok := next[raw]; ok {
		s.bytes -= old.size
		delete(next, raw)
	}
	for len(next) > 0 && (len(next) >= c.maxCount || s.bytes+e.size > c.maxBytes) {
		for victim, ve := range next {
			s.bytes -= ve.size
			delete(next, victim)
			break
		}
	}
	next[raw] = e
	s.bytes += e.size
	s.m.Store(&next)
}

// keyStillPublished reports whether the key that verified the entry is
// still in its issuer's current, usable key set (C24, J11: a key removed
// from the JWKS stops verifying cached tokens after the next refresh).
func (e *cacheEntry) keyStillPublished(mono time.Time) bool {
	if e.is.static != nil {
		return true
	}
	cur := e.is.remote.usable(mono)
	if cur == nil {
		return false
	}
	if cur == e.set.Load() {
		return true
	}
	k, err := cur.find(e.key.ID, e.alg)
	if err != nil || !sameKey(k, e.key) {
		return false
	}
	e.set.Store(cur)
	return true
}

func sameKey(a, b *jose.Key) bool {
	if a.Alg != b.Alg || a.Family != b.Family {
		return false
	}
	pa, ok := a.Public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pa.Equal(b.Public)
}

// cached answers from the cache, or reports a miss. On a hit the claims are
// a copy, so no caller can change another request's claims.
func (v *Verifier) cached(raw string, ck clocks) (*Claims, string, *Error, bool) {
	e := v.cache.get(raw)
	if e == nil {
		return nil, "", nil, false
	}
	if !e.keyStillPublished(ck.mono) {
		// Its key is gone (or the keys are too stale): forget it, and let the
		// full verification give the answer.
		v.cache.drop(raw)
		return nil, "", nil, false
	}
	if err := v.checkTimes(e.claims, ck.wall); err != nil {
		// The signature was verified; the time rules alone now refuse it:
		// answer as the full verification would, without redoing it.
		v.cache.drop(raw)
		return nil, e.claims.Issuer, err, true
	}
	if err := v.checkRevoked(e.claims); err != nil {
		return nil, e.claims.Issuer, err, true
	}
	c := *e.claims
	return &c, c.Issuer, nil, true
}
