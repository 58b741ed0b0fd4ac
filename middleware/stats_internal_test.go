package middleware

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/statsx"
	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/jwttest"
)

// What an exporter reads at scrape time: whether each issuer has keys,
// how old and how many, whether they went stale, and the cache's fill.
func TestStatsSayWhatNoEventSays(t *testing.T) {
	clk := testclock.New(time.Unix(1_800_000_000, 0))
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"), jwttest.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	iss.SetFault(jwttest.FaultDown)
	v, err := New([]Issuer{{URL: iss.URL(), Audiences: []string{"api"}}}, WithClock(clk.Now), WithCacheClock(clk.Now),
		WithTokenCache(10, 1<<20), WithRemoteKeys(RemoteKeys{MaxStaleness: time.Hour}), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, ok := statsx.Read(42); ok {
		t.Fatal("Read read an int")
	}
	s, ok := statsx.Read(v)
	if !ok || len(s.Issuers) != 1 || s.Issuers[0].URL != iss.URL() || !s.Issuers[0].Remote || s.Issuers[0].HaveKeys ||
		s.CacheEntries != 0 || s.CacheMaxEntries != 10 || s.CacheMaxBytes != 1<<20 {
		t.Fatalf("before any keys: %+v", s)
	}
	iss.SetFault(jwttest.FaultNone)
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	s, _ = statsx.Read(v)
	if is := s.Issuers[0]; !is.HaveKeys || is.Keys != 1 || is.Age != 10*time.Minute || is.Stale || s.CacheEntries != 1 || s.CacheBytes <= 0 {
		t.Fatalf("after a fetch and a verification: %+v", s)
	}
	clk.Advance(time.Hour)
	if s, _ = statsx.Read(v); !s.Issuers[0].Stale || s.Issuers[0].Age != 70*time.Minute {
		t.Fatalf("past MaxStaleness: %+v", s)
	}
}
