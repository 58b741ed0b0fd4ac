package echoguard

import (
	"strconv"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
)

// ClaimsKey is the key under which Protect stores the verified
// *middleware.Claims with c.Set (the same key as ginguard's). Read them
// with Claims or MustClaims.
const ClaimsKey = "github.com/jwtguard/jwtguard/claims"

// Config configures ProtectWithConfig.
type Config struct {
	// Skipper decides which requests pass without authentication, echo's
	// convention. Default: echo's middleware.DefaultSkipper (none).
	Skipper echomw.Skipper
	// Options are nethttp's: realm, anonymous mode, CORS preflight, mapper.
	// nethttp.WithErrorWriter does not apply: echo answers errors through
	// its HTTPErrorHandler.
	Options []nethttp.Option
}

// Protect returns echo middleware that verifies each request's access
// token with v; see ProtectWithConfig.
func Protect(v *middleware.Verifier, opts ...nethttp.Option) echo.MiddlewareFunc {
	return ProtectWithConfig(v, Config{Options: opts})
}

// ProtectWithConfig returns echo middleware that verifies each request's
// access token with v. On success the claims are stored with
// c.Set(ClaimsKey, …) and in the request's context.Context
// (middleware.ClaimsFromContext). On failure it returns an *echo.HTTPError
// (see Require for its shape) for echo's HTTPErrorHandler to render.
func ProtectWithConfig(v *middleware.Verifier, cfg Config) echo.MiddlewareFunc {
	g := nethttp.NewGuard(v, cfg.Options...)
	skip := cfg.Skipper
	if skip == nil {
		skip = echomw.DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			r := c.Request()
			ctx, err := g.Authenticate(r)
			if err != nil {
				return httpError(c, g, err)
			}
			if ctx != r.Context() {
				c.SetRequest(r.WithContext(ctx))
				if claims, ok := middleware.ClaimsFromContext(ctx); ok {
					c.Set(ClaimsKey, claims)
				}
			}
			return next(c)
		}
	}
}

// Require returns echo middleware for a route or a group that lets a
// request through only if its verified token satisfies policy: 401 without
// verified claims (Protect must run first), 403 insufficient_scope naming
// the policy's scopes otherwise.
//
// Errors are returned, the echo way, as an *echo.HTTPError whose Code is the
// RFC 6750 status, whose Message is the JSON body nethttp writes (a
// json.Marshaler echo's default HTTPErrorHandler sends as it is, and a
// fmt.Stringer that logs print as that text), and whose Internal is the
// *middleware.Error, so a custom error handler can read the reason code
// with middleware.ReasonOf, or the RFC 6750 error code with
// middleware.ResponseFor. The WWW-Authenticate, Retry-After, Cache-Control
// and X-Content-Type-Options headers are already set on the response.
func Require(policy rbac.Policy, opts ...nethttp.Option) echo.MiddlewareFunc {
	g := nethttp.NewGuard(nil, opts...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := g.Authorize(c.Request(), policy); err != nil {
				return httpError(c, g, err)
			}
			return next(c)
		}
	}
}

func httpError(c echo.Context, g *nethttp.Guard, err error) error {
	resp := g.Response(err)
	// The headers nethttp sends with an error answer, from the answer's
	// public fields (internal/conformance holds the two to the same).
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if resp.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(resp.RetryAfter))
	}
	return &echo.HTTPError{Code: resp.Status, Message: body(resp.Body()), Internal: err}
}

// body is the JSON body of an error answer: echo's default error handler
// sends it as it is, and it prints as text in logs (HTTPError.Error).
type body []byte

func (b body) MarshalJSON() ([]byte, error) { return b, nil }
func (b body) String() string               { return string(b) }

// Claims returns the claims Protect verified for this request; false when
// the request was not authenticated (skipped, no Protect in the chain, or an
// anonymous request under nethttp.WithAnonymous).
func Claims(c echo.Context) (*middleware.Claims, bool) {
	claims, ok := c.Get(ClaimsKey).(*middleware.Claims)
	return claims, ok && claims != nil
}

// MustClaims is Claims for handlers that only run behind Protect without
// anonymous mode or a skipper. It panics when there are no claims, which
// then means the route was registered without Protect: a programming error
// that must not pass silently (echo's Recover middleware turns it into a
// 500).
func MustClaims(c echo.Context) *middleware.Claims {
	claims, ok := Claims(c)
	if !ok {
		panic("echoguard: no verified claims: is the route behind echoguard.Protect?")
	}
	return claims
}
