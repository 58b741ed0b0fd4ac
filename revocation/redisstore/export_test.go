package redisstore

import "context"

// SetFullEvery sets how often a resync reads everything, for tests; it
// returns a function restoring the default.
func SetFullEvery(n int) (restore func()) {
	old := fullEvery
	fullEvery = n
	return func() { fullEvery = old }
}

// Resync runs one resync, full or incremental, for benchmarks.
func (s *Store) Resync(ctx context.Context, full bool) error { return s.resync(ctx, full) }

// DeleteExpired deletes the given fields if they still hold the given values.
func (s *Store) DeleteExpired(ctx context.Context, expired map[string]string) error {
	return s.deleteExpired(ctx, expired)
}
