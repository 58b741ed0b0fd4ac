// Package nethttp protects net/http handlers with jwtguard: a
// func(http.Handler) http.Handler that verifies the request's access token,
// puts the claims in the request context, and answers rejected requests
// exactly as RFC 6750 prescribes.
//
// # Quick start
//
//	v, err := middleware.New([]middleware.Issuer{{
//		URL:       "https://id.example.com/realms/acme",
//		Audiences: []string{"orders-api"},
//	}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer v.Close()
//	mux := http.NewServeMux()
//	mux.Handle("/api/", nethttp.Protect(v)(api))
//
// Inside the handler, middleware.ClaimsFromContext(r.Context()) returns the
// verified claims.
//
// # Answers
//
//   - no credential: 401, WWW-Authenticate: Bearer realm="api"
//   - malformed request (e.g. two credentials): 400 error="invalid_request"
//   - bad token: 401 error="invalid_token" with a safe error_description
//   - valid token, policy refuses it (Require): 403 error="insufficient_scope" with scope
//   - no usable keys, or revocation state too old to decide: 503 with Retry-After
//
// Each answer has a JSON body {"error": "...", "error_description": "..."}
// and Cache-Control: no-store. Nothing of the token or of the internal cause
// is ever written.
//
// # Other routers
//
// Guard is the enforcement Protect and Require are made of: Authenticate,
// Authorize, Response and WriteError. The gin, echo and chi adapters are
// built on it, and a router without an adapter can be integrated the same
// way; the conformance suite (internal/conformance) holds them all to the
// same answers.
package nethttp
