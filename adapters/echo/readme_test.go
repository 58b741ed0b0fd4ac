package echoguard_test

// The README's echo snippets, compiled in the context they assume
// (internal/readme, in the root module, checks the README shows exactly
// these lines).

import (
	"net/http"

	"github.com/labstack/echo/v4"

	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func Example_readmeRoutes() {
	var v *middleware.Verifier
	mapper := rbac.MustNewMapper(rbac.Default())
	e := echo.New()
	// readme:begin
	e.Use(echoguard.ProtectWithConfig(v, echoguard.Config{
		Skipper: func(c echo.Context) bool { return c.Path() == "/healthz" },
		Options: []nethttp.Option{nethttp.WithMapper(mapper)},
	}))
	e.GET("/api/items", listItems, echoguard.Require(rbac.Scope("items:read")))
	// readme:end
}

// readme:begin
func listItems(c echo.Context) error {
	claims := echoguard.MustClaims(c) // or echoguard.Claims(c)
	return c.JSON(http.StatusOK, map[string]any{"items": []string{}, "for": claims.Subject})
}

// readme:end
