package middleware

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// FuzzExtract: whatever the Authorization header, cookies, custom header and
// query say, extraction never panics, returns a well-formed bearer token
// found verbatim in the request, or a request-category error.
func FuzzExtract(f *testing.F) {
	f.Add("Bearer abc.def.ghi", "", "", "")
	f.Add("bearer  abc", "access_token=x.y.z", "", "")
	f.Add("Basic dXNlcjpwYXNz", "", "tok", "access_token=a")
	f.Add("Bearer a b", "access_token=1; access_token=2", "", "access_token=a&access_token=b")
	f.Add("Bearer ====", "", "", "")
	f.Add("Bearer\x00x", "access_token=\"x\"", "x y", "%zz")
	sources := []TokenSource{FromAuthorizationHeader(), FromCookie("access_token"), FromHeader("X-Token"), FromQuery("access_token")}
	f.Fuzz(func(t *testing.T, auth, cookie, custom, query string) {
		r := &http.Request{Method: "GET", Header: http.Header{}, URL: &url.URL{Path: "/", RawQuery: query}}
		for _, kv := range []struct{ k, v string }{{"Authorization", auth}, {"Cookie", cookie}, {"X-Token", custom}} {
			if kv.v != "" {
				r.Header.Set(kv.k, kv.v)
			}
		}
		tok, err := extract(r, sources)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T", err)
			}
			switch e.Reason {
			case reason.TokenMissing, reason.RequestMalformed, reason.MultipleTokens:
			default:
				t.Fatalf("reason %s from extraction", e.Reason)
			}
			return
		}
		if !isB64Token(tok) {
			t.Fatalf("token %q is no b64token", tok)
		}
		if !strings.Contains(auth, tok) && !strings.Contains(cookie, tok) && !strings.Contains(custom, tok) {
			q, _ := url.QueryUnescape(query)
			if !strings.Contains(q, tok) && !strings.Contains(query, tok) {
				t.Fatalf("token %q is not in the request", tok)
			}
		}
	})
}

// FuzzDiscovery: a discovery document never panics the parser, and one
// that passes names the configured issuer and an acceptable jwks_uri.
func FuzzDiscovery(f *testing.F) {
	const issuer = "https://id.example.com/realms/acme"
	f.Add([]byte(`{"issuer":"https://id.example.com/realms/acme","jwks_uri":"https://id.example.com/realms/acme/certs"}`))
	f.Add([]byte(`{"issuer":"https://id.example.com/realms/acme/","jwks_uri":"https://id.example.com/certs"}`))
	f.Add([]byte(`{"issuer":"https://id.example.com/realms/acme","jwks_uri":"http://evil.example/certs"}`))
	f.Add([]byte(`{"issuer":"https://id.example.com/realms/acme","jwks_uri":"http://127.0.0.1:1/certs"}`))
	f.Add([]byte(`<html>login</html>`))
	f.Add([]byte(`{"issuer":"https://id.example.com/realms/acme","jwks_uri":"file:///etc/passwd"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := parseDiscovery(body, issuer+"/.well-known/openid-configuration", issuer, false, false)
		if err != nil {
			if strings.Contains(err.Error(), string(body)) && len(body) > 200 {
				t.Fatal("the error quotes the whole body")
			}
			return
		}
		if err := checkKeyURL(u, false); err != nil {
			t.Fatalf("accepted jwks_uri %q: %v", u, err)
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			t.Fatalf("accepted jwks_uri %q", u)
		}
	})
}

// extract is locate with the b64token check of the token found done at
// once: the answer VerifyRequest gives for a request whose token does not
// verify.
func extract(r *http.Request, sources []TokenSource) (string, error) {
	tok, from, err := locate(r, sources, noCredential(sources))
	if err == nil && !isB64Token(tok) {
		return "", from.malformed()
	}
	return tok, err
}
