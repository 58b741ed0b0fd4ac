package ginguard_test

// The README's gin snippets, compiled in the context they assume
// (internal/readme, in the root module, checks the README shows exactly
// these lines).

import (
	"net/http"

	"github.com/gin-gonic/gin"

	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func Example_readmeRoutes() {
	var v *middleware.Verifier
	mapper := rbac.MustNewMapper(rbac.Default())
	deleteItem := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	r := gin.New()
	// readme:begin
	api := r.Group("/api", ginguard.Protect(v, nethttp.WithMapper(mapper)))
	api.GET("/items", ginguard.Require(rbac.Scope("items:read")), listItems)
	api.DELETE("/items/:id", ginguard.Require(rbac.Role("admin")), deleteItem)
	// readme:end
}

// readme:begin
func listItems(c *gin.Context) {
	claims := ginguard.MustClaims(c) // or ginguard.Claims(c) (*middleware.Claims, bool)
	c.JSON(http.StatusOK, gin.H{"items": []string{}, "for": claims.Subject})
}

// readme:end
