// Command chi is the quickstart's API on a go-chi/chi router: the same
// routes, flags, embedded development issuer and curl commands, with the
// rules kept in one chiguard route table.
//
//	go run ./examples/chi
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func main() { demo.Main("chi", routes) }

var run = demo.Runner("chi", routes)

// routes: Protect verifies the token of every /api request; the route
// table holds every rule in one place (it could come from configuration
// with chiguard.NewTableFromRules) and denies routes it has no rule for.
func routes(app *demo.App) (http.Handler, error) {
	realm := nethttp.WithRealm(demo.Realm)
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/me":            rbac.Authenticated(),
		"GET /api/items":         demo.ReadItems,
		"POST /api/items":        demo.WriteItems,
		"DELETE /api/items/{id}": demo.DeleteItems,
	}, realm)
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/healthz", demo.Healthz)
	// Routes registered through table.Router carry their rule's check in
	// their own handler: it runs after chi has routed the request.
	table.Router(r).Route("/api", func(r chi.Router) {
		r.Use(chiguard.Protect(app.Verifier, realm, nethttp.WithMapper(app.Mapper)))
		r.Get("/me", demo.Me)
		r.Get("/items", app.Items.List)
		r.Post("/items", app.Items.Create)
		r.Delete("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
			app.Items.Delete(w, r, chi.URLParam(r, "id"))
		})
	})
	// A rule naming no route (a typo, a renamed route) stops the start-up.
	return r, table.Check(r)
}
