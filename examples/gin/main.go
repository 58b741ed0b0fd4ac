// Command gin is the quickstart's API on gin: the same routes, flags,
// embedded development issuer and curl commands, protected with ginguard.
//
//	go run ./examples/gin
//
// It is a module of its own, so that the core never requires gin; the
// repository's go.work lets the command above run from the root.
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/nethttp"
)

func main() { demo.Main("gin", routes) }

var run = demo.Runner("gin", routes)

// routes: Protect on the /api group verifies every token; Require gives
// each route its rule.
func routes(app *demo.App) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	realm := nethttp.WithRealm(demo.Realm)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", gin.WrapF(demo.Healthz))
	api := r.Group("/api", ginguard.Protect(app.Verifier, realm, nethttp.WithMapper(app.Mapper)))
	api.GET("/me", me)
	api.GET("/items", ginguard.Require(demo.ReadItems, realm), gin.WrapF(app.Items.List))
	api.POST("/items", ginguard.Require(demo.WriteItems, realm), gin.WrapF(app.Items.Create))
	api.DELETE("/items/:id", ginguard.Require(demo.DeleteItems, realm), func(c *gin.Context) {
		app.Items.Delete(c.Writer, c.Request, c.Param("id"))
	})
	return r, nil
}

// me answers with the caller's claims, read the gin way.
func me(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", ginguard.MustClaims(c).Raw())
}
