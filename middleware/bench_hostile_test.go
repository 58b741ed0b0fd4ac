package middleware_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/hostile"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// The costliest tokens within the default 16 KiB limit that we can
// construct (C21, internal/hostile), beside valid tokens of the same
// algorithm: read BenchmarkHostile as ratios to its "valid" cases. make
// cost counts the same verifications' instructions; TestHostileTokens
// checks that each reaches the stage it is built for.

func hostileTokens(t testing.TB, iss *jwttest.Issuer, alg string) (toks map[string]string, large string) {
	t.Helper()
	kid := iss.KeyIDs()[0]
	sign := func(h, p []byte) (string, error) { return iss.SignRaw(kid, h, p) }
	tok := hostile.Token{Issuer: iss.URL(), Audience: audience, KeyID: kid, Alg: alg, Expiry: time.Now().Add(time.Hour).Unix()}
	toks, err := hostile.Tokens(sign, tok)
	if err != nil {
		t.Fatal(err)
	}
	if large, err = hostile.Large(sign, tok); err != nil {
		t.Fatal(err)
	}
	return toks, large
}

func BenchmarkHostile(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		iss, v, valid := benchSetup(b, alg)
		ctx := context.Background()
		toks, large := hostileTokens(b, iss, alg)
		for name, tok := range map[string]string{"valid": valid, "valid, as large": large} {
			b.Run(alg+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(ctx, tok); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		for name, tok := range toks {
			b.Run(alg+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(ctx, tok); err == nil {
						b.Fatal("accepted")
					}
				}
			})
		}
	}
}

// Each hostile token is within the size limit and is refused for its
// signature, or, with a header over its limit, as malformed, or for an
// issuer that is not configured: it reaches the stage whose cost
// BenchmarkHostile measures. The large valid token is
// accepted.
func TestHostileTokens(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		iss := newIssuer(t, jwttest.WithKeyAlgorithms(alg))
		v := warm(t, iss)
		toks, large := hostileTokens(t, iss, alg)
		if len(large) > 16<<10 || len(large) < 15<<10 {
			t.Errorf("%s: the large valid token has %d bytes, want 15–16 KiB", alg, len(large))
		} else if _, err := v.Verify(context.Background(), large); err != nil {
			t.Errorf("%s: the large valid token: %v", alg, err)
		}
		for name, tok := range toks {
			over := strings.HasPrefix(name, hostile.OverLimit)
			if len(tok) > 16<<10 || !over && len(tok) < 12<<10 {
				t.Errorf("%s: %d bytes, want 12–16 KiB", name, len(tok))
			}
			_, err := v.Verify(context.Background(), tok)
			want := reason.SignatureInvalid
			switch {
			case over:
				want = reason.TokenMalformed
			case name == "long escaped iss": // an issuer nobody configured, decoded first
				want = reason.IssuerInvalid
			}
			wantReason(t, err, want)
		}
	}
}

// Names equal but for letter case are refused in nested objects too,
// through the whole verification: Claims.Decode (Go's decoder folds case)
// and rbac (exact names) would otherwise read different roles.
func TestNestedNamesEqualButForCaseAreRefused(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	for name, c := range map[string]jwttest.ClaimsSet{
		"realm_access":    {"realm_access": map[string]any{"roles": []string{"user"}, "Roles": []string{"admin"}}},
		"resource_access": {"resource_access": map[string]any{"api": map[string]any{"roles": []string{"user"}, "ROLES": []string{"admin"}}}},
		"in an array":     {"orgs": []any{map[string]any{"id": "a", "ID": "b"}}},
	} {
		_, err := v.Verify(context.Background(), mint(t, iss, c))
		if middleware.ReasonOf(err) != reason.TokenMalformed {
			t.Errorf("%s: %v, want token_malformed", name, err)
		}
	}
	if _, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"realm_access": map[string]any{"roles": []string{"user"}}})); err != nil {
		t.Fatalf("an ordinary nested object: %v", err)
	}
}
