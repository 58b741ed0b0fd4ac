package chiguard_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/internal/conformance"
	"github.com/jwtguard/jwtguard/jwttest"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

const audience = "orders-api"

func ok(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, "ok "+chi.RouteContext(r.Context()).RoutePattern())
}

// api is a router with a mounted subrouter, path parameters, a regexp
// parameter and a route group, its /api routes registered through the
// table (a public /healthz is not).
func api(v *authmw.Verifier, table *chiguard.Table, mws ...func(http.Handler) http.Handler) *chi.Mux {
	items := table.Router(chi.NewRouter())
	items.Get("/", ok)
	items.Post("/", ok)
	items.Delete("/{id}", ok)
	items.Get("/{id:[0-9]+}/history", ok)
	r := chi.NewRouter()
	r.Use(mws...)
	r.Get("/healthz", ok)
	table.Router(r).Route("/api", func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Mount("/items", items)
		r.Get("/reports/{id}", ok)
		r.Post("/reports/{id}", ok)
		r.Get("/unlisted", ok)
	})
	return r
}

var rules = map[string]rbac.Policy{
	"GET /api/items/":                    rbac.Scope("items:read"),
	"POST /api/items/":                   rbac.Scope("items:write"),
	"DELETE /api/items/{id}":             rbac.Role("admin"),
	"GET /api/items/{id:[0-9]+}/history": rbac.Role("auditor"),
	"* /api/reports/{id}":                rbac.Role("reporter"),
	"POST /api/reports/{id}":             rbac.Role("admin"),
}

type call struct {
	method, path string
	claims       jwttest.ClaimsSet // nil: no token
	status       int
	challenge    string
}

// run is expect (bypass_test.go): each call's status and challenge, and no
// handler output on a refusal.
func run(t *testing.T, iss *jwttest.Issuer, h http.Handler, calls []call) {
	t.Helper()
	expect(t, iss, h, calls)
}

const forbidden = `Bearer realm="api", error="insufficient_scope", error_description="The access token does not grant the required access"`

func TestTableAppliesTheRuleOfTheRouteThatWillRun(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, rules)
	if err != nil {
		t.Fatal(err)
	}
	r := api(v, table)
	if err := table.Check(r); err != nil {
		t.Fatal(err)
	}
	none := jwttest.ClaimsSet{"sub": "u"}
	run(t, iss, r, []call{
		{"GET", "/healthz", nil, 200, ""},
		{"GET", "/api/items/", nil, 401, `Bearer realm="api"`},
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "items:read"}, 200, ""},
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "items:write"}, 403, forbidden + `, scope="items:read"`},
		{"POST", "/api/items/", jwttest.ClaimsSet{"scope": "items:write"}, 200, ""},
		{"DELETE", "/api/items/42", jwttest.ClaimsSet{"roles": []string{"editor"}}, 403, forbidden},
		{"DELETE", "/api/items/42", jwttest.ClaimsSet{"roles": []string{"admin"}}, 200, ""},
		{"GET", "/api/items/42/history", jwttest.ClaimsSet{"roles": []string{"auditor"}}, 200, ""},
		{"GET", "/api/items/42/history", jwttest.ClaimsSet{"roles": []string{"admin"}}, 403, forbidden},
		// "*" covers every method without a rule of its own.
		{"GET", "/api/reports/7", jwttest.ClaimsSet{"roles": []string{"reporter"}}, 200, ""},
		{"POST", "/api/reports/7", jwttest.ClaimsSet{"roles": []string{"reporter"}}, 403, forbidden},
		{"POST", "/api/reports/7", jwttest.ClaimsSet{"roles": []string{"admin"}}, 200, ""},
		// DenyUnlisted: a route without a rule is closed, 401 or 403.
		{"GET", "/api/unlisted", nil, 401, `Bearer realm="api"`},
		{"GET", "/api/unlisted", jwttest.ClaimsSet{"roles": []string{"admin"}, "scope": "items:read"}, 403, forbidden},
		// No route: chi's own 404 and 405, not a rule's answer.
		{"GET", "/api/nothing-here", none, 404, ""},
		{"PUT", "/api/items/42", none, 405, ""},
		// The regexp of {id:[0-9]+} decides, as in chi: no digits, no route.
		{"GET", "/api/items/abc/history", none, 404, ""},
	})
}

func TestAllowUnlistedLetsAuthenticatedRequestsThrough(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table, err := chiguard.NewTable(chiguard.AllowUnlisted, rules)
	if err != nil {
		t.Fatal(err)
	}
	run(t, iss, api(v, table), []call{
		{"GET", "/api/unlisted", nil, 401, `Bearer realm="api"`},
		{"GET", "/api/unlisted", jwttest.ClaimsSet{"sub": "u"}, 200, ""},
		{"DELETE", "/api/items/1", jwttest.ClaimsSet{"sub": "u"}, 403, forbidden},
	})
}

func TestTableOnTheRootRouterFollowsPathRewrites(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/items": rbac.Scope("items:read"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(middleware.StripSlashes, chiguard.Protect(v))
	table.Router(r).Get("/api/items", ok)
	run(t, iss, r, []call{
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "items:read"}, 200, ""},
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "other"}, 403, forbidden + `, scope="items:read"`},
	})
}

func TestCheckNamesRulesWithoutARoute(t *testing.T) {
	_, v := conformance.Verifier(t, audience)
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/items/":         rbac.Scope("items:read"),
		"DELETE /api/itemz/{id}":  rbac.Role("admin"),
		"PATCH /api/items/{id}":   rbac.Role("admin"),
		"* /api/reports/{id}":     rbac.Role("reporter"),
		"DELETE /api/items/{key}": rbac.Role("admin"),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = table.Check(api(v, table))
	want := "chiguard: rules for routes that do not exist: DELETE /api/items/{key}, DELETE /api/itemz/{id}, PATCH /api/items/{id}"
	if err == nil || err.Error() != want {
		t.Fatalf("Check: %v\nwant %s", err, want)
	}
}

func TestNewTableRefusesUnclearTables(t *testing.T) {
	ok := map[string]rbac.Policy{"GET /x": rbac.Role("a")}
	if _, err := chiguard.NewTable(0, ok); err == nil || !strings.Contains(err.Error(), "explicit") {
		t.Fatalf("no default chosen: %v", err)
	}
	for _, key := range []string{"GET", "/x", "get /x", "GET x", "GET  ", " /x", "GET {x}", "G/ET /x"} {
		if _, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{key: rbac.Role("a")}); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	_, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{"GET /x": rbac.Role("a"), " GET /x ": rbac.Role("b")})
	if err == nil || !strings.Contains(err.Error(), "two rules") {
		t.Fatalf("duplicate rule: %v", err)
	}
}

func TestRulesLoadFromConfiguration(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	var rules map[string]rbac.Rule
	err := json.Unmarshal([]byte(`{
		"GET /api/items/":        {"any_scopes": ["items:read", "items:admin"]},
		"DELETE /api/items/{id}": {"any_of": [{"all_roles": ["admin"]}, {"all_permissions": ["items:delete"]}]}
	}`), &rules)
	if err != nil {
		t.Fatal(err)
	}
	table, err := chiguard.NewTableFromRules(chiguard.AllowUnlisted, rules)
	if err != nil {
		t.Fatal(err)
	}
	run(t, iss, api(v, table), []call{
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "items:admin"}, 200, ""},
		{"GET", "/api/items/", jwttest.ClaimsSet{"scope": "x"}, 403, forbidden + `, scope="items:read"`}, // the first alternative
		{"DELETE", "/api/items/1", jwttest.ClaimsSet{"permissions": []string{"items:delete"}}, 403, ""},
		{"DELETE", "/api/items/1", jwttest.ClaimsSet{"roles": []string{"admin"}}, 200, ""},
	})
	if _, err := chiguard.NewTableFromRules(chiguard.AllowUnlisted, map[string]rbac.Rule{"GET /x": {}}); err == nil ||
		!strings.Contains(err.Error(), `rule "GET /x"`) {
		t.Fatalf("empty rule: %v", err)
	}
}
