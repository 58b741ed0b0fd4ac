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
	v.cache.m.Range(func(any, any) bool { n++; return true })
	return n
}

// CacheHas reports whether the verified-token cache holds raw.
func (v *Verifier) CacheHas(raw string) bool {
	return v.cache != nil && v.cache.get(raw) != nil
}

// CacheBytes is the verified-token cache's accounted size.
func (v *Verifier) CacheBytes() int {
	if v.cache == nil {
		return 0
	}
	v.cache.mu.Lock()
	defer v.cache.mu.Unlock()
	return v.cache.bytes
}
