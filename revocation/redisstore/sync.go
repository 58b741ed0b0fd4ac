package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
	"github.com/redis/go-redis/v9"
)

// Redis holds, beside the hash of entries (field kind|iss|value, value the
// entry's JSON), a change sequence: revokeScript increments a counter and
// records, in a sorted set, each field it writes with the counter's value.
// A resync reads only the fields recorded after the last value it applied;
// a full resync, which reads the whole hash, runs at start, after every
// (re)subscription, every fullEvery resyncs, and whenever the counter went
// back (Redis lost its data).
var fullEvery = 30 // a variable for tests (export_test.go)

// The keys beside the hash share its cluster slot. Redis hashes a key by
// its tag, the bytes between its first '{' and the first '}' after it when
// there are any, or else by the whole key: a prefix with a tag keeps it in
// the side keys, and one without is made their tag. A prefix whose
// braces make no tag ("a{}b", "a}b") would be hashed whole while its side
// keys were not: New refuses such prefixes.
func (s *Store) sideKey(suffix string) string {
	if _, ok := hashTag(s.hash); ok {
		return s.hash + suffix
	}
	return "{" + s.hash + "}" + suffix
}

// hashTag returns key's cluster hash tag, as Redis finds it.
func hashTag(key string) (string, bool) {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return "", false
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 {
		return "", false
	}
	return key[open+1 : open+1+end], true
}

// revokeScript writes an entry, records the change and publishes it in one
// step, unless the hash already holds its bound (ARGV[4]) and the entry is
// a new one: the bound holds however many instances revoke at once, and an
// entry already held can always be widened. KEYS: the hash, the change
// counter, the sorted set of changes; ARGV[1..3]: the field, the entry and
// the channel.
var revokeScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then
	return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[2]), ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`)

// resync brings the local state up to Redis's: it adds what is new or
// wider (what this instance holds stays: a revocation applied while the
// read was in flight, or a wider version of one), then forgets the entries
// that have expired and, in a full resync, deletes them from Redis.
func (s *Store) resync(ctx context.Context, full bool) error {
	began := s.o.now()
	seq, err := s.rdb.Get(ctx, s.sideKey(":seq")).Int64()
	if errors.Is(err, redis.Nil) {
		seq, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("redisstore: reading the change counter: %w", err)
	}
	s.mu.Lock()
	seen, syncs := s.seen, s.syncs
	s.mu.Unlock()
	full = full || seq < seen || syncs%fullEvery == 0
	now := s.o.now()
	expired := map[string]string{} // field -> the value read
	add := func(f, v string) {
		r, err := revstate.Decode([]byte(v))
		switch {
		case err != nil:
			s.o.logger.Warn("redisstore: skipping an unreadable entry", "field", clip(f))
		case s.state.Expired(r, now):
			expired[f] = v
		default:
			s.mu.Lock()
			s.state.Add(r, now)
			s.mu.Unlock()
		}
	}
	next := seen
	switch {
	case full:
		// The counter is read first: changes after it are in the hash read
		// now, or read again next time.
		err, next = s.readAll(ctx, add), seq
	case seq > seen:
		// seen moves to the last change read, not to the counter: a
		// server that answered GET ahead of the one that answers the
		// changes (replica reads) must not skip any.
		next, err = s.changedSince(ctx, seen, add)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	if full {
		_, _ = s.state.Sweep(now)
	}
	// Revoke may resync beside the loop: an incremental resync never moves
	// seen back (a full one may, when the counter went back).
	if full || next > s.seen {
		s.seen = next
	}
	s.syncs++
	s.lastSync.Store(&began)
	wasStale := s.stale.Swap(false)
	s.mu.Unlock()
	if wasStale {
		s.o.logger.Info("redisstore: revocation state synced again")
	}
	if full && len(expired) > 0 {
		_ = s.deleteExpired(ctx, expired)
	}
	return nil
}

// deleteScript deletes each field (ARGV odd) from the hash and the change
// log only if it still holds the value read (ARGV even): another instance
// may have widened the entry since, and its wider version must stay.
var deleteScript = redis.NewScript(`
for i = 1, #ARGV, 2 do
	if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i+1] then
		redis.call('HDEL', KEYS[1], ARGV[i])
		redis.call('ZREM', KEYS[2], ARGV[i])
	end
end
return 0
`)

// deleteExpired deletes the expired entries read (field -> value) that are
// unchanged, a thousand a call.
func (s *Store) deleteExpired(ctx context.Context, expired map[string]string) error {
	args := make([]any, 0, 2*min(len(expired), 1000))
	flush := func() error {
		err := deleteScript.Run(ctx, s.rdb, []string{s.hash, s.sideKey(":changes")}, args...).Err()
		args = args[:0]
		return err
	}
	for f, v := range expired {
		if args = append(args, f, v); len(args) == 2000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(args) > 0 {
		return flush()
	}
	return nil
}

// readAll gives add every field of the hash, a thousand a call (HSCAN): no
// one reply of a large store outlasts a read timeout, Redis serves others in
// between, and the entries are applied as they come. A field may come
// twice; one present throughout comes once at least.
func (s *Store) readAll(ctx context.Context, add func(field, value string)) error {
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, s.hash, cursor, "", 1000).Result()
		if err != nil {
			return fmt.Errorf("redisstore: reading revocations: %w", err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			add(kv[i], kv[i+1])
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// changedSince gives add the fields whose last change came after seen, and
// returns the last change it read (seen when none).
func (s *Store) changedSince(ctx context.Context, seen int64, add func(field, value string)) (int64, error) {
	changes, err := s.rdb.ZRangeByScoreWithScores(ctx, s.sideKey(":changes"), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(seen, 10), Max: "+inf"}).Result()
	if err != nil {
		return seen, fmt.Errorf("redisstore: reading changes: %w", err)
	}
	last := seen
	fields := make([]string, 0, len(changes))
	for _, z := range changes {
		if f, ok := z.Member.(string); ok {
			fields = append(fields, f)
			last = max(last, int64(z.Score))
		}
	}
	for len(fields) > 0 {
		batch := fields[:min(len(fields), 1000)]
		fields = fields[len(batch):]
		vals, err := s.rdb.HMGet(ctx, s.hash, batch...).Result()
		if err != nil {
			return seen, fmt.Errorf("redisstore: reading changed revocations: %w", err)
		}
		for i, v := range vals {
			if str, ok := v.(string); ok {
				add(batch[i], str)
			}
		}
	}
	return last, nil
}

// loop resyncs periodically (and on demand) and watches the staleness bound.
func (s *Store) loop(ctx context.Context) {
	defer s.wg.Done()
	resync := time.NewTicker(s.o.resync)
	defer resync.Stop()
	watch := time.NewTicker(min(time.Second, s.o.staleness/4))
	defer watch.Stop()
	failing, full := false, false
	for {
		select {
		case <-ctx.Done():
			return
		case <-resync.C:
		case <-s.resyncNow:
			full = true // a (re)subscription: what it missed is read whole
		case <-watch.C:
			old := s.o.now().Sub(*s.lastSync.Load()) > s.o.staleness
			if old && !s.stale.Swap(true) {
				s.o.logger.Error("redisstore: revocation state is stale; failing closed", "fail_open", s.o.failOpen)
			}
			if !old {
				continue
			}
			// Stale: retry now rather than wait for the next tick.
		}
		// A full resync of a million entries takes seconds; requests never
		// wait on it, and IsRevoked judges staleness by itself.
		rctx, cancel := context.WithTimeout(ctx, s.o.staleness)
		err := s.resync(rctx, full)
		cancel()
		full = err != nil && full
		if err != nil && !failing {
			s.o.logger.Warn("redisstore: resync failed; enforcing the last synced state", "err", err)
		}
		failing = err != nil
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
