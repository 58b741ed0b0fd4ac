package chiguard_test

// The README's chi snippets, compiled in the context they assume
// (internal/readme checks the README shows exactly these lines).

import (
	"log"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func Example_readmeGroup() {
	var v *authmw.Verifier
	mapper := rbac.MustNewMapper(rbac.Default())
	listItems, deleteItem := http.NotFound, http.NotFound
	r := chi.NewRouter()
	// readme:begin
	r.Group(func(r chi.Router) {
		r.Use(chiguard.Protect(v, nethttp.WithMapper(mapper)))
		r.Get("/api/items", listItems)
		r.With(chiguard.Require(rbac.Role("admin"))).Delete("/api/items/{id}", deleteItem)
	})
	// readme:end
}

func Example_readmeTable() {
	var v *authmw.Verifier
	listItems, createItem, deleteItem := http.NotFound, http.NotFound, http.NotFound
	// readme:begin
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/items":         rbac.Scope("items:read"),
		"POST /api/items":        rbac.Scope("items:write"),
		"DELETE /api/items/{id}": rbac.Role("admin"),
	})
	if err != nil {
		log.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(middleware.StripSlashes)
	table.Router(r).Route("/api", func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Get("/items", listItems)
		r.Post("/items", createItem)
		r.Delete("/items/{id}", deleteItem)
	})
	if err := table.Check(r); err != nil {
		log.Fatal(err) // a rule for no route, or a route without a rule
	}
	// readme:end
}
