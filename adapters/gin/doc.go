// Package ginguard protects gin routes with jwtguard. It lives in
// adapters/gin and is named ginguard so that it never shadows gin itself;
// the echo and chi adapters follow the same scheme (echoguard, chiguard).
//
// It is a nested module (github.com/jwtguard/jwtguard/adapters/gin), so
// that users of the core never download gin and its dependencies.
//
// # Quick start
//
//	v, err := middleware.New([]middleware.Issuer{{URL: issuerURL, Audiences: []string{"orders-api"}}})
//	…
//	r := gin.New()
//	api := r.Group("/api", ginguard.Protect(v))
//	api.GET("/items", ginguard.Require(rbac.Scope("items:read")), listItems)
//	api.DELETE("/items/:id", ginguard.Require(rbac.Role("admin")), deleteItem)
//
//	func listItems(c *gin.Context) {
//		claims := ginguard.MustClaims(c)
//		c.JSON(http.StatusOK, gin.H{"owner": claims.Subject})
//	}
//
// The claims are stored with c.Set under ClaimsKey and are also in
// c.Request.Context(), so code shared with net/http handlers finds them with
// middleware.ClaimsFromContext, and rbac.Allowed(c.Request.Context(), p)
// checks a policy inside a handler.
//
// # Errors
//
// A rejected request is answered exactly as nethttp answers it: the RFC 6750
// status, WWW-Authenticate header and JSON body. The chain is aborted and the
// error, a *middleware.Error with its reason code, is recorded with c.Error
// for logging middleware. nethttp.WithErrorWriter replaces the answer.
package ginguard
