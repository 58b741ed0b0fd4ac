package conformance

import (
	"net/http"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
)

// The exact challenges and bodies of the table.
const (
	challengeNoToken = `Bearer realm="conformance"`
	bodyNoToken      = `{"error":"unauthorized","error_description":"An access token is required"}` + "\n"

	challengeInvalid = `Bearer realm="conformance", error="invalid_token", error_description="The access token is invalid"`
	bodyInvalid      = `{"error":"invalid_token","error_description":"The access token is invalid"}` + "\n"

	challengeMalformed = `Bearer realm="conformance", error="invalid_token", error_description="The access token is malformed"`
	bodyMalformed      = `{"error":"invalid_token","error_description":"The access token is malformed"}` + "\n"

	challengeForbidden = `Bearer realm="conformance", error="insufficient_scope", error_description="The access token does not grant the required access"`
	bodyForbidden      = `{"error":"insufficient_scope","error_description":"The access token does not grant the required access"}` + "\n"
)

func header(name, value string) func(testing.TB, *Env, *http.Request) {
	return func(_ testing.TB, _ *Env, r *http.Request) { r.Header.Add(name, value) }
}

func withToken(claims jwttest.ClaimsSet, opts ...jwttest.MintOption) func(testing.TB, *Env, *http.Request) {
	return func(t testing.TB, e *Env, r *http.Request) {
		r.Header.Set("Authorization", bearer(e.Mint(t, claims, opts...)))
	}
}

func preflight(r *http.Request) {
	r.Header.Set("Origin", "https://app.example")
	r.Header.Set("Access-Control-Request-Method", "GET")
}

// tamper changes one character in the middle of the signature, keeping the
// encoding canonical, so that only the signature check can fail.
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) - 20
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// Cases is the table. Adding a case here adds it for every stack.
func Cases() []Case {
	hour := time.Hour
	now := time.Now()
	invalid := Want{Status: 401, WWWAuthenticate: challengeInvalid, Body: bodyInvalid}
	return []Case{
		{
			Name: "no token is 401 with a bare challenge", Method: "GET", Path: "/me",
			Want: Want{Status: 401, WWWAuthenticate: challengeNoToken, Body: bodyNoToken},
		},
		{
			Name: "a malformed Authorization header is 401 invalid_token", Method: "GET", Path: "/me",
			Prepare: header("Authorization", "Bearer not-a-jwt"),
			Want:    Want{Status: 401, WWWAuthenticate: challengeMalformed, Body: bodyMalformed},
		},
		{
			Name: "a Bearer scheme without a token is 400 invalid_request", Method: "GET", Path: "/me",
			Prepare: header("Authorization", "Bearer "),
			Want: Want{Status: 400,
				WWWAuthenticate: `Bearer realm="conformance", error="invalid_request", error_description="The Authorization header is not a valid Bearer credential"`,
				Body:            `{"error":"invalid_request","error_description":"The Authorization header is not a valid Bearer credential"}` + "\n"},
		},
		{
			Name: "two credentials in one request are 400 invalid_request", Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(e.Mint(t, nil)))
				r.AddCookie(&http.Cookie{Name: "access_token", Value: e.Mint(t, jwttest.ClaimsSet{"jti": "other"})})
			},
			Want: Want{Status: 400,
				WWWAuthenticate: `Bearer realm="conformance", error="invalid_request", error_description="More than one method was used to send an access token"`,
				Body:            `{"error":"invalid_request","error_description":"More than one method was used to send an access token"}` + "\n"},
		},
		{
			Name: "an expired token is 401 invalid_token", Method: "GET", Path: "/me",
			Prepare: withToken(jwttest.ClaimsSet{"iat": now.Add(-2 * hour).Unix(), "exp": now.Add(-hour).Unix()}),
			Want: Want{Status: 401,
				WWWAuthenticate: `Bearer realm="conformance", error="invalid_token", error_description="The access token expired"`,
				Body:            `{"error":"invalid_token","error_description":"The access token expired"}` + "\n"},
		},
		{
			Name: "a token not yet valid is 401 invalid_token", Method: "GET", Path: "/me",
			Prepare: withToken(jwttest.ClaimsSet{"nbf": now.Add(hour).Unix()}),
			Want: Want{Status: 401,
				WWWAuthenticate: `Bearer realm="conformance", error="invalid_token", error_description="The access token is not valid yet"`,
				Body:            `{"error":"invalid_token","error_description":"The access token is not valid yet"}` + "\n"},
		},
		{
			Name: "a bad signature is 401 invalid_token", Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(tamper(e.Mint(t, nil))))
			},
			Want: invalid,
		},
		{
			Name: "an unknown kid answers as a bad signature does", Method: "GET", Path: "/me",
			Prepare: withToken(nil, jwttest.WithHeader("kid", "unknown-kid")),
			Want:    invalid,
		},
		{
			Name: "a token of an untrusted issuer answers as a bad signature does", Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(e.Other.MustMint(jwttest.ClaimsSet{"sub": "alice"})))
			},
			Want: invalid,
		},
		{
			Name: "a wrong audience is 401 invalid_token", Method: "GET", Path: "/me",
			Prepare: withToken(jwttest.ClaimsSet{"aud": "another-api"}),
			Want: Want{Status: 401,
				WWWAuthenticate: `Bearer realm="conformance", error="invalid_token", error_description="The access token is not intended for this resource"`,
				Body:            `{"error":"invalid_token","error_description":"The access token is not intended for this resource"}` + "\n"},
		},
		{
			Name: "keys that cannot be fetched are 503 with Retry-After", Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(e.Failing.MustMint(jwttest.ClaimsSet{"sub": "alice"})))
			},
			Want: Want{Status: 503, RetryAfter: "30",
				Body: `{"error":"temporarily_unavailable","error_description":"The access token cannot be verified right now"}` + "\n"},
		},
		{
			Name: "a valid token reaches the handler with its claims", Method: "GET", Path: "/me",
			Prepare: withToken(nil),
			Want:    Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "a valid token in the cookie reaches the handler", Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.AddCookie(&http.Cookie{Name: "access_token", Value: e.Mint(t, nil)})
			},
			Want: Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "anonymous mode lets a request without credentials through", Mode: Anonymous, Method: "GET", Path: "/me",
			Want: Want{Status: 200, Body: "anonymous"},
		},
		{
			Name: "anonymous mode still rejects a bad token", Mode: Anonymous, Method: "GET", Path: "/me",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(tamper(e.Mint(t, nil))))
			},
			Want: invalid,
		},
		{
			Name: "anonymous mode still authenticates a valid token", Mode: Anonymous, Method: "GET", Path: "/me",
			Prepare: withToken(nil),
			Want:    Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "anonymous requests get 401 from a route with a policy", Mode: Anonymous, Method: "GET", Path: "/items",
			Want: Want{Status: 401, WWWAuthenticate: challengeNoToken, Body: bodyNoToken},
		},
		{
			Name: "a CORS preflight passes unauthenticated when enabled", Mode: Preflight, Method: "OPTIONS", Path: "/items",
			Prepare: func(_ testing.TB, _ *Env, r *http.Request) { preflight(r) },
			Want:    Want{Status: 200, Body: "anonymous"},
		},
		{
			Name: "a CORS preflight needs a token by default", Method: "OPTIONS", Path: "/items",
			Prepare: func(_ testing.TB, _ *Env, r *http.Request) { preflight(r) },
			Want:    Want{Status: 401, WWWAuthenticate: challengeNoToken, Body: bodyNoToken},
		},
		{
			Name: "an OPTIONS request that is no preflight needs a token", Mode: Preflight, Method: "OPTIONS", Path: "/items",
			Want: Want{Status: 401, WWWAuthenticate: challengeNoToken, Body: bodyNoToken},
		},
		{
			Name: "the required scope lets the request through", Method: "GET", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"scope": "openid items:read"}),
			Want:    Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "a missing scope is 403 naming the scope", Method: "GET", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"scope": "items:write"}),
			Want: Want{Status: 403,
				WWWAuthenticate: challengeForbidden + `, scope="items:read"`, Body: bodyForbidden},
		},
		{
			Name: "a role named like the scope is no scope", Method: "GET", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"roles": []string{"items:read"}}),
			Want: Want{Status: 403,
				WWWAuthenticate: challengeForbidden + `, scope="items:read"`, Body: bodyForbidden},
		},
		{
			Name: "the required role lets the request through", Method: "DELETE", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"roles": []string{"admin"}}),
			Want:    Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "a missing role is 403 without a scope attribute", Method: "DELETE", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"roles": []string{"editor"}, "scope": "items:read items:write"}),
			Want:    Want{Status: 403, WWWAuthenticate: challengeForbidden, Body: bodyForbidden},
		},
		{
			Name: "a role implied through the hierarchy satisfies the policy", Method: "POST", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"roles": []string{"admin"}, "scope": "items:write"}),
			Want:    Want{Status: 200, Body: "hello alice"},
		},
		{
			Name: "a role below the required one in the hierarchy does not", Method: "POST", Path: "/items",
			Prepare: withToken(jwttest.ClaimsSet{"roles": []string{"viewer"}, "scope": "items:write"}),
			Want: Want{Status: 403,
				WWWAuthenticate: challengeForbidden + `, scope="items:write"`, Body: bodyForbidden},
		},
		{
			Name: "an invalid token never reaches the policy", Method: "DELETE", Path: "/items",
			Prepare: func(t testing.TB, e *Env, r *http.Request) {
				r.Header.Set("Authorization", bearer(tamper(e.Mint(t, jwttest.ClaimsSet{"roles": []string{"admin"}}))))
			},
			Want: invalid,
		},
	}
}
