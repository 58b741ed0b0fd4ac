package middleware_test

import (
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Transport (C19, C20, RFC 6750 §2): one credential per request, from the
// configured places only.
func TestAttackTransport(t *testing.T) {
	t.Parallel()
	tg := newTarget(t) // Authorization header and cookie access_token; no query
	good, other := tg.valid(), mint(t, tg.iss, nil)
	set := func(h ...string) func(*http.Request) {
		return func(r *http.Request) {
			for i := 0; i+1 < len(h); i += 2 {
				r.Header.Add(h[i], h[i+1])
			}
		}
	}
	query := func(q string, h ...string) func(*http.Request) {
		return func(r *http.Request) {
			r.URL.RawQuery = q
			set(h...)(r)
		}
	}
	tg.run([]attack{
		{name: "a header and a cookie", prepare: set("Authorization", "Bearer "+good, "Cookie", "access_token="+other),
			want: ansMultiple, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "the same token in header and cookie", prepare: set("Authorization", "Bearer "+good, "Cookie", "access_token="+good),
			want: ansMultiple, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "two Authorization headers", prepare: set("Authorization", "Bearer "+good, "Authorization", "Bearer "+other),
			want: ansTwoHeaders, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "two token cookies", prepare: set("Cookie", "access_token="+good+"; access_token="+other),
			want: answer{400, "invalid_request", "More than one token cookie"}, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "?access_token= is ignored unless enabled", prepare: query("access_token=" + good),
			want: ansNoToken, reason: reason.TokenMissing, noKeyFetch: true},
		{name: "?access_token= beside a header is still ignored", prepare: query("access_token="+other, "Authorization", "Bearer "+good),
			want: ansOK, noKeyFetch: true},
		{name: "a Basic credential is no bearer token", prepare: set("Authorization", "Basic YWxpY2U6c2VjcmV0"),
			want: ansNoToken, reason: reason.TokenMissing, noKeyFetch: true},
		{name: "the scheme in any letter case", prepare: set("Authorization", "bEaReR "+good), want: ansOK, noKeyFetch: true},
		{name: "Bearer with no token", prepare: set("Authorization", "Bearer "),
			want: ansBadBearer, reason: reason.RequestMalformed, noKeyFetch: true},
		{name: "Bearer with two tokens", prepare: set("Authorization", "Bearer "+good+" "+other),
			want: ansBadBearer, reason: reason.RequestMalformed, noKeyFetch: true},
		{name: "a token in a header nobody configured", prepare: set("X-Access-Token", good),
			want: ansNoToken, reason: reason.TokenMissing, noKeyFetch: true},
		{name: "a malformed token in the cookie", prepare: set("Cookie", "access_token=abc.def.ghi"),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "a cookie value that is no token", prepare: set("Cookie", `access_token="{x}"`),
			want: answer{400, "invalid_request", "The token cookie is not a valid token"}, reason: reason.RequestMalformed, noKeyFetch: true},
	})

	withQuery := newTarget(t, middleware.WithTokenSources(middleware.FromAuthorizationHeader(), middleware.FromQuery("access_token")))
	good = withQuery.valid()
	withQuery.run([]attack{
		{name: "?access_token= when enabled", prepare: query("access_token=" + good), want: ansOK, noKeyFetch: true},
		{name: "?access_token= and a header when enabled", prepare: query("access_token="+good, "Authorization", "Bearer "+good),
			want: ansMultiple, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "?access_token= twice", prepare: query("access_token=" + good + "&access_token=" + good),
			want: answer{400, "invalid_request", "More than one token query parameter"}, reason: reason.MultipleTokens, noKeyFetch: true},
		{name: "another parameter is not read", prepare: query("token=" + good),
			want: ansNoToken, reason: reason.TokenMissing, noKeyFetch: true},
	})
}
