package redisstore

import "context"

// Resync runs one resync, full or incremental, for benchmarks.
func (s *Store) Resync(ctx context.Context, full bool) error { return s.resync(ctx, full) }
