package middleware

import (
	"errors"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// A TokenSource is a place in a request where an access token may be.
// Build one with FromAuthorizationHeader, FromCookie, FromHeader or FromQuery.
type TokenSource interface {
	// extract returns the token, whether this source carries a credential
	// at all, and an error when it carries more than one. It leaves the
	// token's syntax to malformed.
	extract(r *http.Request) (token string, found bool, err error)
	// malformed is the error for a token of this source that is not a
	// b64token (RFC 6750 §2.1).
	malformed() *Error
	name() string
}

// FromAuthorizationHeader reads "Authorization: Bearer <token>" (RFC 6750
// §2.1). The scheme is case-insensitive. Another scheme (Basic, DPoP, …)
// counts as no bearer credential; a Bearer header without a well-formed
// token, or two Authorization headers, is invalid_request.
func FromAuthorizationHeader() TokenSource { return authHeader{} }

// FromCookie reads the token from the cookie with this name. Two cookies of
// that name are invalid_request.
func FromCookie(name string) TokenSource { return cookieSource(name) }

// FromHeader reads the token from a custom header (e.g. "X-Access-Token"),
// with or without a "Bearer " prefix. Two such headers are invalid_request.
func FromHeader(name string) TokenSource {
	return headerSource(textproto.CanonicalMIMEHeaderKey(name))
}

// FromQuery reads the token from a URL query parameter, usually
// "access_token" (RFC 6750 §2.3). Tokens in URLs end up in logs, caches and
// Referer headers: use it only where no header can be sent (e.g. WebSocket
// or EventSource), never as the default.
func FromQuery(param string) TokenSource { return querySource(param) }

type authHeader struct{}

func (authHeader) name() string { return "authorization header" }

func (authHeader) extract(r *http.Request) (string, bool, error) {
	vals := r.Header["Authorization"] // the canonical key: no canonicalization per request
	if len(vals) == 0 {
		return "", false, nil
	}
	if len(vals) > 1 {
		return "", true, requestErr(reason.MultipleTokens, "More than one Authorization header")
	}
	v := vals[0]
	scheme, rest, _ := strings.Cut(v, " ")
	if scheme != "Bearer" && !strings.EqualFold(scheme, "Bearer") {
		// Another authentication scheme: no bearer credential here.
		return "", false, nil
	}
	return strings.TrimLeft(rest, " "), true, nil
}

func (authHeader) malformed() *Error {
	return requestErr(reason.RequestMalformed, "The Authorization header is not a valid Bearer credential")
}

type cookieSource string

func (c cookieSource) name() string { return "cookie " + string(c) }

func (c cookieSource) extract(r *http.Request) (string, bool, error) {
	if r.Header.Get("Cookie") == "" {
		return "", false, nil
	}
	cookies := r.CookiesNamed(string(c))
	switch len(cookies) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", true, requestErr(reason.MultipleTokens, "More than one token cookie")
	}
	return cookies[0].Value, true, nil
}

func (cookieSource) malformed() *Error {
	return requestErr(reason.RequestMalformed, "The token cookie is not a valid token")
}

type headerSource string

func (h headerSource) name() string { return "header " + string(h) }

func (h headerSource) extract(r *http.Request) (string, bool, error) {
	vals := r.Header[string(h)]
	if len(vals) == 0 {
		return "", false, nil
	}
	if len(vals) > 1 {
		return "", true, requestErr(reason.MultipleTokens, "More than one token header")
	}
	tok := vals[0]
	if scheme, rest, ok := strings.Cut(tok, " "); ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimLeft(rest, " ")
	}
	return tok, true, nil
}

func (headerSource) malformed() *Error {
	return requestErr(reason.RequestMalformed, "The token header is not a valid token")
}

type querySource string

func (q querySource) name() string { return "query " + string(q) }

func (q querySource) extract(r *http.Request) (string, bool, error) {
	if r.URL == nil || r.URL.RawQuery == "" {
		return "", false, nil
	}
	vals, ok := r.URL.Query()[string(q)]
	if !ok {
		return "", false, nil
	}
	if len(vals) > 1 {
		return "", true, requestErr(reason.MultipleTokens, "More than one token query parameter")
	}
	return vals[0], true, nil
}

func (querySource) malformed() *Error {
	return requestErr(reason.RequestMalformed, "The token query parameter is not a valid token")
}

// locate applies every source. Exactly one credential is required: none is
// ErrNoToken (with missing, built once per Verifier, as its cause), more than one is invalid_request (RFC 6750 §2). The one token
// found is not checked against the b64token syntax: the verifier's strict
// parsing refuses any token that is not one, so VerifyRequest checks the
// syntax only when verification fails, and the answer is the same as if it
// had checked first. Where a second source ends the search, the first
// token's syntax is checked before moving on, as a check-first extraction
// would have done.
func locate(r *http.Request, sources []TokenSource, missing error) (string, TokenSource, error) {
	var tok string
	var from TokenSource
	for _, s := range sources {
		t, found, err := s.extract(r)
		if (err != nil || found) && from != nil && !isB64Token(tok) {
			return "", nil, from.malformed()
		}
		if err != nil {
			return "", nil, err
		}
		if !found {
			continue
		}
		if from != nil {
			if !isB64Token(t) {
				return "", nil, s.malformed()
			}
			return "", nil, requestErr(reason.MultipleTokens, "More than one method was used to send an access token")
		}
		tok, from = t, s
	}
	if from == nil {
		if h := r.Header["Authorization"]; len(h) == 1 && h[0] != "" {
			// Another scheme, or a bare token: say which in the cause.
			return "", nil, &Error{Reason: reason.TokenMissing, Err: newOtherSchemeError(missing, h[0])}
		}
		return "", nil, &Error{Reason: reason.TokenMissing, Err: missing}
	}
	return tok, from, nil
}

// noCredential is the cause of the ErrNoToken error locate returns for
// sources.
func noCredential(sources []TokenSource) error {
	return errors.New("no credential in " + sourceNames(sources))
}

func sourceNames(sources []TokenSource) string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.name()
	}
	return strings.Join(names, ", ")
}

// otherSchemeError is the cause of a refusal for no token when the
// request has an Authorization header that no source took: its scheme,
// when it is one of the known ones, or that it has none. It keeps nothing
// else of the header (which holds credentials), and is formatted only when
// read.
type otherSchemeError struct {
	missing error
	scheme  string // a known scheme, in its usual spelling; "" when none
	bearer  bool   // Bearer, but no configured source reads the header
}

// knownSchemes are the schemes a cause may name; any other value is
// described, never quoted.
var knownSchemes = []string{"Basic", "Digest", "DPoP", "JWT", "Token", "Negotiate", "NTLM", "HOBA", "Mutual", "AWS4-HMAC-SHA256"}

func newOtherSchemeError(missing error, header string) *otherSchemeError {
	e := &otherSchemeError{missing: missing}
	if scheme, _, ok := strings.Cut(header, " "); ok {
		if strings.EqualFold(scheme, "Bearer") {
			e.bearer = true
		}
		for _, k := range knownSchemes {
			if strings.EqualFold(scheme, k) {
				e.scheme = k
				break
			}
		}
	}
	return e
}

func (e *otherSchemeError) Error() string {
	switch {
	case e.bearer:
		return e.missing.Error() + "; the request has an Authorization: Bearer header, which no configured token source reads"
	case e.scheme != "":
		return e.missing.Error() + "; the Authorization header's scheme is " + e.scheme + ", not Bearer"
	}
	return e.missing.Error() + "; the Authorization header holds no Bearer credential (a bare token, or an unknown scheme? send Bearer <token>)"
}

func (e *otherSchemeError) Unwrap() error { return e.missing }

func requestErr(r reason.Code, desc string) *Error { return &Error{Reason: r, Description: desc} }

// isB64Token checks the RFC 6750 b64token syntax:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
