package middleware

import "time"

// WithCacheClock replaces the key cache's monotonic clock, for tests that
// need to move cache time (staleness, rate limits) without waiting.
func WithCacheClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.mono, c.realClocks = now, false })
}

// CacheLen counts the verified-token cache's entries (0 when it is off).
func (v *Verifier) CacheLen() int {
	if v.cache == nil {
		return 0
	}
	n := 0
	for i := range v.cache.shards {
		n += len(*v.cache.shards[i].m.Load())
	}
	return n
}

// CacheBytes is the verified-token cache's accounted size.
func (v *Verifier) CacheBytes() int {
	if v.cache == nil {
		return 0
	}
	n := 0
	for i := range v.cache.shards {
		s := &v.cache.shards[i]
		s.mu.Lock()
		n += s.bytes
		s.mu.Unlock()
	}
	return n
}
