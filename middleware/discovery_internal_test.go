package middleware

import (
	"strings"
	"testing"
)

// J17: a discovered jwks_uri is https unless the issuer itself is an http
// (loopback) URL, and on the issuer's origin when RemoteKeys.SameOriginJWKS asks.
func TestDiscoveredKeyURLsFollowTheIssuersScheme(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, issuer, jwks string
		sameOrigin         bool
		refused            string // part of the error; "" accepted
	}{
		{"https issuer, loopback http keys", "https://id.example.com", "http://127.0.0.1:8080/certs", false, "http for an https issuer"},
		{"loopback http issuer, loopback http keys", "http://127.0.0.1:9000", "http://127.0.0.1:9000/certs", false, ""},
		{"https issuer, keys on another https host", "https://accounts.example.com", "https://keys.example.net/certs", false, ""},
		{"same origin required, another host", "https://accounts.example.com", "https://keys.example.net/certs", true, "not on the issuer's origin"},
		{"same origin required, another port", "https://id.example.com", "https://id.example.com:8443/certs", true, "not on the issuer's origin"},
		{"same origin required, case and default port", "https://id.example.com/realms/a", "https://ID.example.com:443/realms/a/certs", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"issuer":"` + tc.issuer + `","jwks_uri":"` + tc.jwks + `"}`
			u, err := parseDiscovery([]byte(body), tc.issuer+"/.well-known/openid-configuration", tc.issuer, false, tc.sameOrigin)
			switch {
			case tc.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refused == "" && u != tc.jwks:
				t.Fatalf("jwks_uri %q", u)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Fatalf("got %q, %v; want an error with %q", u, err, tc.refused)
			}
		})
	}
}
