// Package exportertest drives the traffic the exporters' tests (the
// prometheus and otel modules) measure, so that both count the very same
// requests.
package exportertest

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// KnownTraffic verifies, with v, a verifier of iss's tokens for audience
// whose keys are fetched already: a valid token twice (the second a cache
// hit when v caches), an expired one, a forged one (another token's
// signature on a payload of ours), two unknown kids (the first forces a
// fetch, the second is rate-limited), and a malformed one; then it makes
// iss answer 500 and refreshes once, which fails. It fails t when an
// answer is not the one expected.
func KnownTraffic(t testing.TB, iss *jwttest.Issuer, v *middleware.Verifier, audience string) {
	t.Helper()
	ctx := context.Background()
	good := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	for range 2 {
		if _, err := v.Verify(ctx, good); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	expired := iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix()})
	other := strings.Split(iss.MustMint(jwttest.ClaimsSet{"sub": "mallory"}), ".")
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + iss.URL() + `","aud":"` + audience + `","sub":"eve","exp":9999999999}`))
	forged := strings.Split(good, ".")[0] + "." + payload + "." + other[2]
	unknown1 := iss.MustMint(jwttest.ClaimsSet{"sub": "carol"}, jwttest.WithHeader("kid", "gone-1"))
	unknown2 := iss.MustMint(jwttest.ClaimsSet{"sub": "carol"}, jwttest.WithHeader("kid", "gone-2"))
	for _, tok := range []string{expired, forged, unknown1, unknown2, "not-a-token"} {
		if _, err := v.Verify(ctx, tok); err == nil {
			t.Fatal("a bad token was accepted")
		}
	}
	iss.SetFault(jwttest.Fault500)
	if err := v.Refresh(ctx); err == nil {
		t.Fatal("a refresh against a failing issuer succeeded")
	}
}

// Flood verifies 2n tokens with v: n naming random issuers (a quarter of
// them iss's), kids, subjects, audiences and clients, with a bad
// signature, and n valid tokens of iss with random subjects and clients.
func Flood(v *middleware.Verifier, iss *jwttest.Issuer, r *rand.Rand, n int) {
	ctx := context.Background()
	enc := base64.RawURLEncoding.EncodeToString
	for range n {
		u := fmt.Sprintf("https://%x.example/", r.Uint64())
		if r.IntN(4) == 0 {
			u = iss.URL()
		}
		h := enc(fmt.Appendf(nil, `{"alg":"RS256","kid":"%x"}`, r.Uint64()))
		p := enc(fmt.Appendf(nil, `{"iss":%q,"sub":"%x","aud":"%x","client_id":"%x","exp":9999999999}`, u, r.Uint64(), r.Uint64(), r.Uint64()))
		_, _ = v.Verify(ctx, h+"."+p+"."+enc([]byte("sig")))
		_, _ = v.Verify(ctx, iss.MustMint(jwttest.ClaimsSet{"sub": fmt.Sprintf("%x", r.Uint64()), "client_id": fmt.Sprintf("%x", r.Uint64())}))
	}
}
