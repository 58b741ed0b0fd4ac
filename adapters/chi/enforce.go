package chiguard

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/jwtguard/jwtguard/rbac"
)

// The table's checks run inside the handlers chi dispatches to, never in
// front of the router: chi has then decided, with its own final routing
// context, which handler runs, so no path or method rewriting in between
// (StripSlashes, CleanPath, GetHead, a middleware of the application's) can
// make the rule checked differ from the handler that runs.

// endpoint is a route's handler with the table's check in front of it.
type endpoint struct {
	t       *Table
	method  string // as registered; "" when registered for every method
	pattern string // as registered on its router
	next    http.Handler
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rctx := chi.RouteContext(r.Context())
	n := 0
	if rctx != nil {
		n = len(rctx.RoutePatterns)
	}
	if n == 0 || rctx.RoutePatterns[n-1] != e.pattern || !e.t.routedFromRoot(rctx) {
		// Not reached by chi's routing to this route from a router the
		// table knows: no rule can be determined.
		e.t.refuse(w, r)
		return
	}
	// chi routed by rctx.RouteMethod to a route for it (or for every
	// method): the rule is that method's, when it is the request's own.
	method, ok := requestMethod(rctx, r)
	if !ok || e.method != "" && e.method != method {
		e.t.refuse(w, r)
		return
	}
	e.t.enforce(w, r, method, mountPrefix(rctx.RoutePatterns[:n-1])+e.pattern, e.next)
}

// mounted is a handler the table does not see into, mounted through
// Table.Router: one route to the table, keyed by its prefix and "/*".
type mounted struct {
	t *Table
	h http.Handler
}

func (m *mounted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || len(rctx.RoutePatterns) == 0 || !m.t.routedFromRoot(rctx) {
		m.t.refuse(w, r)
		return
	}
	method, ok := requestMethod(rctx, r)
	if !ok {
		m.t.refuse(w, r)
		return
	}
	m.t.enforce(w, r, method, mountPrefix(rctx.RoutePatterns)+"/*", m.h)
}

// mounted is a chi.Routes so that chi records it as a subrouter (and
// chi.Walk still lists what lies under it); the table's Check recognises it
// and treats it as one route.
func (m *mounted) Routes() []chi.Route {
	if sub, ok := m.h.(chi.Routes); ok {
		return sub.Routes()
	}
	return nil
}

func (m *mounted) Middlewares() chi.Middlewares {
	if sub, ok := m.h.(chi.Routes); ok {
		return sub.Middlewares()
	}
	return nil
}

// Match and Find answer as chi does for what is mounted: a router by its
// routes, any other handler for every method and path under the mount, as
// chi answers for a plain handler it mounts itself ("/prefix/*"). GetHead
// relies on them: it routes a HEAD as GET only where no HEAD route exists.
func (m *mounted) Match(rctx *chi.Context, method, path string) bool {
	return m.Find(rctx, method, path) != ""
}

func (m *mounted) Find(rctx *chi.Context, method, path string) string {
	if sub, ok := m.h.(chi.Routes); ok {
		return sub.Find(rctx, method, path)
	}
	return "/*"
}

// unrouted is a NotFound or MethodNotAllowed handler set through
// Table.Router: application code that runs for a request no route took,
// so no rule applies to it. It runs under AllowUnlisted only.
type unrouted struct {
	t    *Table
	next http.Handler
}

func (u *unrouted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u.t.unlisted == AllowUnlisted {
		u.next.ServeHTTP(w, r)
		return
	}
	u.t.refuse(w, r)
}

// routedFromRoot reports whether chi's routing of the request began at a
// router given to Table.Router.
func (t *Table) routedFromRoot(rctx *chi.Context) bool {
	if rctx.Routes == nil {
		return false
	}
	_, ok := t.roots.Load(rctx.Routes)
	return ok
}

// requestMethod is the method whose rule applies to a request: handlers see
// r.Method (a route's handler may serve several methods, a mounted handler
// routes by itself). chi routed the request by
// rctx.RouteMethod, which a middleware may set (GetHead routes a HEAD
// request as GET when no HEAD route exists, and then the GET rule applies).
// When a middleware made it any other method than the request's, the
// handler would act on one method under another's rule: ok is false, and
// no rule can be determined.
func requestMethod(rctx *chi.Context, r *http.Request) (method string, ok bool) {
	switch m := rctx.RouteMethod; {
	case m == "" || m == r.Method:
		return r.Method, true
	case m == http.MethodGet && r.Method == http.MethodHead:
		return http.MethodGet, true
	}
	return "", false
}

// mountPrefix joins the patterns of the routers a request went through on
// its way to its route: each mount contributes its prefix, without the
// trailing "/*" or "/" that chi matched it by ("/api/*", "/api/" and
// "/api" are all the mount at "/api"). Check builds its keys the same way.
func mountPrefix(patterns []string) string {
	var b strings.Builder
	for _, p := range patterns {
		p = strings.TrimSuffix(p, "*")
		b.WriteString(strings.TrimSuffix(p, "/"))
	}
	return b.String()
}

// enforce lets r through to next if the rule for method and pattern
// allows it. A route without a rule passes only under AllowUnlisted; under
// DenyUnlisted it is checked against the zero Policy, which denies
// everything: 401 or 403 like any refusal.
func (t *Table) enforce(w http.ResponseWriter, r *http.Request, method, pattern string, next http.Handler) {
	methods := t.rules[pattern]
	policy, listed := methods[method]
	if !listed {
		policy, listed = methods["*"]
	}
	if !listed && t.unlisted == AllowUnlisted {
		next.ServeHTTP(w, r)
		return
	}
	if err := t.guard.Authorize(r, policy); err != nil {
		t.guard.WriteError(w, r, err)
		return
	}
	next.ServeHTTP(w, r)
}

// refuse answers a request whose rule cannot be determined, in either mode.
func (t *Table) refuse(w http.ResponseWriter, r *http.Request) {
	if err := t.guard.Authorize(r, rbac.Policy{}); err != nil {
		t.guard.WriteError(w, r, err)
	}
}
