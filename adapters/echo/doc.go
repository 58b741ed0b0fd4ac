// Package echoguard protects echo (v4) routes with jwtguard. It lives in
// adapters/echo and is named echoguard so that it never shadows echo
// itself; the gin and chi adapters follow the same scheme (ginguard,
// chiguard).
//
// It is a nested module (github.com/jwtguard/jwtguard/adapters/echo), so
// that users of the core never download echo and its dependencies.
//
// # Quick start
//
// echo's own middleware package is usually imported too, so the core is
// imported as authmw:
//
//	import (
//		"github.com/labstack/echo/v4"
//		"github.com/labstack/echo/v4/middleware"
//		echoguard "github.com/jwtguard/jwtguard/adapters/echo"
//		authmw "github.com/jwtguard/jwtguard/middleware"
//		"github.com/jwtguard/jwtguard/rbac"
//	)
//
//	v, err := authmw.New([]authmw.Issuer{{URL: issuerURL, Audiences: []string{"orders-api"}}})
//	…
//	e := echo.New()
//	e.Use(middleware.Recover())
//	api := e.Group("/api", echoguard.Protect(v))
//	api.GET("/items", listItems, echoguard.Require(rbac.Scope("items:read")))
//	api.DELETE("/items/:id", deleteItem, echoguard.Require(rbac.Role("admin")))
//
//	func listItems(c echo.Context) error {
//		claims := echoguard.MustClaims(c)
//		return c.JSON(http.StatusOK, map[string]string{"owner": claims.Subject})
//	}
//
// The claims are stored with c.Set under ClaimsKey and are also in
// c.Request().Context(), so code shared with net/http handlers finds them
// with authmw.ClaimsFromContext. ProtectWithConfig takes echo's Skipper.
//
// # Errors
//
// Protect and Require return an *echo.HTTPError: echo's default
// HTTPErrorHandler renders it as exactly the answer nethttp writes (RFC 6750
// status, WWW-Authenticate header, JSON body), except that echo indents
// the body under e.Debug or ?pretty, and answers HEAD with no body. A custom HTTPErrorHandler
// still sees the reason: the error's Internal is the *authmw.Error, so
// errors.Is(err, authmw.ErrInvalidToken) and authmw.ReasonOf(err) work on
// what it receives.
package echoguard
