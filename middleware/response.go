package middleware

import (
	"encoding/json"
	"net/http"
	"strings"
)

// retryAfterSeconds is the Retry-After value sent with 503 answers (no
// usable keys, or revocation state too old to decide): long enough for a
// background retry to happen.
const retryAfterSeconds = 30

// Response is the HTTP answer RFC 6750 prescribes for an error. Every
// transport (nethttp, the router adapters) renders errors through
// ResponseFor, so they all answer alike.
type Response struct {
	Status          int    // HTTP status code
	Error           string // error code for the JSON body: the RFC 6750 code, or "unauthorized" when no credentials were sent
	Description     string // client-safe error_description
	WWWAuthenticate string // the WWW-Authenticate header value; "" for 5xx answers
	RetryAfter      int    // seconds, for 503 answers; 0 otherwise
}

// ResponseFor maps any error to its HTTP answer. realm, when not empty, is
// sent as the challenge's realm attribute.
//
//   - no credentials (ErrNoToken): 401, `Bearer realm="…"`, no error attribute (RFC 6750 §3.1)
//   - ErrInvalidRequest: 400 invalid_request
//   - ErrInvalidToken: 401 invalid_token
//   - ErrInsufficientScope: 403 insufficient_scope with the scope attribute
//   - ErrUnavailable: 503 with Retry-After; not the client's fault
//   - anything else: 500, with nothing of the error shown
func ResponseFor(err error, realm string) Response {
	e := asError(err)
	if e == nil {
		return Response{Status: http.StatusInternalServerError, Error: "server_error", Description: "Internal error"}
	}
	switch category(e.Reason) {
	case ErrNoToken:
		// RFC 6750 §3.1: no error attribute when no credentials were sent;
		// the JSON body still says what is wrong.
		return Response{Status: http.StatusUnauthorized, Error: "unauthorized", Description: "An access token is required",
			WWWAuthenticate: challenge(realm, "", "", nil)}
	case ErrInvalidRequest:
		d := safeDesc(e.Description, "The request is malformed")
		return Response{Status: http.StatusBadRequest, Error: "invalid_request", Description: d,
			WWWAuthenticate: challenge(realm, "invalid_request", d, nil)}
	case ErrInsufficientScope:
		d := safeDesc(e.Description, "The access token does not grant the required access")
		return Response{Status: http.StatusForbidden, Error: "insufficient_scope", Description: d,
			WWWAuthenticate: challenge(realm, "insufficient_scope", d, e.Scopes)}
	case ErrUnavailable:
		return Response{Status: http.StatusServiceUnavailable, Error: "temporarily_unavailable",
			Description: "The access token cannot be verified right now", RetryAfter: retryAfterSeconds}
	default:
		d := safeDesc(e.Description, descInvalid)
		return Response{Status: http.StatusUnauthorized, Error: "invalid_token", Description: d,
			WWWAuthenticate: challenge(realm, "invalid_token", d, nil)}
	}
}

// Body is the JSON body {"error": "...", "error_description": "..."}, as
// encoding/json writes it.
func (r Response) Body() []byte {
	if !jsonPlain(r.Error) || !jsonPlain(r.Description) {
		b, _ := json.Marshal(struct {
			Error       string `json:"error"`
			Description string `json:"error_description,omitempty"`
		}{r.Error, r.Description})
		return b
	}
	// What ResponseFor builds needs no escaping: write it directly, with
	// room for the newline a transport adds.
	b := make([]byte, 0, len(r.Error)+len(r.Description)+36)
	b = append(b, `{"error":"`...)
	b = append(b, r.Error...)
	if r.Description != "" {
		b = append(b, `","error_description":"`...)
		b = append(b, r.Description...)
	}
	return append(b, `"}`...)
}

// jsonPlain reports whether encoding/json writes s between quotes as it is:
// printable ASCII without quote, backslash or the HTML characters it escapes.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

func challenge(realm, code, desc string, scopes []string) string {
	var b strings.Builder
	b.Grow(64 + len(realm) + len(code) + len(desc))
	b.WriteString("Bearer")
	sep := " "
	if realm != "" {
		sep = attr(&b, sep, "realm", quotePairs(realm))
	}
	if code != "" {
		sep = attr(&b, sep, "error", code)
	}
	if desc != "" {
		sep = attr(&b, sep, "error_description", desc)
	}
	if len(scopes) > 0 {
		parts := make([]string, 0, len(scopes))
		for _, s := range scopes {
			if s = scopeToken(s); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			attr(&b, sep, "scope", strings.Join(parts, " "))
		}
	}
	return b.String()
}

// attr writes one auth-param of a challenge after sep and returns the
// separator for the next.
func attr(b *strings.Builder, sep, name, value string) string {
	b.WriteString(sep)
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(value)
	b.WriteByte('"')
	return ", "
}

// safeDesc keeps only the characters RFC 6750 §3 allows in
// error_description (%x20-21 / %x23-5B / %x5D-7E), so a description can never
// break the header or the JSON body.
func safeDesc(s, fallback string) string {
	s = quotable(s)
	if s == "" {
		return fallback
	}
	return s
}

func quotable(s string) string {
	if keeps(s, 0x20) {
		return s // the usual case, without strings.Map's rune-by-rune copy
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// keeps reports whether every byte of s is printable ASCII from lo up,
// other than '"' and '\\': what quotable (lo 0x20) and scopeToken (lo 0x21)
// return unchanged.
func keeps(s string, lo byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < lo || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// scopeToken returns s if it is an RFC 6749 scope-token (%x21 / %x23-5B /
// %x5D-7E), else "": a scope that is not one is left out of the challenge,
// never advertised changed into another scope.
func scopeToken(s string) string {
	if keeps(s, 0x21) {
		return s
	}
	return ""
}

// quotePairs is s as the inside of an RFC 9110 §5.6.4 quoted-string: '"'
// and '\' are escaped as quoted-pairs, bytes from 0x80 up are kept
// (obs-text: a UTF-8 realm stays readable), and control characters, which
// no quoted-string may hold, are dropped.
func quotePairs(s string) string {
	if keeps(s, 0x20) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		}
	}
	return b.String()
}
