// Package middleware is the framework-neutral core of jwtguard: it finds the
// access token in a request, verifies it against the issuer's keys, checks
// its claims, and returns typed claims or a typed error. It never writes a
// response; package nethttp and the router adapters do, through ResponseFor.
//
// # Quick start
//
//	v, err := middleware.New([]middleware.Issuer{{
//		URL:       "https://id.example.com/realms/acme", // the exact iss of your tokens
//		Audiences: []string{"orders-api"},
//	}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer v.Close()
//
//	claims, err := v.VerifyRequest(r) // or v.Verify(ctx, rawToken)
//	if err != nil {
//		resp := middleware.ResponseFor(err, "orders") // RFC 6750 status and WWW-Authenticate
//		...
//	}
//
// Keys come from the issuer's OIDC discovery document
// (/.well-known/openid-configuration), from Issuer.JWKSURL, or from static
// Issuer.Keys. Remote key sets are cached, refreshed in the background
// (every 15 minutes, or per Cache-Control max-age clamped to [1 min, 24 h]),
// refreshed on an unknown kid at most once per 30 s with concurrent requests
// sharing the fetch, and kept when a refresh fails.
//
// # Errors
//
// Every error is an *Error carrying a stable reason code (package
// middleware/reason). errors.Is matches both its category (ErrNoToken,
// ErrInvalidRequest, ErrInvalidToken, ErrInsufficientScope,
// ErrUnavailable) and its code
// (errors.Is(err, reason.TokenExpired)). ResponseFor maps any error to its
// RFC 6750 answer; the cause (Error.Err) is for logs only.
//
// # Security defaults
//
//   - The algorithm comes from the allowlist and the key, never from the
//     token: the header alg must be allowed and fit the selected key (a JWK's
//     alg, or its type and curve). "none" is never accepted; HS256/384/512
//     only with a secret configured for that issuer, never from a remote JWKS.
//   - Tokens must be compact JWS: three segments of canonical unpadded
//     base64url, UTF-8 JSON objects, at most 16 KiB (the header 8 KiB). JWE,
//     JSON serialization, crit, b64, zip and nested JWTs are refused before
//     any key lookup, and so is JSON that parsers could read differently (a
//     member name twice in one object, or twice but for letter case, at any
//     depth) or that only costs (deeper than 32 levels, wider than 10,000
//     members or elements). No token within the limits costs more than 1.8×
//     a valid token as large (make cost).
//   - jku, x5u, jwk and x5c headers are ignored: keys come only from the
//     configured issuer, and a token's iss only selects among configured
//     issuers, so nothing is ever fetched because of what a token says.
//   - RSA keys under 2048 bits, EC points off their curve and keys marked for
//     encryption are refused; secret or private keys in a JWKS raise an alarm.
//   - The signature is checked before any claim. exp is required; nbf and iat
//     are checked; the leeway is 60 s; aud must name this service; time
//     claims of the wrong JSON type are refused, not ignored.
//   - Sender-constrained tokens (cnf) are refused unless WithSenderConstraint
//     verifies their binding; WithStrictProfile enforces RFC 9068 and refuses
//     ID, refresh and logout tokens.
//   - The key cache keeps time on the monotonic clock: a wall-clock jump
//     neither expires good keys nor lifts the unknown-kid rate limit.
//   - Clients see one description for an unknown key, an unknown issuer and a
//     bad signature, so the answer is no oracle.
//   - Discovery and JWKS fetches need https (loopback excepted), are bounded
//     in time (10 s) and size (1 MiB), follow no cross-origin redirect, and
//     never make a request wait more than 2 s.
package middleware
