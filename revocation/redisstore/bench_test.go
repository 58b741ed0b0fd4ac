package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/revocation"
	"github.com/jwtguard/jwtguard/revocation/redisstore"
	"github.com/redis/go-redis/v9"
)

// fill writes n entries to Redis as revokeScript would, in pipelines.
func fill(b *testing.B, srv *redisServer, n int) {
	b.Helper()
	ctx, c := context.Background(), redis.NewClient(&redis.Options{Addr: srv.addr(), ReadTimeout: time.Minute})
	defer c.Close()
	for start := 0; start < n; start += 10_000 {
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := start; i < min(n, start+10_000); i++ {
				r := revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: fmt.Sprint("j-", i),
					Before: time.Now(), Expires: time.Now().Add(time.Hour)}
				enc, _ := json.Marshal(r)
				field := "jti|" + issuer + "|" + r.Value
				p.HSet(ctx, "jwtguard:revocations", field, enc)
				p.ZAdd(ctx, "{jwtguard:revocations}:changes", redis.Z{Score: float64(i + 1), Member: field})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Set(ctx, "{jwtguard:revocations}:seq", n, 0).Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkResync is one resync of a store holding n entries: full (the
// whole hash, at start and every 30th), and incremental with one change.
func BenchmarkResync(b *testing.B) {
	b.Cleanup(redisstore.SetFullEvery(1 << 30)) // "one change" is incremental only
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		srv := startRedis(b)
		fill(b, srv, n)
		s, err := redisstore.New(context.Background(), srv.client(), redisstore.WithResyncInterval(time.Hour),
			redisstore.WithMaxEntries(2*n), redisstore.WithStaleness(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n, "/full"), func(b *testing.B) {
			for b.Loop() {
				if err := s.Resync(context.Background(), true); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprint(n, "/one change"), func(b *testing.B) {
			i := 0
			for b.Loop() {
				b.StopTimer()
				if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer,
					Value: fmt.Sprint("new-", i), Expires: time.Now().Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
				i++
				b.StartTimer()
				if err := s.Resync(context.Background(), false); err != nil {
					b.Fatal(err)
				}
			}
		})
		_ = s.Close()
		srv.stop()
	}
}
