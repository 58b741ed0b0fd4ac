package middleware_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// FuzzVerify runs mutated tokens through the whole verifier (static keys of
// four algorithms, so that nothing is fetched). The property is stronger than
// "no panic": nothing is ever accepted whose signed part (header.payload) the
// issuer did not sign itself. The seeds include a valid token of each
// algorithm, minted at start-up.
func FuzzVerify(f *testing.F) {
	clk := func() time.Time { return time.Unix(1_800_000_000, 0) }
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience), jwttest.WithKeyAlgorithms("RS256", "ES256", "EdDSA"),
		jwttest.WithClock(clk))
	if err != nil {
		f.Fatal(err)
	}
	defer iss.Close()
	keys := []middleware.Key{{ID: "hs", Algorithm: "HS256", Secret: iss.Secret()}}
	for _, kid := range iss.KeyIDs() {
		keys = append(keys, middleware.Key{ID: kid, Public: iss.PublicKey(kid)})
	}
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, Keys: keys}},
		quiet, middleware.WithClock(clk))
	if err != nil {
		f.Fatal(err)
	}
	defer v.Close()

	var mu sync.Mutex
	signed := map[string]bool{}
	add := func(tok string) {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			f.Fatalf("a seed does not verify: %v", err)
		}
		mu.Lock()
		signed[tok[:strings.LastIndexByte(tok, '.')]] = true
		mu.Unlock()
		f.Add(tok)
	}
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		add(iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "a b", "roles": []string{"x"}}, jwttest.WithAlg(alg)))
	}
	add(iss.MustMint(jwttest.ClaimsSet{"sub": "bob"}, jwttest.WithAlg("HS256"), jwttest.WithHeader("kid", "hs")))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := v.Verify(context.Background(), raw)
		if err != nil {
			if middleware.ReasonOf(err) == "" {
				t.Fatalf("an error without a reason: %v", err)
			}
			if strings.Contains(err.Error(), raw) && len(raw) > 16 {
				t.Fatalf("the error quotes the token: %v", err)
			}
			return
		}
		i := strings.LastIndexByte(raw, '.')
		mu.Lock()
		ok := i > 0 && signed[raw[:i]]
		mu.Unlock()
		if !ok || c == nil {
			t.Fatalf("accepted a token the issuer never signed: %q", raw)
		}
	})
}
