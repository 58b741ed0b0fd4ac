package chiguard

import (
	"net/http"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// Protect returns chi middleware that verifies each request's access token
// with v, for r.Use, r.With and r.Group. It is nethttp.Protect: chi
// middleware is plain func(http.Handler) http.Handler, so chi users get the
// net/http behaviour exactly. The claims are in the request's context
// (middleware.ClaimsFromContext); rejected requests are answered per
// RFC 6750.
func Protect(v *middleware.Verifier, opts ...nethttp.Option) func(http.Handler) http.Handler {
	return nethttp.Protect(v, opts...)
}

// Require returns chi middleware that lets a request through only if its
// verified token satisfies policy (401 without claims, 403
// insufficient_scope otherwise). It is nethttp.Require; use it with r.With
// for one route or r.Use inside a r.Group or r.Route.
func Require(policy rbac.Policy, opts ...nethttp.Option) func(http.Handler) http.Handler {
	return nethttp.Require(policy, opts...)
}
