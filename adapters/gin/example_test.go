package ginguard_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

func Example() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	r := gin.New()
	api := r.Group("/api", ginguard.Protect(v))
	api.GET("/orders", func(c *gin.Context) {
		c.String(http.StatusOK, "orders of %s", ginguard.MustClaims(c).Subject)
	})
	api.DELETE("/orders/:id", ginguard.Require(rbac.Role("admin")), func(c *gin.Context) {
		c.String(http.StatusOK, "deleted %s", c.Param("id"))
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	call := func(method, path, token string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s\n", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	viewer := iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"viewer"}})
	call("GET", "/api/orders", "")
	call("GET", "/api/orders", viewer)
	call("DELETE", "/api/orders/7", viewer)
	call("DELETE", "/api/orders/7", iss.MustMint(jwttest.ClaimsSet{"sub": "ann", "roles": []string{"admin"}}))
	// Output:
	// 401 {"error":"unauthorized","error_description":"An access token is required"}
	// 200 orders of bob
	// 403 {"error":"insufficient_scope","error_description":"The access token does not grant the required access"}
	// 200 deleted 7
}
