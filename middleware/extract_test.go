package middleware_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

func TestTokenSources(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	tok := mint(t, iss, nil)
	all := middleware.WithTokenSources(
		middleware.FromAuthorizationHeader(),
		middleware.FromCookie("access_token"),
		middleware.FromHeader("X-Access-Token"),
		middleware.FromQuery("access_token"),
	)
	type req func(r *http.Request)
	bearer := func(v string) req { return func(r *http.Request) { r.Header.Add("Authorization", v) } }
	cookie := func(v string) req { return func(r *http.Request) { r.Header.Add("Cookie", "access_token="+v) } }
	custom := func(v string) req { return func(r *http.Request) { r.Header.Add("X-Access-Token", v) } }
	query := func(v string) req {
		return func(r *http.Request) {
			q := r.URL.Query()
			q.Add("access_token", v)
			r.URL.RawQuery = q.Encode()
		}
	}
	cases := []struct {
		name string
		opts []middleware.Option
		req  []req
		want reason.Code
	}{
		{"no credential at all", []middleware.Option{all}, nil, reason.TokenMissing},
		{"a Bearer header", nil, []req{bearer("Bearer " + tok)}, ""},
		{"a bearer header in lower case", nil, []req{bearer("bearer " + tok)}, ""},
		{"a BEARER header in upper case", nil, []req{bearer("BEARER " + tok)}, ""},
		{"several spaces after the scheme", nil, []req{bearer("Bearer   " + tok)}, ""},
		{"a Basic header is no bearer credential", nil, []req{bearer("Basic dXNlcjpwYXNz")}, reason.TokenMissing},
		{"Bearer without a token", nil, []req{bearer("Bearer")}, reason.RequestMalformed},
		{"Bearer with a space only", nil, []req{bearer("Bearer ")}, reason.RequestMalformed},
		{"Bearer with a comma in the token", nil, []req{bearer("Bearer a,b")}, reason.RequestMalformed},
		{"Bearer with a quoted token", nil, []req{bearer(`Bearer "` + tok + `"`)}, reason.RequestMalformed},
		{"a token that is not a JWT", nil, []req{bearer("Bearer opaque-token")}, reason.TokenMalformed},
		{"two Authorization headers", nil, []req{bearer("Bearer " + tok), bearer("Bearer " + tok)}, reason.MultipleTokens},
		{"a cookie", []middleware.Option{all}, []req{cookie(tok)}, ""},
		{"two cookies of the name", []middleware.Option{all}, []req{cookie(tok), cookie(tok)}, reason.MultipleTokens},
		{"a malformed cookie", []middleware.Option{all}, []req{cookie("a%20b")}, reason.RequestMalformed},
		{"a cookie is ignored unless configured", nil, []req{cookie(tok)}, reason.TokenMissing},
		{"a custom header", []middleware.Option{all}, []req{custom(tok)}, ""},
		{"a custom header with a Bearer prefix", []middleware.Option{all}, []req{custom("Bearer " + tok)}, ""},
		{"two custom headers", []middleware.Option{all}, []req{custom(tok), custom(tok)}, reason.MultipleTokens},
		{"a query parameter when enabled", []middleware.Option{all}, []req{query(tok)}, ""},
		{"a query parameter is ignored unless enabled", nil, []req{query(tok)}, reason.TokenMissing},
		{"two query parameters", []middleware.Option{all}, []req{query(tok), query(tok)}, reason.MultipleTokens},
		{"header and cookie together", []middleware.Option{all}, []req{bearer("Bearer " + tok), cookie(tok)}, reason.MultipleTokens},
		{"header and query together", []middleware.Option{all}, []req{bearer("Bearer " + tok), query(tok)}, reason.MultipleTokens},
		{"cookie and custom header together", []middleware.Option{all}, []req{cookie(tok), custom(tok)}, reason.MultipleTokens},
		{"a Basic header beside a cookie uses the cookie", []middleware.Option{all}, []req{bearer("Basic dXNlcjpwYXNz"), cookie(tok)}, ""},
		// The b64token syntax is checked only once verification has failed;
		// the answers must be those of checking it first.
		{"a valid token with a character outside b64token", nil, []req{bearer("Bearer " + tok + "!")}, reason.RequestMalformed},
		{"a valid token with b64token padding is a malformed JWT", nil, []req{bearer("Bearer " + tok + "==")}, reason.TokenMalformed},
		{"a custom header outside b64token", []middleware.Option{all}, []req{custom(tok + " x")}, reason.RequestMalformed},
		{"a query parameter outside b64token", []middleware.Option{all}, []req{query(tok + "$")}, reason.RequestMalformed},
		{"a malformed header beside a cookie", []middleware.Option{all}, []req{bearer("Bearer a,b"), cookie(tok)}, reason.RequestMalformed},
		{"a header beside a malformed cookie", []middleware.Option{all}, []req{bearer("Bearer " + tok), cookie("a%20b")}, reason.RequestMalformed},
		{"a malformed header beside two cookies", []middleware.Option{all}, []req{bearer("Bearer a,b"), cookie(tok), cookie(tok)}, reason.RequestMalformed},
		{"a header beside two cookies", []middleware.Option{all}, []req{bearer("Bearer " + tok), cookie(tok), cookie(tok)}, reason.MultipleTokens},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := warm(t, iss, tc.opts...) // keys fetched before: this test is about extraction
			r := httptest.NewRequest(http.MethodGet, "http://api.test/items", nil)
			for _, f := range tc.req {
				f(r)
			}
			c, err := v.VerifyRequest(r)
			wantReason(t, err, tc.want)
			if tc.want == "" && c.Subject != "" {
				t.Fatalf("unexpected subject %q", c.Subject)
			}
		})
	}
}

func TestQueryTokenIsReadOnlyFromTheNamedParameter(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss, middleware.WithTokenSources(middleware.FromQuery("token")))
	r := httptest.NewRequest(http.MethodGet, "http://api.test/ws?access_token="+url.QueryEscape(mint(t, iss, nil)), nil)
	_, err := v.VerifyRequest(r)
	wantReason(t, err, reason.TokenMissing)
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	ok := middleware.Issuer{URL: iss.URL(), Audiences: []string{audience}}
	cases := map[string]struct {
		issuers []middleware.Issuer
		opts    []middleware.Option
	}{
		"no issuer":                    {nil, nil},
		"no audience":                  {[]middleware.Issuer{{URL: iss.URL()}}, nil},
		"an empty audience":            {[]middleware.Issuer{{URL: iss.URL(), Audiences: []string{""}}}, nil},
		"skipping aud without clients": {[]middleware.Issuer{{URL: iss.URL(), SkipAudienceCheck: true}}, nil},
		"an issuer twice":              {[]middleware.Issuer{ok, ok}, nil},
		"an empty issuer URL":          {[]middleware.Issuer{{Audiences: []string{audience}}}, nil},
		"the discovery document's URL": {[]middleware.Issuer{{URL: "https://id.example.com/.well-known/openid-configuration", Audiences: []string{audience}}}, nil},
		"an http issuer off loopback":  {[]middleware.Issuer{{URL: "http://idp.example.com", Audiences: []string{audience}}}, nil},
		"an http JWKS off loopback": {[]middleware.Issuer{{URL: "https://idp.example.com", JWKSURL: "http://idp.example.com/jwks",
			Audiences: []string{audience}}}, nil},
		"a relative JWKS URL": {[]middleware.Issuer{{URL: "https://idp.example.com", JWKSURL: "/jwks", Audiences: []string{audience}}}, nil},
		"a negative leeway":   {[]middleware.Issuer{ok}, []middleware.Option{middleware.WithLeeway(-1)}},
		"an hour of leeway":   {[]middleware.Issuer{ok}, []middleware.Option{middleware.WithLeeway(3600e9)}},
		"no token source":     {[]middleware.Issuer{ok}, []middleware.Option{middleware.WithTokenSources()}},
		"a zero token size":   {[]middleware.Issuer{ok}, []middleware.Option{middleware.WithMaxTokenSize(0)}},
		"inverted refresh bounds": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{MinRefresh: 3600e9, MaxRefresh: 60e9})}},
		"a max refresh below the default min": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{MaxRefresh: time.Second})}},
		"a negative refresh interval": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{RefreshInterval: -1})}},
		"a negative unknown-key interval": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{UnknownKeyRefreshInterval: -1})}},
		"a negative fetch timeout": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{FetchTimeout: -1})}},
		"a negative wait": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{MaxWait: -1})}},
		"a negative staleness": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: -1})}},
		"a negative response size": {[]middleware.Issuer{ok}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{MaxResponseSize: -1})}},
		// A later WithRemoteKeys keeps what an earlier one set: the
		// start-up fetch of an unreachable key set still fails New.
		"a start-up fetch kept by a later WithRemoteKeys": {[]middleware.Issuer{{URL: "https://idp.example.com",
			JWKSURL: "http://127.0.0.1:1/jwks", Audiences: []string{audience}}}, []middleware.Option{
			middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}),
			middleware.WithRemoteKeys(middleware.RemoteKeys{FetchTimeout: time.Second})}},
	}
	// What the refusal must say, where other mistakes could fail New too.
	says := map[string]string{
		"inverted refresh bounds": "RemoteKeys", "a max refresh below the default min": "RemoteKeys",
		"a negative refresh interval": "RemoteKeys", "a negative unknown-key interval": "RemoteKeys",
		"a negative fetch timeout": "RemoteKeys", "a negative wait": "RemoteKeys", "a negative staleness": "RemoteKeys",
		"a negative response size":     "RemoteKeys.MaxResponseSize",
		"the discovery document's URL": `the document's "issuer" member exactly`, "a start-up fetch kept by a later WithRemoteKeys": "127.0.0.1:1",
	}
	for name := range says {
		if _, ok := cases[name]; !ok {
			t.Fatalf("says names no case: %q", name)
		}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := middleware.New(tc.issuers, tc.opts...)
			if err == nil {
				_ = v.Close()
				t.Fatal("accepted")
			}
			if want := says[name]; !strings.Contains(err.Error(), want) {
				t.Fatalf("refused with %q, which does not say %q", err, want)
			}
		})
	}
	// The client cannot dial: the background fetch must not leave loopback.
	noNet := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no network in tests")
	}}}
	v, err := middleware.New([]middleware.Issuer{{URL: "http://idp.example.com", Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{InsecureHTTP: true, HTTPClient: noNet}), quiet)
	if err != nil {
		t.Fatalf("RemoteKeys.InsecureHTTP did not allow http: %v", err)
	}
	_ = v.Close()
}
