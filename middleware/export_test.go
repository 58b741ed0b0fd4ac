package middleware

import "time"

// WithCacheClock replaces the key cache's monotonic clock, for tests that
// need to move cache time (staleness, rate limits) without waiting.
func WithCacheClock(now func() time.Time) Option { return optionFunc(func(c *config) { c.mono = now }) }
