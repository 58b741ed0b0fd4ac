// Command echo is the quickstart's API on echo: the same routes, flags,
// embedded development issuer and curl commands, protected with echoguard.
// Rejections are rendered by echo's own HTTPErrorHandler.
//
//	go run ./examples/echo
//
// It is a module of its own, so that the core never requires echo; the
// repository's go.work lets the command above run from the root.
package main

import (
	"net/http"

	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func main() { demo.Main("echo", routes) }

var run = demo.Runner("echo", routes)

// routes: Protect on the /api group verifies every token; Require gives
// each route its rule.
func routes(app *demo.App) (http.Handler, error) {
	realm := nethttp.WithRealm(demo.Realm)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.GET("/healthz", echo.WrapHandler(http.HandlerFunc(demo.Healthz)))
	api := e.Group("/api", echoguard.Protect(app.Verifier, realm, nethttp.WithMapper(app.Mapper)))
	api.GET("/me", me)
	api.GET("/items", echo.WrapHandler(http.HandlerFunc(app.Items.List)), echoguard.Require(demo.ReadItems, realm))
	api.POST("/items", echo.WrapHandler(http.HandlerFunc(app.Items.Create)), echoguard.Require(demo.WriteItems, realm))
	api.DELETE("/items/:id", func(c echo.Context) error {
		app.Items.Delete(c.Response(), c.Request(), c.Param("id"))
		return nil
	}, echoguard.Require(demo.DeleteItems, realm))
	return e, nil
}

// me answers with the caller's claims, read the echo way.
func me(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, echoguard.MustClaims(c).Raw())
}
