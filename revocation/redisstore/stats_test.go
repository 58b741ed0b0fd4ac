package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/statsx"
	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation"
	"github.com/jwtguard/jwtguard/revocation/redisstore"
)

// What the exporters read: the local copy's size, how long ago it was
// synced, and that it is stale exactly when IsRevoked starts refusing.
func TestTheExportersReadTheSyncState(t *testing.T) {
	srv := startRedis(t)
	clk := testclock.New(time.Now())
	s := newStore(t, srv, redisstore.WithClock(clk.Now), redisstore.WithStaleness(30*time.Second),
		redisstore.WithResyncInterval(50*time.Millisecond), redisstore.WithMaxEntries(500))
	v, err := middleware.New([]middleware.Issuer{{URL: issuer, Audiences: []string{"api"},
		Keys: []middleware.Key{{ID: "k", Algorithm: "HS256", Secret: []byte("0123456789abcdef0123456789abcdef")}}}},
		middleware.WithRevocation(s), middleware.WithAlgorithms("HS256"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	read := func() statsx.Revocation {
		t.Helper()
		st, ok := statsx.Read(v)
		if !ok || st.Revocation == nil {
			t.Fatalf("no revocation state read (%v)", ok)
		}
		return *st.Revocation
	}
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "mallory"}); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.Store != s || r.Entries != 1 || r.MaxEntries != 500 || !r.Shared || r.Stale || r.SyncAge < 0 || r.SyncAge > time.Second {
		t.Fatalf("after one revocation: %+v", r)
	}
	time.Sleep(200 * time.Millisecond)
	srv.pause()
	t.Cleanup(srv.resume)
	synced := clk.Now()
	time.Sleep(200 * time.Millisecond)
	bad := claims("", "mallory", "", clk.Now().Add(-time.Hour))
	clk.Set(synced.Add(30 * time.Second))
	if r := read(); r.Stale || r.SyncAge != 30*time.Second {
		t.Fatalf("at the bound: %+v", r)
	}
	clk.Set(synced.Add(30*time.Second + time.Millisecond))
	if _, err := s.IsRevoked(bad); !errors.Is(err, redisstore.ErrStale) {
		t.Fatalf("past the bound: %v", err)
	}
	if r := read(); !r.Stale {
		t.Fatalf("IsRevoked refuses, the exporters read %+v", r)
	}
}
