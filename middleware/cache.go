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
// Entries are keyed by the exact token: the map compares the whole string
// on a hit, so no collision can ever stand in for a token, and the lookup
// costs tens of nanoseconds where a SHA-256 of the token costs half a
// microsecond. The cache therefore holds the tokens it has verified, in the
// process's memory, until they expire or are evicted: as the request that
// brought them did.

type tokenCache struct {
	// m maps each cached token to its entry. Hits read it without a lock
	// and without writing anything shared (sync.Map's reads are lock-free),
	// so parallel requests never contend; a put or a drop changes one
	// entry, whatever the cache holds.
	m sync.Map // string → *cacheEntry

	mu       sync.Mutex // serializes writers; guards the fields below
	queue    []queued   // the entries put, oldest first from head: a ring
	head, n  int
	bytes    int // the accounted size of the queued entries
	maxCount int
	maxBytes int
}

// queued is an entry in the order it was put. It stays queued, counting
// against the bounds, until its turn to leave comes, even if it was
// dropped or replaced before: the bounds hold whatever happened to it.
type queued struct {
	raw string
	e   *cacheEntry
}

type cacheEntry struct {
	claims *Claims
	is     *issuerState
	key    *jose.Key
	kid    string // the token's kid, as the key was looked up by
	alg    *jose.Alg
	set    atomic.Pointer[keySet] // a remote set the key was found in by the token's kid
	size   int
}

func newTokenCache(maxEntries, maxBytes int) *tokenCache {
	if maxEntries <= 0 || maxBytes <= 0 {
		return nil
	}
	return &tokenCache{maxCount: maxEntries, maxBytes: maxBytes}
}

func (c *tokenCache) get(raw string) *cacheEntry {
	e, _ := c.m.Load(raw)
	ce, _ := e.(*cacheEntry)
	return ce
}

// drop forgets e, the entry found for raw, unless raw has been put again
// since.
func (c *tokenCache) drop(raw string, e *cacheEntry) {
	c.m.CompareAndDelete(raw, e)
}

// put adds an entry. While the cache is over its bounds the oldest entries
// leave first: tokens expire in about the order they were issued, so the
// ones least likely to be seen again go first.
func (c *tokenCache) put(raw string, e *cacheEntry) {
	e.size = 2*len(raw) + 512 // the token, its payload, and the fixed cost of an entry
	if c := e.claims; c != nil {
		e.size += 16 * (len(c.Audience) + len(c.Scopes)) // the claims' own slices
		for _, d := range c.derived {
			e.size += 64 + d.size // what each reader read
		}
	}
	if e.size > c.maxBytes {
		return
	}
	raw = strings.Clone(raw) // keep only the token, not what held it
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.n > 0 && (c.n >= c.maxCount || c.bytes+e.size > c.maxBytes) {
		old := &c.queue[c.head]
		c.m.CompareAndDelete(old.raw, old.e) // unless it was put again since
		c.bytes -= old.e.size
		*old = queued{}
		c.head = (c.head + 1) % len(c.queue)
		c.n--
	}
	if c.n == len(c.queue) {
		c.grow()
	}
	c.queue[(c.head+c.n)%len(c.queue)] = queued{raw, e}
	c.n++
	c.bytes += e.size
	c.m.Store(raw, e)
}

// grow doubles the ring, up to the entry bound, keeping its order.
func (c *tokenCache) grow() {
	next := make([]queued, min(max(2*len(c.queue), 64), c.maxCount))
	for i := range c.n {
		next[i] = c.queue[(c.head+i)%len(c.queue)]
	}
	c.queue, c.head = next, 0
}

// keyStillPublished reports whether a fresh verification at mono would
// pick the key that verified the entry. It keeps the cache's invariant:
//
//	a hit is accepted only when a fresh verification at that moment would
//	accept the token.
//
// The signature and the static claims cannot change, so what a fresh
// verification could decide differently is the key choice (checked here),
// the time claims and revocation (checked by cached on every hit). The key
// choice is the same as the first one while the issuer's current set is the
// very set the key was found in (sets are immutable); otherwise the lookup
// is redone in the current set exactly as verification does it, by the
// token's own kid (a removed key stops verifying cached tokens
// after the next refresh; a token without kid stops once a second key fits
// its algorithm), and must give the same key.
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
	k, err := cur.find(e.kid, e.alg)
	if err != nil || !sameKey(k, e.key) {
		return false
	}
	// cur vouches for the key as the first set did: later hits compare with
	// it. A racing hit may store an older set it checked; that only costs
	// the next hit a lookup.
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
// a copy, slices included, so no caller can change another request's claims.
func (v *Verifier) cached(raw string, ck clocks, rep *report) (*Claims, string, *Error, bool) {
	e := v.cache.get(raw)
	if e == nil {
		return nil, "", nil, false
	}
	if !e.keyStillPublished(ck.mono) {
		// Its key is gone (or the keys are too stale): forget it, and let the
		// full verification give the answer.
		v.cache.drop(raw, e)
		return nil, "", nil, false
	}
	rep.alg, rep.hit = e.alg, true
	if err := v.checkTimes(e.claims, ck.wall); err != nil {
		// The signature was verified; the time rules alone now refuse it:
		// answer as the full verification would, without redoing it.
		v.cache.drop(raw, e)
		return nil, e.claims.Issuer, err, true
	}
	// The revocation checker is the caller's code: it sees the request's
	// copy, never the cached claims other requests share.
	c := copyClaims(e.claims)
	if err := v.checkRevoked(c); err != nil {
		return nil, c.Issuer, err, true
	}
	return c, c.Issuer, nil, true
}
