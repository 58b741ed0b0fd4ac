package redisstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/revocation"
	"github.com/jwtguard/jwtguard/revocation/redisstore"
	"github.com/redis/go-redis/v9"
)

const issuer = "https://id.example.com"

func newStore(t *testing.T, srv *redisServer, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(context.Background(), srv.client(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func claims(jti, sub, sid string, iat time.Time) *middleware.Claims {
	return &middleware.Claims{Issuer: issuer, ID: jti, Subject: sub, SessionID: sid, IssuedAt: iat}
}

func revoked(t *testing.T, s revocation.Store, c *middleware.Claims) bool {
	t.Helper()
	r, err := s.IsRevoked(c)
	if err != nil {
		t.Fatalf("IsRevoked: %v", err)
	}
	return r
}

// A revocation on instance A is enforced on instance B within a second
// (measured: pub/sub delivers it in milliseconds on loopback).
func TestARevocationReachesEveryInstanceWithinASecond(t *testing.T) {
	srv := startRedis(t)
	a, b := newStore(t, srv), newStore(t, srv)
	iat := time.Now().Add(-time.Minute)
	for _, tc := range []struct {
		name string
		r    revocation.Revocation
		hit  *middleware.Claims
		miss *middleware.Claims
	}{
		{"by jti", revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "j1", Expires: time.Now().Add(time.Hour)},
			claims("j1", "alice", "", iat), claims("j2", "alice", "", iat)},
		{"by subject", revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "bob"},
			claims("j3", "bob", "", iat), claims("j4", "bob", "", time.Now().Add(5*time.Minute))}, // well past the cutoff and its 60 s leeway
		{"by session", revocation.Revocation{Kind: revocation.BySession, Issuer: issuer, Value: "s1"},
			claims("j5", "carol", "s1", iat), claims("j6", "carol", "s2", iat)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if revoked(t, b, tc.hit) {
				t.Fatal("revoked before the revocation")
			}
			start := time.Now()
			if err := a.Revoke(context.Background(), tc.r); err != nil {
				t.Fatal(err)
			}
			if !revoked(t, a, tc.hit) {
				t.Fatal("the revoking instance does not enforce its own revocation at once")
			}
			for !revoked(t, b, tc.hit) {
				if time.Since(start) > time.Second {
					t.Fatal("instance B did not enforce the revocation within 1 s")
				}
				time.Sleep(time.Millisecond)
			}
			t.Logf("enforced on instance B after %s", time.Since(start))
			if revoked(t, b, tc.miss) {
				t.Fatal("the revocation covers too much")
			}
		})
	}
}

// Redis stopped: the last synced state is enforced for the staleness bound,
// then the store fails closed (503 through the verifier); Redis restarted:
// the state resyncs by itself, and with persistence nothing is forgotten.
func TestRedisOutageFailsClosedThenRecovers(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithStaleness(time.Second), redisstore.WithResyncInterval(100*time.Millisecond))
	open := newStore(t, srv, redisstore.WithStaleness(time.Second), redisstore.WithResyncInterval(100*time.Millisecond), redisstore.WithFailOpen())
	iat := time.Now().Add(-time.Minute)
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "mallory"}); err != nil {
		t.Fatal(err)
	}
	bad, good := claims("", "mallory", "", iat), claims("", "alice", "", iat)
	listener := newStore(t, srv, redisstore.WithStaleness(time.Minute)) // resyncs only every 10 s
	eventually(t, "the fail-open store to see the revocation", func() bool { r, _ := open.IsRevoked(bad); return r })

	stopped := time.Now()
	srv.stop()
	if !revoked(t, s, bad) || revoked(t, s, good) {
		t.Fatal("the last synced state is not enforced right after Redis stopped")
	}
	eventually(t, "the store to fail closed", func() bool {
		_, err := s.IsRevoked(good)
		return errors.Is(err, redisstore.ErrStale)
	})
	// The bound counts from the start of the last successful resync, about
	// one resync interval (100 ms) before Redis stopped at the latest.
	if time.Since(stopped) < time.Second-150*time.Millisecond {
		t.Fatalf("failed closed %v after Redis stopped, before the staleness bound", time.Since(stopped))
	}
	if r, err := open.IsRevoked(bad); err != nil || !r {
		t.Fatalf("the fail-open store: %v %v", r, err)
	}
	// Through a verifier, the distinct reason and a 503.
	tv := verifierWith(t, s)
	_, err := tv.v.Verify(context.Background(), tv.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"}))
	if middleware.ReasonOf(err) != reason.RevocationUnavailable || middleware.ResponseFor(err, "api").Status != 503 {
		t.Fatalf("while stale: %v", err)
	}

	srv.start()
	eventually(t, "the store to resync after Redis came back", func() bool {
		_, err := s.IsRevoked(good)
		return err == nil
	})
	if !revoked(t, s, bad) {
		t.Fatal("the revocation was forgotten across the Redis restart")
	}
	// Pub/sub resumed by itself: a new revocation reaches the listener,
	// which resyncs only every 10 s, within a second.
	eventually(t, "the listener to resubscribe", func() bool {
		if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "after-restart",
			Expires: time.Now().Add(time.Hour)}); err != nil {
			return false
		}
		start := time.Now()
		for time.Since(start) < time.Second {
			if r, _ := listener.IsRevoked(claims("after-restart", "x", "", iat)); r {
				return true
			}
			time.Sleep(5 * time.Millisecond)
		}
		return false
	})
	// A new instance, started after the restart, knows it too.
	if !revoked(t, newStore(t, srv), bad) {
		t.Fatal("a new instance does not see the revocation")
	}
}

// The staleness bound holds while Redis hangs (SIGSTOP: connections open,
// nothing answers), measured from the start of the last successful resync,
// on the store's clock, however long the hanging resync blocks.
func TestTheStalenessBoundHoldsWhileRedisHangs(t *testing.T) {
	srv := startRedis(t)
	clk := testclock.New(time.Now())
	s := newStore(t, srv, redisstore.WithClock(clk.Now), redisstore.WithStaleness(30*time.Second),
		redisstore.WithResyncInterval(50*time.Millisecond))
	bad := claims("", "mallory", "", clk.Now().Add(-time.Hour))
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "mallory"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // resyncs succeed, each starting at the clock's time
	srv.pause()
	t.Cleanup(srv.resume)
	synced := clk.Now()                // no resync succeeds from here on
	time.Sleep(200 * time.Millisecond) // the loop is blocked in a resync that hangs
	clk.Set(synced.Add(30 * time.Second))
	if r, err := s.IsRevoked(bad); err != nil || !r {
		t.Fatalf("at the staleness bound: %v %v, want the last state enforced", r, err)
	}
	clk.Set(synced.Add(30*time.Second + time.Millisecond))
	if _, err := s.IsRevoked(bad); !errors.Is(err, redisstore.ErrStale) {
		t.Fatalf("just past the staleness bound while Redis hangs: %v, want ErrStale", err)
	}
	srv.resume()
	eventually(t, "the store to resync once Redis answers again", func() bool {
		r, err := s.IsRevoked(bad)
		return err == nil && r
	})
}

// missedWrite does what revokeScript does but the publication: as an
// instance's revocation looks to one that was disconnected when it was
// published.
func missedWrite(t *testing.T, srv *redisServer, r revocation.Revocation) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, c := context.Background(), srv.client()
	field := r.Kind.String() + "|" + r.Issuer + "|" + r.Value
	seq, err := c.Incr(ctx, "{jwtguard:revocations}:seq").Result()
	if err == nil {
		err = c.HSet(ctx, "jwtguard:revocations", field, b).Err()
	}
	if err == nil {
		err = c.ZAdd(ctx, "{jwtguard:revocations}:changes", redis.Z{Score: float64(seq), Member: field}).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// A message missed is repaired by the next resync, which reads only what
// changed since the last one: no resync but the first reads the whole hash.
func TestAMissedMessageIsRepairedByAnIncrementalResync(t *testing.T) {
	t.Cleanup(redisstore.SetFullEvery(1 << 30)) // no periodic full resync during the test
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithResyncInterval(50*time.Millisecond))
	for i := range 200 {
		if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: fmt.Sprint("j", i),
			Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	hscan := func() int {
		info, err := srv.client().Info(context.Background(), "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(info, "\r\n") {
			if rest, ok := strings.CutPrefix(line, "cmdstat_hscan:calls="); ok {
				n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
				return n
			}
		}
		return 0
	}
	before := hscan()
	missedWrite(t, srv, revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "missed", Before: time.Now(), Expires: time.Now().Add(time.Hour)})
	eventually(t, "the resync to pick up the unpublished entry", func() bool { return revoked(t, s, claims("missed", "x", "", time.Now())) })
	time.Sleep(500 * time.Millisecond) // about ten resyncs, all incremental
	if n := hscan() - before; n != 0 {
		t.Fatalf("%d resyncs read the whole hash", n)
	}
}

// An entry written to the hash by other means than the store (a restore, an
// operator) is read by the periodic full resync.
func TestAnEntryWrittenBesideTheStoreIsReadByAFullResync(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithResyncInterval(10*time.Millisecond))
	r := revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "restored", Before: time.Now(), Expires: time.Now().Add(time.Hour)}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.client().HSet(context.Background(), "jwtguard:revocations", "jti|"+issuer+"|restored", b).Err(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a full resync to pick up the entry", func() bool { return revoked(t, s, claims("restored", "x", "", time.Now())) })
}

// Entries leave Redis and memory once every token they cover has expired.
func TestExpiredEntriesAreDropped(t *testing.T) {
	srv := startRedis(t)
	// A leeway of 1 ms: the entries are kept twice the leeway past their expiry.
	s := newStore(t, srv, redisstore.WithResyncInterval(50*time.Millisecond), redisstore.WithLeeway(time.Millisecond))
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "short",
		Expires: time.Now().Add(300 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the expired entry to leave Redis", func() bool {
		n, err := srv.client().HLen(context.Background(), "jwtguard:revocations").Result()
		return err == nil && n == 0
	})
	if list, err := s.List(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("List: %v %v", list, err)
	}
}

func TestNewFailsWithoutRedis(t *testing.T) {
	srv := startRedis(t)
	c := srv.client()
	srv.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := redisstore.New(ctx, c); err == nil {
		t.Fatal("New succeeded with Redis down")
	}
}

type testVerifier struct {
	iss *jwttest.Issuer
	v   *middleware.Verifier
}

// verifierWith is a verifier of a test issuer's tokens that consults rc.
func verifierWith(t *testing.T, rc middleware.RevocationChecker) testVerifier {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"api"}}},
		middleware.WithRevocation(rc), middleware.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return testVerifier{iss, v}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Revoking again with an earlier cutoff keeps the wider entry, in Redis too.
func TestARevocationIsNeverNarrowedInRedis(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv)
	now := time.Now()
	for _, before := range []time.Time{now, now.Add(-time.Hour)} {
		if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "bob",
			Before: before, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	fresh := newStore(t, srv) // reads what Redis holds
	if !revoked(t, fresh, claims("", "bob", "", now.Add(-time.Minute))) {
		t.Fatal("the earlier cutoff narrowed the revocation in Redis")
	}
}

// A full store refuses a new entry but still widens one it holds, and the
// bound holds when several instances revoke at once.
func TestAFullStoreRefusesNewEntriesOnly(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	s := newStore(t, srv, redisstore.WithMaxEntries(3))
	now := time.Now()
	sub := func(v string, expires time.Time) revocation.Revocation {
		return revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: v, Before: now, Expires: expires}
	}
	for _, v := range []string{"a", "b", "c"} {
		if err := s.Revoke(ctx, sub(v, now.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Revoke(ctx, sub("d", now.Add(time.Hour))); !errors.Is(err, revocation.ErrFull) {
		t.Fatalf("a fourth entry in a store of three: %v", err)
	}
	if err := s.Revoke(ctx, sub("a", now.Add(2*time.Hour))); err != nil {
		t.Fatalf("widening an entry of a full store: %v", err)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("Redis holds %d entries", len(list))
	}
	for _, r := range list {
		if r.Value == "a" && r.Expires.Before(now.Add(90*time.Minute)) {
			t.Fatalf("the widened entry expires at %v", r.Expires)
		}
	}

	// Instances revoking at once never take Redis past the bound.
	fresh := startRedis(t)
	stores := []*redisstore.Store{newStore(t, fresh, redisstore.WithMaxEntries(5)), newStore(t, fresh, redisstore.WithMaxEntries(5))}
	var wg sync.WaitGroup
	var full atomic.Int32
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := stores[g%2].Revoke(ctx, sub(fmt.Sprint("user-", g), now.Add(time.Hour)))
			switch {
			case errors.Is(err, revocation.ErrFull):
				full.Add(1)
			case err != nil:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if list, err := stores[0].List(ctx); err != nil || len(list) != 5 || full.Load() != 3 {
		t.Fatalf("%d entries in Redis, %d refused, %v; want 5 and 3", len(list), full.Load(), err)
	}
}

// An entry that disappears from Redis (deleted by hand, or lost by a Redis
// without persistence) stays enforced by the instances that applied it:
// losing data never lifts a revocation early. A new instance sees only
// what Redis holds.
func TestAnEntryLostInRedisStaysEnforced(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	s := newStore(t, srv, redisstore.WithResyncInterval(50*time.Millisecond))
	now := time.Now()
	if err := s.Revoke(ctx, revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "mallory",
		Before: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := srv.client().Del(ctx, "jwtguard:revocations").Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // several resyncs
	if !revoked(t, s, claims("", "mallory", "", now.Add(-time.Minute))) {
		t.Fatal("a resync lifted a revocation that Redis lost")
	}
	if revoked(t, newStore(t, srv), claims("", "mallory", "", now.Add(-time.Minute))) {
		t.Fatal("a new instance enforces an entry Redis does not hold")
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Without WithLogger, or with a nil one, the store reports to slog.Default,
// as the verifier does: an unreadable entry in the hash is not silent.
func TestTheStoreLogsToTheDefaultLogger(t *testing.T) {
	var out syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&out, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	srv := startRedis(t)
	for i, opts := range [][]redisstore.Option{nil, {redisstore.WithLogger(nil)}} {
		newStore(t, srv, append(opts, redisstore.WithResyncInterval(10*time.Millisecond))...)
		field := fmt.Sprintf("jti|%s|unreadable-%d", issuer, i)
		if err := srv.client().HSet(context.Background(), "jwtguard:revocations", field, "not JSON").Err(); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the unreadable entry to be reported", func() bool {
			return strings.Contains(out.String(), "skipping an unreadable entry") && strings.Contains(out.String(), fmt.Sprintf("unreadable-%d", i))
		})
	}
}
