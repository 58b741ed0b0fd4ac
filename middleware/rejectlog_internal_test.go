package middleware

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
)

// A flood of tokens naming random issuers, kids and subjects, and of
// garbage, leaves the refusal log with at most one slot per reason and
// configured issuer (or none): nothing a token says becomes a key.
func TestTheRefusalLogStaysBoundedUnderAFloodOfRandomTokens(t *testing.T) {
	a, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	v, err := New([]Issuer{{URL: a.URL(), Audiences: []string{"api"}}, {URL: b.URL(), Audiences: []string{"api"}}},
		WithRemoteKeys(RemoteKeys{StartupFetch: true}), WithTokenCache(0, 0),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))) // info: the refusal log is on
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	r := rand.New(rand.NewPCG(7, 8))
	enc := base64.RawURLEncoding.EncodeToString
	ctx := context.Background()
	for i := range 3000 {
		iss := fmt.Sprintf("https://%x.example", r.Uint64())
		if i%3 == 0 {
			iss = []string{a.URL(), b.URL()}[i%2]
		}
		header := fmt.Sprintf(`{"alg":"RS256","kid":"%x"}`, r.Uint64())
		payload := fmt.Sprintf(`{"iss":%q,"sub":"%x","aud":"%x","exp":%d}`, iss, r.Uint64(), r.Uint64(), 1<<40)
		tokens := []string{enc([]byte(header)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig")), fmt.Sprintf("garbage-%x", r.Uint64())}
		for _, tok := range tokens {
			if _, err := v.Verify(ctx, tok); err == nil {
				t.Fatalf("%s was accepted", tok)
			}
		}
		// A valid token of a configured issuer for another audience.
		if i%100 == 0 {
			_, _ = v.Verify(ctx, a.MustMint(jwttest.ClaimsSet{"sub": fmt.Sprint(i), "aud": fmt.Sprintf("%x", r.Uint64())}))
		}
	}
	v.rejections.mu.Lock()
	defer v.rejections.mu.Unlock()
	if n := len(v.rejections.slots); n == 0 || n > 25*3 {
		t.Fatalf("%d slots after 6,000 random refusals", n)
	}
	for _, k := range v.rejections.slots {
		if k.issuer != "" && k.issuer != a.URL() && k.issuer != b.URL() {
			t.Fatalf("a slot for an issuer a token named: %q", k.issuer)
		}
	}
}
