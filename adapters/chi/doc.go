// Package chiguard protects go-chi/chi routers with jwtguard. It lives in
// adapters/chi and is named chiguard so that it never shadows chi itself;
// the gin and echo adapters follow the same scheme (ginguard, echoguard).
//
// chi middleware is plain func(http.Handler) http.Handler, so Protect and
// Require are those of nethttp and answer exactly as nethttp does. What
// chiguard adds is the route table: every rule of a router in one place,
// keyed by method and chi route pattern, loadable from configuration, with
// an explicit choice for routes that have no rule.
//
// # Quick start
//
// chi's own middleware package is usually imported too, so the core is
// imported as authmw:
//
//	import (
//		"github.com/go-chi/chi/v5"
//		"github.com/go-chi/chi/v5/middleware"
//		chiguard "github.com/jwtguard/jwtguard/adapters/chi"
//		authmw "github.com/jwtguard/jwtguard/middleware"
//		"github.com/jwtguard/jwtguard/rbac"
//	)
//
//	v, err := authmw.New([]authmw.Issuer{{URL: issuerURL, Audiences: []string{"orders-api"}}})
//	…
//	r := chi.NewRouter()
//	r.Use(middleware.Recoverer)
//	r.Group(func(r chi.Router) {
//		r.Use(chiguard.Protect(v))
//		r.Get("/api/items", listItems)
//		r.With(chiguard.Require(rbac.Role("admin"))).Delete("/api/items/{id}", deleteItem)
//	})
//
// Handlers read the claims with authmw.ClaimsFromContext(r.Context()).
//
// # Route table
//
//	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
//		"GET /api/items":         rbac.Scope("items:read"),
//		"POST /api/items":        rbac.Scope("items:write"),
//		"DELETE /api/items/{id}": rbac.Role("admin"),
//	})
//	…
//	r := chi.NewRouter()
//	r.Use(middleware.StripSlashes)
//	table.Router(r).Route("/api", func(r chi.Router) {
//		r.Use(chiguard.Protect(v))
//		r.Get("/items", listItems)
//		…
//	})
//	if err := table.Check(r); err != nil { // a rule naming no route
//		log.Fatal(err)
//	}
//
// The rules are attached at registration: every handler registered through
// table.Router (in Route, Group, With and mounted table routers too)
// checks its own route's rule when chi dispatches to it, so the rule
// enforced is always the rule of the handler that runs, whatever
// middleware rewrote the path or method before routing (StripSlashes,
// CleanPath, GetHead). A request for which no rule can be determined is
// refused. NewTableFromRules takes the rules in rbac.Rule form, as read
// from JSON or YAML.
package chiguard
