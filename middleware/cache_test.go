package middleware_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// revokeList is a revocation checker over a set of jtis.
type revokeList struct{ jtis atomic.Value }

func (r *revokeList) IsRevoked(c *middleware.Claims) (bool, error) {
	m, _ := r.jtis.Load().(map[string]bool)
	return m[c.ID], nil
}

// A cached token is not trusted blindly: every hit checks the time claims,
// revocation, and that its key is still published.
func TestCachedTokensAreRecheckedOnEveryHit(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now), jwttest.WithKeyAlgorithms("RS256", "ES256"))
	revoked := &revokeList{}
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now),
		middleware.WithRevocation(revoked), middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: time.Hour}))
	ctx := context.Background()
	verify := func(tok string, want reason.Code) {
		t.Helper()
		for range 3 { // the first verification fills the cache; the others hit it
			_, err := v.Verify(ctx, tok)
			wantReason(t, err, want)
		}
	}
	short := mint(t, iss, jwttest.ClaimsSet{"exp": clk.Now().Add(10 * time.Minute).Unix(), "jti": "short"})
	verify(short, "")
	clk.Advance(12 * time.Minute)
	verify(short, reason.TokenExpired)

	notYet := mint(t, iss, jwttest.ClaimsSet{"nbf": clk.Now().Add(-time.Minute).Unix(), "jti": "nbf"})
	verify(notYet, "")
	clk.Advance(-5 * time.Minute) // the clock steps back: nbf is in the future again
	verify(notYet, reason.TokenNotYetValid)
	clk.Advance(5 * time.Minute)

	stolen := mint(t, iss, jwttest.ClaimsSet{"jti": "stolen"})
	verify(stolen, "")
	revoked.jtis.Store(map[string]bool{"stolen": true})
	verify(stolen, reason.TokenRevoked)

	ecTok := mint(t, iss, jwttest.ClaimsSet{"jti": "ec"}, jwttest.WithAlg("ES256"))
	verify(ecTok, "")
	iss.RemoveKey(iss.KeyIDs()[1])
	if err := v.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	verify(ecTok, reason.KeyNotFound)

	// Past the staleness bound, the cache does not outlive the keys.
	rsaTok := mint(t, iss, jwttest.ClaimsSet{"jti": "rsa"})
	verify(rsaTok, "")
	iss.SetFault(jwttest.Fault500)
	clk.Advance(2 * time.Hour)
	rsaTok = mint(t, iss, jwttest.ClaimsSet{"jti": "rsa2"}) // valid at the new wall time
	_, err := v.Verify(ctx, rsaTok)
	wantReason(t, err, reason.JWKSUnavailable)
}

// A hit returns a copy: what one handler does to its claims never reaches
// another request.
func TestCachedClaimsAreCopies(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	c1, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	c1.Subject = "mallory"
	c2, err := v.Verify(context.Background(), tok)
	if err != nil || c2.Subject != "alice" || c2 == c1 {
		t.Fatalf("second verification: %+v %v", c2, err)
	}
	c2.Subject = "eve"
	if c3, _ := v.Verify(context.Background(), tok); c3.Subject != "alice" {
		t.Fatalf("a cached hit returned %q", c3.Subject)
	}
}

// Sender-constrained tokens prove possession on every request: never cached.
func TestSenderConstrainedTokensAreNeverCached(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	var checks atomic.Int64
	v := warm(t, iss, middleware.WithSenderConstraint(func(*http.Request, json.RawMessage) error {
		checks.Add(1)
		return nil
	}))
	tok := mint(t, iss, jwttest.ClaimsSet{"cnf": map[string]any{"jkt": "x"}})
	for range 5 {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := checks.Load(); n != 5 {
		t.Fatalf("the binding was checked %d times for 5 requests", n)
	}
}

// A cache hit costs one allocation: the copy of the claims.
func TestACacheHitAllocatesOnlyTheClaimsCopy(t *testing.T) {
	iss := newIssuer(t)
	v := warm(t, iss)
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "scope": "a b c"})
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(200, func() {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Fatalf("%v allocations per cache hit", n)
	}
}

// The cache stays within its bounds in entries and in bytes, and can be
// turned off.
func TestTheCacheIsBounded(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	ctx := context.Background()
	byCount := warm(t, iss, middleware.WithTokenCache(64, 16<<20))
	bySize := warm(t, iss, middleware.WithTokenCache(10_000, 64<<10))
	off := warm(t, iss, middleware.WithTokenCache(0, 0))
	for i := range 300 {
		tok := mint(t, iss, jwttest.ClaimsSet{"jti": string(rune('a'+i%26)) + time.Now().String(), "pad": make([]int, 50)})
		for _, v := range []*middleware.Verifier{byCount, bySize, off} {
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := byCount.CacheLen(); n == 0 || n > 64 {
		t.Fatalf("%d entries for a bound of 64", n)
	}
	if b := bySize.CacheBytes(); b == 0 || b > 64<<10 {
		t.Fatalf("%d bytes for a bound of 64 KiB", b)
	}
	if n := off.CacheLen(); n != 0 {
		t.Fatalf("a cache that is off holds %d entries", n)
	}
}

// Every request's Claims are its own, slices included, whether they come
// from a verification or from the cache: what one handler does to its
// Audience or Scopes (sorting, overwriting, appending) reaches no other
// request and not the cache. Run with -race, the concurrent part fails on
// any shared backing array.
func TestEachRequestsClaimsAreItsOwn(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	ctx := context.Background()
	many := strings.Fields("a b c d e f g h i j k") // more than a Claims box has room for
	for _, tc := range []struct {
		name   string
		claims jwttest.ClaimsSet
	}{
		{"few scopes", jwttest.ClaimsSet{"aud": []string{audience, "other"}, "scope": "read write"}},
		{"many scopes", jwttest.ClaimsSet{"aud": []string{audience, "other"}, "scope": strings.Join(many, " ")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := mint(t, iss, tc.claims)
			first, err := v.Verify(ctx, tok) // verified, then put in the cache
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(first.Scopes)
			wantAud := slices.Clone(first.Audience)
			spoil := func(c *middleware.Claims) {
				c.Scopes[0], c.Audience[0] = "admin", "spoiled"
				_ = append(c.Audience[:1], "appended")
				_ = append(c.Scopes[:1], "appended")
			}
			spoil(first)
			for range 2 {
				c, err := v.Verify(ctx, tok) // a hit
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(c.Scopes, want) || !slices.Equal(c.Audience, wantAud) {
					t.Fatalf("scopes %q, audience %q; want %q, %q", c.Scopes, c.Audience, want, wantAud)
				}
				spoil(c)
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for range 50 {
						c, err := v.Verify(ctx, tok)
						if err != nil {
							t.Error(err)
							return
						}
						slices.Sort(c.Scopes)
						spoil(c)
					}
				})
			}
			wg.Wait()
		})
	}
}
