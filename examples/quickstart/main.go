// Command quickstart runs a protected API on loopback, with an embedded
// development issuer, ready tokens and curl commands, so jwtguard can be
// tried offline in one command:
//
//	go run ./examples/quickstart
//
// With -issuer and -audience it protects the same API with a real
// provider's tokens instead (Keycloak, Auth0, Okta, Entra ID, Cognito…);
// -preset and -roles-claim say where those tokens keep roles and scopes.
//
// Rules: GET /api/items needs scope items:read, POST /api/items scope
// items:write, DELETE /api/items/{id} role admin; GET /api/me any valid
// token; GET /healthz nothing.
package main

import (
	"net/http"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func main() { demo.Main("quickstart", routes) }

var run = demo.Runner("quickstart", routes)

// routes is the whole integration: Protect verifies the token of every
// /api/ request, Require applies each route's rule.
func routes(app *demo.App) (http.Handler, error) {
	realm := nethttp.WithRealm(demo.Realm)
	require := func(p rbac.Policy, h http.HandlerFunc) http.Handler { return nethttp.Require(p, realm)(h) }
	api := http.NewServeMux()
	api.HandleFunc("GET /api/me", demo.Me)
	api.Handle("GET /api/items", require(demo.ReadItems, app.Items.List))
	api.Handle("POST /api/items", require(demo.WriteItems, app.Items.Create))
	api.Handle("DELETE /api/items/{id}", require(demo.DeleteItems, func(w http.ResponseWriter, r *http.Request) {
		app.Items.Delete(w, r, r.PathValue("id"))
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", demo.Healthz)
	mux.Handle("/api/", nethttp.Protect(app.Verifier, realm, nethttp.WithMapper(app.Mapper))(api))
	return mux, nil
}
