package ginguard

import (
	"github.com/gin-gonic/gin"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// ClaimsKey is the key under which Protect stores the verified
// *middleware.Claims with c.Set. Read them with Claims or MustClaims.
const ClaimsKey = "github.com/jwtguard/jwtguard/claims"

// Protect returns gin middleware that verifies each request's access token
// with v. On success the claims are stored with c.Set(ClaimsKey, …) and in
// c.Request's context.Context (middleware.ClaimsFromContext), and the chain
// goes on. On failure the error is recorded with c.Error, the request is
// answered exactly as nethttp answers it (RFC 6750 status, WWW-Authenticate
// and JSON body) and the chain is aborted. The options are nethttp's.
func Protect(v *middleware.Verifier, opts ...nethttp.Option) gin.HandlerFunc {
	g := nethttp.NewGuard(v, opts...)
	return func(c *gin.Context) {
		ctx, err := g.Authenticate(c.Request)
		if err != nil {
			abort(c, g, err)
			return
		}
		if ctx != c.Request.Context() {
			c.Request = c.Request.WithContext(ctx)
			if claims, ok := middleware.ClaimsFromContext(ctx); ok {
				c.Set(ClaimsKey, claims)
			}
		}
		c.Next()
	}
}

// Require returns gin middleware for a route or a group that lets a request
// through only if its verified token satisfies policy: 401 without verified
// claims (Protect must run first), 403 insufficient_scope naming the
// policy's scopes otherwise, reported like Protect's errors.
func Require(policy rbac.Policy, opts ...nethttp.Option) gin.HandlerFunc {
	g := nethttp.NewGuard(nil, opts...)
	return func(c *gin.Context) {
		if err := g.Authorize(c.Request, policy); err != nil {
			abort(c, g, err)
			return
		}
		c.Next()
	}
}

// abort records err for gin's error handling middleware and logging (as a
// private error: gin never renders it), answers the request and stops the
// chain.
func abort(c *gin.Context, g *nethttp.Guard, err error) {
	_ = c.Error(err)
	g.WriteError(c.Writer, c.Request, err)
	c.Abort()
}

// Claims returns the claims Protect verified for this request; false when
// the request was not authenticated (no Protect in the chain, or an
// anonymous request under nethttp.WithAnonymous).
func Claims(c *gin.Context) (*middleware.Claims, bool) {
	v, ok := c.Get(ClaimsKey)
	if !ok {
		return nil, false
	}
	claims, ok := v.(*middleware.Claims)
	return claims, ok && claims != nil
}

// MustClaims is Claims for handlers that only run behind Protect without
// anonymous mode. It panics when there are no claims, which then means the
// route was registered without Protect: a programming error that must not
// pass silently.
func MustClaims(c *gin.Context) *middleware.Claims {
	claims, ok := Claims(c)
	if !ok {
		panic("ginguard: no verified claims: is the route behind ginguard.Protect?")
	}
	return claims
}
