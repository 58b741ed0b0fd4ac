package chiguard_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/internal/conformance"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/rbac"
)

// adminData is what the admin-only handlers answer: a refused request must
// never see it, in its body or its headers.
func adminData(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("X-Admin", "secret")
	_, _ = io.WriteString(w, "admin data")
}

var (
	viewer = jwttest.ClaimsSet{"roles": []string{"viewer"}}
	admin  = jwttest.ClaimsSet{"roles": []string{"admin"}}
)

func mustTable(t *testing.T, unlisted chiguard.Unlisted, rules map[string]rbac.Policy) *chiguard.Table {
	t.Helper()
	table, err := chiguard.NewTable(unlisted, rules)
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// expect sends each request with a token minted from its claims and checks
// the status, the challenge when the call names one, and that a refused
// request never reached the handler.
func expect(t *testing.T, iss *jwttest.Issuer, h http.Handler, calls []call) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, c := range calls {
		token := ""
		if c.claims != nil {
			token = iss.MustMint(c.claims)
		}
		resp, body := conformance.Call(t, c.method, srv.URL+c.path, token)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s %v: status %d, want %d (%q)", c.method, c.path, c.claims, resp.StatusCode, c.status, body)
		}
		if got := resp.Header.Get("WWW-Authenticate"); c.challenge != "" && got != c.challenge {
			t.Errorf("%s %s: WWW-Authenticate %q, want %q", c.method, c.path, got, c.challenge)
		}
		if resp.StatusCode >= 400 && (strings.Contains(body, "admin data") || resp.Header.Get("X-Admin") != "") {
			t.Errorf("%s %s: refused with %d, yet the handler ran", c.method, c.path, resp.StatusCode)
		}
	}
}

// The outside review's four reproductions: each answered 200 with the
// admin data to a viewer when the table matched routes on its own.
func TestPathAndMethodRewritesCannotBypassTheTable(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	rules := map[string]rbac.Policy{"GET /api/admin": rbac.Role("admin"), "GET /admin": rbac.Role("admin")}

	t.Run("StripSlashes on the root router", func(t *testing.T) {
		table := mustTable(t, chiguard.DenyUnlisted, rules)
		r := chi.NewRouter()
		r.Use(middleware.StripSlashes)
		table.Router(r).Route("/api", func(r chi.Router) {
			r.Use(chiguard.Protect(v))
			r.Get("/admin", adminData)
		})
		expect(t, iss, r, []call{
			{"GET", "/api/admin", viewer, 403, ""},
			{"GET", "/api/admin/", viewer, 403, ""},
			{"GET", "/api/admin/", admin, 200, ""},
		})
	})
	t.Run("CleanPath on the root router", func(t *testing.T) {
		table := mustTable(t, chiguard.DenyUnlisted, rules)
		r := chi.NewRouter()
		r.Use(middleware.CleanPath)
		table.Router(r).Route("/api", func(r chi.Router) {
			r.Use(chiguard.Protect(v))
			r.Get("/admin", adminData)
		})
		expect(t, iss, r, []call{
			{"GET", "/api//admin", viewer, 403, ""},
			{"GET", "/api/./admin", viewer, 403, ""},
			{"GET", "/api//admin", admin, 200, ""},
		})
	})
	t.Run("a path rewrite after Protect", func(t *testing.T) {
		table := mustTable(t, chiguard.DenyUnlisted, rules)
		r := chi.NewRouter()
		r.Use(chiguard.Protect(v), middleware.StripSlashes)
		table.Router(r).Get("/admin", adminData)
		expect(t, iss, r, []call{
			{"GET", "/admin/", viewer, 403, ""},
			{"GET", "/admin", viewer, 403, ""},
			{"GET", "/admin/", admin, 200, ""},
		})
	})
	t.Run("GetHead routes HEAD to the GET handler, with its rule", func(t *testing.T) {
		table := mustTable(t, chiguard.DenyUnlisted, rules)
		r := chi.NewRouter()
		r.Use(middleware.GetHead, chiguard.Protect(v))
		table.Router(r).Get("/admin", adminData)
		expect(t, iss, r, []call{
			{"HEAD", "/admin", viewer, 403, ""},
			{"HEAD", "/admin", admin, 200, ""},
		})
	})
}

// A middleware that makes chi route a request by another method than its
// own (rctx.RouteMethod) cannot make the rule of one method cover a handler
// that acts on the request's: such a request is refused. GetHead's HEAD as
// GET is the one rewrite with a rule (the GET route's).
func TestARouteMethodRewriteIsRefused(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	rules := map[string]rbac.Policy{"GET /items": rbac.Role("viewer"), "DELETE /items": rbac.Role("admin"),
		"GET /get": rbac.Role("viewer"), "GET /files/*": rbac.Role("viewer"), "DELETE /files/*": rbac.Role("admin")}
	asGet := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			chi.RouteContext(r.Context()).RouteMethod = http.MethodGet
			next.ServeHTTP(w, r)
		})
	}
	byMethod := func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			adminData(w, r)
		}
	}
	files := http.NewServeMux()
	files.HandleFunc("/", byMethod)
	table := mustTable(t, chiguard.DenyUnlisted, rules)
	r := chi.NewRouter()
	r.Use(chiguard.Protect(v), asGet)
	tr := table.Router(r)
	tr.Handle("/items", http.HandlerFunc(byMethod))
	tr.Get("/get", byMethod)
	tr.Mount("/files", files)
	expect(t, iss, r, []call{
		{"DELETE", "/items", viewer, 403, ""},
		{"DELETE", "/get", viewer, 403, ""},
		{"DELETE", "/files/x", viewer, 403, ""},
		{"DELETE", "/items", admin, 403, ""}, // no rule can be determined: refused whoever asks
		{"GET", "/items", viewer, 200, ""},
		{"HEAD", "/get", viewer, 200, ""}, // HEAD routed as GET: the GET rule
	})
}

// A handler mounted through the table answers chi's Match as chi answers for
// a plain mounted handler (every method): GetHead leaves a HEAD to it as
// HEAD, and a HEAD rule on the mount applies.
func TestAHeadRuleOnAMountedHandlerApplies(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /files/*": rbac.Role("viewer"), "HEAD /files/*": rbac.Role("admin")})
	r := chi.NewRouter()
	r.Use(middleware.GetHead, chiguard.Protect(v))
	table.Router(r).Mount("/files", http.HandlerFunc(adminData))
	expect(t, iss, r, []call{
		{"HEAD", "/files/a", viewer, 403, ""},
		{"HEAD", "/files/a", admin, 200, ""},
		{"GET", "/files/a", viewer, 200, ""},
	})
	if err := table.Check(r); err != nil {
		t.Fatal(err)
	}
}

// Every way chi composes routers keeps the rule of the handler that runs.
func TestTheTableHoldsThroughEveryCompositionOfRouters(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /mounted/admin":   rbac.Role("admin"),
		"GET /route/admin":     rbac.Role("admin"),
		"GET /group/admin":     rbac.Role("admin"),
		"GET /with/admin":      rbac.Role("admin"),
		"GET /nested/in/admin": rbac.Role("admin"),
		"GET /static/*":        rbac.Role("admin"),
		"* /legacy/*":          rbac.Role("admin"),
		"GET /open":            rbac.Authenticated(),
	})
	r := chi.NewRouter()
	r.Use(middleware.StripSlashes)
	tr := table.Router(r)

	mounted := table.Router(chi.NewRouter())
	mounted.Use(chiguard.Protect(v))
	mounted.Get("/admin", adminData)
	tr.Mount("/mounted", mounted)

	tr.Route("/route", func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Get("/admin", adminData)
	})
	tr.Group(func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Get("/group/admin", adminData)
		r.Get("/open", adminData)
	})
	tr.With(chiguard.Protect(v)).Get("/with/admin", adminData)
	tr.Route("/nested", func(r chi.Router) {
		r.Use(chiguard.Protect(v))
		r.Route("/in", func(r chi.Router) { r.Get("/admin", adminData) })
	})
	// Handlers the table does not see into are one route each.
	tr.With(chiguard.Protect(v)).Mount("/static", http.HandlerFunc(adminData))
	legacy := chi.NewRouter() // a plain chi router: its inner routes carry no check
	legacy.Get("/admin", adminData)
	legacy.Post("/admin", adminData)
	tr.With(chiguard.Protect(v)).Mount("/legacy", legacy)

	if err := table.Check(r); err != nil {
		t.Fatal(err)
	}
	var calls []call
	for _, p := range []string{"/mounted/admin", "/route/admin", "/group/admin", "/with/admin", "/nested/in/admin",
		"/static/x/y", "/legacy/admin", "/mounted/admin/", "/route/admin/", "/nested/in/admin/"} {
		calls = append(calls, call{"GET", p, viewer, 403, ""}, call{"GET", p, admin, 200, ""}, call{"GET", p, nil, 401, ""})
	}
	calls = append(calls,
		call{"POST", "/legacy/admin", viewer, 403, ""},
		call{"POST", "/legacy/admin", admin, 200, ""},
		call{"POST", "/static/x", admin, 403, ""}, // no POST rule: DenyUnlisted
		call{"GET", "/open", viewer, 200, ""},
	)
	expect(t, iss, r, calls)
}

// Custom NotFound and MethodNotAllowed handlers are application code that
// no rule covers: under DenyUnlisted they never run; under AllowUnlisted
// they do. chi's own 404 and 405 answers carry nothing and stay.
func TestCustomNotFoundAndMethodNotAllowedHandlers(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	for _, mode := range []chiguard.Unlisted{chiguard.DenyUnlisted, chiguard.AllowUnlisted} {
		table := mustTable(t, mode, map[string]rbac.Policy{"GET /admin": rbac.Role("admin")})
		r := chi.NewRouter()
		r.Use(chiguard.Protect(v))
		tr := table.Router(r)
		tr.Get("/admin", adminData)
		tr.NotFound(adminData)
		tr.MethodNotAllowed(adminData)
		sub := table.Router(chi.NewRouter())
		sub.Get("/x", adminData)
		tr.Mount("/sub", sub) // inherits the custom handlers
		want := 403
		if mode == chiguard.AllowUnlisted {
			want = 200
		}
		expect(t, iss, r, []call{
			{"GET", "/nothing", admin, want, ""},
			{"POST", "/admin", admin, want, ""},
			{"GET", "/sub/nothing", admin, want, ""},
			{"GET", "/admin", viewer, 403, ""},
		})
	}
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{"GET /admin": rbac.Role("admin")})
	r := chi.NewRouter()
	r.Use(chiguard.Protect(v))
	table.Router(r).Get("/admin", adminData)
	expect(t, iss, r, []call{{"GET", "/nothing", admin, 404, ""}, {"POST", "/admin", admin, 405, ""}})
}

// A handler registered through the table but reached outside chi's routing
// has no route to take a rule from: refused even under AllowUnlisted.
func TestAHandlerReachedOutsideRoutingIsRefused(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.AllowUnlisted, map[string]rbac.Policy{})
	var h http.Handler
	capture := table.Router(chi.NewRouter())
	capture.With(func(next http.Handler) http.Handler { h = next; return next }).Get("/x", adminData)
	expect(t, iss, chiguard.Protect(v)(h), []call{{"GET", "/x", admin, 403, ""}})
}

// Check reports a rule whose route was registered outside the table: it
// would never be enforced.
func TestCheckNamesRulesThatWouldNotBeEnforced(t *testing.T) {
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /direct": rbac.Role("admin"), "GET /through": rbac.Role("admin"), "GET /other/*": rbac.Role("admin"),
	})
	other := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{"GET /other/*": rbac.Role("admin")})
	r := chi.NewRouter()
	r.Get("/direct", adminData)
	r.Get("/public", adminData) // no rule, outside the table: the application's choice
	table.Router(r).Get("/through", adminData)
	other.Router(r).Mount("/other", http.HandlerFunc(adminData))
	err := table.Check(r)
	want := "chiguard: rules for routes not registered through the table's Router, never enforced: GET /direct, GET /other/*"
	if err == nil || err.Error() != want {
		t.Fatalf("Check: %v\nwant %s", err, want)
	}
}

// A route registered directly on a router that is mounted through the
// table runs unchecked: under DenyUnlisted, Check names it (on the root
// router such a route is the application's choice; under AllowUnlisted an
// unlisted route passes anyway).
func TestCheckNamesUncheckedRoutesInRoutersMountedThroughTheTable(t *testing.T) {
	for _, mode := range []chiguard.Unlisted{chiguard.DenyUnlisted, chiguard.AllowUnlisted} {
		table := mustTable(t, mode, map[string]rbac.Policy{"GET /api/items": rbac.Role("viewer")})
		r := chi.NewRouter()
		r.Get("/healthz", adminData) // the root's own: not reported
		raw := chi.NewRouter()
		raw.Get("/raw", adminData) // on a router mounted through the table
		api := table.Router(raw)
		api.Get("/items", adminData)
		root := table.Router(r)
		root.Mount("/api", api)
		root.Route("/v2", func(v2 chi.Router) { v2.Get("/items", adminData) }) // checked, unlisted: refused at request time
		err := table.Check(r)
		if mode == chiguard.AllowUnlisted {
			if err != nil {
				t.Fatalf("AllowUnlisted: %v", err)
			}
			continue
		}
		want := "chiguard: routes registered directly on a router mounted through the table, which run unchecked " +
			"despite DenyUnlisted (register them through the table's Router): GET /api/raw"
		if err == nil || err.Error() != want {
			t.Fatalf("Check: %v\nwant %s", err, want)
		}
	}
}

// Check on a router the table was not given says that its requests are
// refused, rather than approve rules no request could pass.
func TestCheckOfARouterTheTableWasNotGiven(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{"GET /api/items": rbac.Role("viewer")})
	sub := table.Router(chi.NewRouter())
	sub.Get("/items", adminData)
	raw := chi.NewRouter()
	raw.Use(chiguard.Protect(v))
	raw.Mount("/api", sub)
	if err := table.Check(raw); err == nil || !strings.Contains(err.Error(), "not given to this table's Router") {
		t.Fatalf("Check: %v", err)
	}
	expect(t, iss, raw, []call{{"GET", "/api/items", viewer, 403, ""}}) // as Check said
	root := table.Router(raw)
	if err := table.Check(root); err != nil {
		t.Fatalf("once given: %v", err)
	}
	expect(t, iss, raw, []call{{"GET", "/api/items", viewer, 200, ""}})
}

// A table router mounted under a router the table was not given would see
// a mount prefix its rules were not written for ("/v1/items" for the rule
// "GET /items"): under AllowUnlisted that would pass unchecked, so such
// requests are refused in either mode. Given the outer router too, the
// table checks them under their full patterns.
func TestATableRouterMountedUnderAnUnknownRouterIsRefused(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.AllowUnlisted, map[string]rbac.Policy{"GET /items": rbac.Role("admin")})
	api := chi.NewRouter()
	api.Use(chiguard.Protect(v))
	table.Router(api).Get("/items", adminData)
	if err := table.Check(api); err != nil {
		t.Fatal(err)
	}
	outer := chi.NewRouter()
	outer.Mount("/v1", api)
	expect(t, iss, outer, []call{
		{"GET", "/v1/items", viewer, 403, ""},
		{"GET", "/v1/items", admin, 403, ""},
	})
	expect(t, iss, api, []call{{"GET", "/items", viewer, 403, ""}, {"GET", "/items", admin, 200, ""}})

	known := mustTable(t, chiguard.AllowUnlisted, map[string]rbac.Policy{"GET /v1/items": rbac.Role("admin")})
	sub := known.Router(chi.NewRouter())
	sub.Use(chiguard.Protect(v))
	sub.Get("/items", adminData)
	root := chi.NewRouter()
	known.Router(root).Mount("/v1", sub)
	expect(t, iss, root, []call{{"GET", "/v1/items", viewer, 403, ""}, {"GET", "/v1/items", admin, 200, ""}})
}

// Middleware registered with Use or With runs before the table's check (it
// is in front of the handler chi dispatches to); a handler wrapped at
// registration runs after it, and never for a refused request.
func TestWhatRunsBeforeAndAfterTheCheck(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	table := mustTable(t, chiguard.DenyUnlisted, map[string]rbac.Policy{"GET /admin": rbac.Role("admin")})
	var before, after int
	count := func(n *int) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { *n++; next.ServeHTTP(w, r) })
		}
	}
	r := chi.NewRouter()
	r.Use(chiguard.Protect(v))
	table.Router(r).With(count(&before)).Get("/admin", count(&after)(http.HandlerFunc(adminData)).ServeHTTP)
	expect(t, iss, r, []call{{"GET", "/admin", viewer, 403, ""}, {"GET", "/admin", admin, 200, ""}})
	if before != 2 || after != 1 {
		t.Fatalf("With middleware ran %d times, the wrapped handler %d; want 2 and 1", before, after)
	}
}
