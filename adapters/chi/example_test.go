package chiguard_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/jwttest"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

func exampleVerifier() (*jwttest.Issuer, *authmw.Verifier) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	v, err := authmw.New([]authmw.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		authmw.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	return iss, v
}

func status(method, url, token string) int {
	req, _ := http.NewRequest(method, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func ExampleProtect() {
	iss, v := exampleVerifier()
	defer iss.Close()
	defer v.Close()

	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Get("/orders", func(w http.ResponseWriter, r *http.Request) {
			claims, _ := authmw.ClaimsFromContext(r.Context())
			fmt.Println("orders of", claims.Subject)
		})
		r.With(chiguard.Require(rbac.Role("admin"))).Delete("/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Println("deleted", chi.URLParam(r, "id"))
		})
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	viewer := iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"viewer"}})
	fmt.Println(status("GET", srv.URL+"/orders", ""))
	fmt.Println(status("GET", srv.URL+"/orders", viewer))
	fmt.Println(status("DELETE", srv.URL+"/orders/7", viewer))
	fmt.Println(status("DELETE", srv.URL+"/orders/7", iss.MustMint(jwttest.ClaimsSet{"sub": "ann", "roles": []string{"admin"}})))
	// Output:
	// 401
	// orders of bob
	// 200
	// 403
	// deleted 7
	// 200
}

func ExampleNewTable() {
	iss, v := exampleVerifier()
	defer iss.Close()
	defer v.Close()

	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/orders":         rbac.Scope("orders:read"),
		"DELETE /api/orders/{id}": rbac.Role("admin"),
	})
	if err != nil {
		log.Fatal(err)
	}
	ok := func(w http.ResponseWriter, _ *http.Request) {}
	r := chi.NewRouter()
	table.Router(r).Route("/api", func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Get("/orders", ok)
		r.Delete("/orders/{id}", ok)
		r.Get("/reports", ok) // no rule: denied
	})
	if err := table.Check(r); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()

	reader := iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "scope": "orders:read"})
	fmt.Println(status("GET", srv.URL+"/api/orders", reader))
	fmt.Println(status("DELETE", srv.URL+"/api/orders/7", reader))
	fmt.Println(status("GET", srv.URL+"/api/reports", reader))
	// Output:
	// 200
	// 403
	// 403
}
