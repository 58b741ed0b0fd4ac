package echoguard_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/labstack/echo/v4"
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

	e := echo.New()
	api := e.Group("/api", echoguard.Protect(v))
	api.GET("/orders", func(c echo.Context) error {
		return c.String(http.StatusOK, "orders of "+echoguard.MustClaims(c).Subject)
	})
	api.DELETE("/orders/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, "deleted "+c.Param("id"))
	}, echoguard.Require(rbac.Role("admin")))
	srv := httptest.NewServer(e)
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
