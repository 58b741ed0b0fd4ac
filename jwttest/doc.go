// Package jwttest runs an OpenID Connect issuer in-process, on loopback, for
// tests and local development — what net/http/httptest is to HTTP servers.
//
// An Issuer serves a discovery document, a JWKS and a client_credentials
// token endpoint; it mints tokens for RS256, RS384, RS512, PS256, PS384,
// PS512, ES256, ES384, ES512, EdDSA and HS256; it rotates keys (AddKey,
// RemoveKey); and its key endpoints can be made to fail (SetFault) so that
// cache behaviour can be tested. It counts the requests it receives, so tests
// can assert how often keys were fetched.
//
// # Quick start
//
//	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer iss.Close()
//	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}})
//	...
//	tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read"})
//
// # Security
//
// The token endpoint issues a token to any client that asks. An Issuer
// listens on 127.0.0.1 by default; never expose it beyond loopback.
package jwttest
