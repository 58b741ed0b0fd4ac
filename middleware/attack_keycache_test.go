package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Key cache (C22, C24, J08, J12, J20): unknown kids cost at most one
// rate-limited fetch, secrets in a remote JWKS are never keys, removed keys
// stop verifying, and keys never cross issuers.
func TestAttackKeyCache(t *testing.T) {
	t.Parallel()
	secret := "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"
	var tgIss *jwttest.Issuer
	// The issuer's JWKS, re-served with an oct key beside the real ones.
	srv, fetches := jwksServer(t, func() string {
		keys := publishedKeys(t, tgIss)
		keys = append(keys, map[string]any{"kty": "oct", "kid": "shared", "alg": "HS256", "k": secret})
		b, _ := json.Marshal(map[string]any{"keys": keys})
		return string(b)
	})
	tg := newTargetWith(t, func(iss *jwttest.Issuer) middleware.Issuer {
		tgIss = iss
		return middleware.Issuer{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}
	})
	payload := tg.claims(nil)
	secretBytes, _ := b64.DecodeString(secret)
	other := newIssuer(t)
	ecTok := mint(t, tg.iss, nil, jwttest.WithAlg("ES256"))

	attacks := []attack{
		{name: "HS256 with the secret a remote JWKS published", token: hmacToken(t, "HS256", secretBytes, map[string]any{"alg": "HS256", "kid": "shared"}, payload),
			want: ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true},
		{name: "RS256 naming the published secret's kid", token: tg.attackerSigned(map[string]any{"alg": "RS256", "kid": "shared"}, payload),
			want: ansInvalid, reason: reason.KeyNotFound},
		{name: "a token of another issuer claiming this iss with a known kid",
			token: mint(t, other, jwttest.ClaimsSet{"iss": tg.iss.URL()}, jwttest.WithHeader("kid", tg.rsaKid)),
			want:  ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "a first unknown kid", token: tg.attackerSigned(map[string]any{"alg": "RS256", "kid": "fresh-0"}, payload),
			want: ansInvalid, reason: reason.KeyNotFound},
	}
	for i := 1; i <= 20; i++ {
		attacks = append(attacks, attack{
			name:  fmt.Sprintf("unknown kid %d of a flood costs no fetch", i),
			token: tg.attackerSigned(map[string]any{"alg": "RS256", "kid": fmt.Sprintf("fresh-%d", i)}, payload),
			want:  ansInvalid, reason: reason.KeyNotFound, noKeyFetch: true,
		})
	}
	attacks = append(attacks, attack{name: "a valid ES256 token before its key is removed", token: ecTok, want: ansOK, noKeyFetch: true})
	tg.run(attacks)
	// One fetch at start-up, at most one for all the unknown kids (they
	// come within the 30 s rate limit).
	if n := fetches.Load(); n > 2 {
		t.Fatalf("%d JWKS fetches for a flood of unknown kids", n)
	}

	// Removal: after the next refresh the removed key fails at once.
	if !tg.iss.RemoveKey(tg.ecKid) {
		t.Fatal("no key to remove")
	}
	if err := tg.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tg.run([]attack{{name: "a token of a removed key", token: ecTok, want: ansInvalid, reason: reason.KeyNotFound, noKeyFetch: true}})
	if strings.Contains(fmt.Sprint(tg.iss.KeyIDs()), tg.ecKid) {
		t.Fatal("the key is still published")
	}
}
