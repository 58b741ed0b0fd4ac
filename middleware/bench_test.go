package middleware_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Benchmarks compare the full verification with the raw signature check
// (the floor) for the same token, in one run: read them as ratios.

// benchSetup builds a verifier without the verified-token cache (each
// iteration pays the whole verification) unless opts turn it back on.
func benchSetup(b *testing.B, alg string, opts ...middleware.Option) (*jwttest.Issuer, *middleware.Verifier, string) {
	b.Helper()
	iss := newIssuer(b, jwttest.WithKeyAlgorithms(alg))
	v := warm(b, iss, append([]middleware.Option{middleware.WithTokenCache(0, 0)}, opts...)...)
	tok := mint(b, iss, jwttest.ClaimsSet{"sub": "alice", "scope": "items:read items:write"}, jwttest.WithAlg(alg))
	return iss, v, tok
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		b.Run(alg+"/floor", func(b *testing.B) {
			iss, _, tok := benchSetup(b, alg)
			verify, err := floor.New(alg, iss.PublicKey(iss.KeyIDs()[0]), tok)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if !verify() {
					b.Fatal("floor verification failed")
				}
			}
		})
		b.Run(alg+"/verifier", func(b *testing.B) {
			_, v, tok := benchSetup(b, alg)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(alg+"/cache hit", func(b *testing.B) {
			_, v, tok := benchSetup(b, alg, middleware.WithTokenCache(10_000, 16<<20))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReject measures answers that must come before any crypto. The
// two "signature too short" cases are refused just before the public-key
// operation, their payloads' JSON unread (their bytes name the issuer as
// encoders write it): the second's Keycloak-sized claims (roles, client
// roles, groups) add the base64 decoding of their bytes, not a scan.
func BenchmarkReject(b *testing.B) {
	iss, v, _ := benchSetup(b, "RS256")
	ctx := context.Background()
	short := func(tok string) string { // the signature one byte short
		seg := segments(tok)
		sig := mustDecode(b, seg[2])
		return seg[0] + "." + seg[1] + "." + base64.RawURLEncoding.EncodeToString(sig[:len(sig)-1])
	}
	roles := func(prefix string, n int) []string {
		var r []string
		for i := range n {
			r = append(r, fmt.Sprintf("%s-%02d", prefix, i))
		}
		return r
	}
	keycloak := jwttest.ClaimsSet{"sub": "alice", "scope": "openid profile email items:read items:write",
		"realm_access": map[string]any{"roles": roles("realm-role", 20)},
		"resource_access": map[string]any{"api": map[string]any{"roles": roles("api-role", 10)},
			"account": map[string]any{"roles": roles("account-role", 10)}},
		"groups": roles("/group", 10), "preferred_username": "alice", "email": "alice@example.com"}
	cases := map[string]string{
		"garbage":             "not-a-token",
		"oversized":           strings.Repeat("a", 20<<10),
		"alg not allowed":     mint(b, iss, nil, jwttest.WithHeader("alg", "none")),
		"unknown issuer":      mint(b, iss, jwttest.ClaimsSet{"iss": "https://other.example"}),
		"unknown kid":         mint(b, iss, nil, jwttest.WithHeader("kid", "ghost")),
		"signature too short": short(mint(b, iss, jwttest.ClaimsSet{"sub": "alice", "scope": "items:read items:write"})),
		"signature too short, Keycloak-sized claims": short(mint(b, iss, keycloak)),
	}
	_, _ = v.Verify(ctx, cases["unknown kid"]) // spend the refresh; the rest is rejected from memory
	for name, t := range cases {
		if _, err := v.Verify(ctx, t); strings.HasPrefix(name, "signature") {
			wantReason(b, err, reason.SignatureInvalid)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, t); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
