package redisstore

import "context"

// Resync runs one resync, full or incremental, for benchmarks.
func (s *Store) Resync(ctx context.Context, full bool) error { return s.resync(ctx, full) }

// DeleteExpired deletes the given fields if they still hold the given values.
func (s *Store) DeleteExpired(ctx context.Context, expired map[string]string) error {
	return s.deleteExpired(ctx, expired)
}
