// Package errheaders sets the headers of an error answer, so that nethttp
// and the adapters whose router writes the body itself (echo) send the
// same ones.
package errheaders

import (
	"net/http"
	"strconv"

	"github.com/jwtguard/jwtguard/middleware"
)

// Set sets the headers of the answer resp on h: WWW-Authenticate (RFC 6750
// §3), Retry-After for 503, Cache-Control no-store and
// X-Content-Type-Options nosniff, and Content-Type application/json when
// withContentType (the body is written by the caller).
func Set(h http.Header, resp *middleware.Response, withContentType bool) {
	// The values share one array, each slice capped at its own element so
	// that an append to one header can never overwrite another; the keys
	// are in their canonical form (h.Set would canonicalize each on every
	// rejected request).
	vals := [5]string{"no-store", "nosniff", "application/json", resp.WWWAuthenticate}
	v := vals[:]
	h["Cache-Control"] = v[0:1:1]
	h["X-Content-Type-Options"] = v[1:2:2]
	if withContentType {
		h["Content-Type"] = v[2:3:3]
	}
	if resp.WWWAuthenticate != "" {
		h["Www-Authenticate"] = v[3:4:4]
	}
	if resp.RetryAfter > 0 {
		v[4] = strconv.Itoa(resp.RetryAfter)
		h["Retry-After"] = v[4:5:5]
	}
}
