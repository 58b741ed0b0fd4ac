package nethttp_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func ExampleProtect() {
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

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := middleware.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Subject)
	})
	srv := httptest.NewServer(nethttp.Protect(v)(api))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Authorization", "Bearer "+iss.MustMint(jwttest.ClaimsSet{"sub": "alice"}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	resp, err = http.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	// Output:
	// 200 hello alice
	// 401 Bearer realm="api"
}

// A router jwtguard has no adapter for is integrated with a Guard: the
// router's middleware calls Authenticate and Authorize and reports errors
// its own way; Response gives the RFC 6750 answer.
func ExampleGuard() {
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
	g := nethttp.NewGuard(v, nethttp.WithRealm("orders"))

	check := func(token string) {
		r := httptest.NewRequest("DELETE", "/orders/7", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		ctx, err := g.Authenticate(r)
		if err == nil {
			err = g.Authorize(r.WithContext(ctx), rbac.Role("admin"))
		}
		if err != nil {
			resp := g.Response(err)
			fmt.Println(resp.Status, resp.Error, middleware.ReasonOf(err))
			return
		}
		claims, _ := middleware.ClaimsFromContext(ctx)
		fmt.Println("allowed:", claims.Subject)
	}
	check("")
	check(iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"viewer"}}))
	check(iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "roles": []string{"admin"}}))
	// Output:
	// 401 unauthorized token_missing
	// 403 insufficient_scope insufficient_scope
	// allowed: alice
}
