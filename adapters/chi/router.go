package chiguard

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Router returns r with the table attached: every handler registered
// through the returned chi.Router (Get, Post, Handle, Method, …, in Route,
// Group and With too) is wrapped so that the rule of its route is checked
// when chi dispatches to it, after chi's routing and after all middleware
// in front of it (Protect included, wherever it is used). Register every
// route through it, and mount subrouters built with the same table's
// Router; any other handler mounted through it (http.FileServer, a plain
// chi router) is one route to the table, "METHOD /prefix/*". A custom
// NotFound or MethodNotAllowed handler set through it runs only under
// AllowUnlisted. Routes registered on r directly are not checked: Check
// reports them.
//
//	r := chi.NewRouter()
//	r.Use(middleware.StripSlashes, chiguard.Protect(v))
//	api := table.Router(r)
//	api.Get("/api/items", listItems)
//
// The check runs where chi dispatches, in front of the handler only, so
// middleware registered with Use or With (on r or on any router under it)
// runs before it, for requests the table then refuses too: such middleware
// sees verified claims, not the rule's verdict. Keep it free of effects a
// refused request must not have (writing, charging, logging a business
// event); put those in the handler, or wrap the handler you register with
// them (api.Get("/items", audit(listItems))): that runs after the check.
//
// Requests are checked only when chi's routing of them began at a router
// given to Router (the root router, usually): a table router mounted under
// a router the table was not given would see mount prefixes its rules were
// not written for, so its requests are refused, in either mode. Give the
// outer router to Router too, and mount through it.
func (t *Table) Router(r chi.Router) chi.Router {
	if g, ok := r.(*router); ok && g.t == t {
		return g
	}
	t.roots.Store(chi.Routes(r), struct{}{})
	return &router{t: t, mux: r}
}

// router is a chi.Router that registers the table's check with every
// handler.
type router struct {
	t   *Table
	mux chi.Router
}

func (g *router) endpoint(method, pattern string, h http.Handler) http.Handler {
	return &endpoint{t: g.t, method: strings.ToUpper(method), pattern: pattern, next: h}
}

func (g *router) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }
func (g *router) Routes() []chi.Route                              { return g.mux.Routes() }
func (g *router) Middlewares() chi.Middlewares                     { return g.mux.Middlewares() }
func (g *router) Match(rctx *chi.Context, method, path string) bool {
	return g.mux.Match(rctx, method, path)
}
func (g *router) Find(rctx *chi.Context, method, path string) string {
	return g.mux.Find(rctx, method, path)
}

func (g *router) Use(middlewares ...func(http.Handler) http.Handler) { g.mux.Use(middlewares...) }

func (g *router) With(middlewares ...func(http.Handler) http.Handler) chi.Router {
	return &router{t: g.t, mux: g.mux.With(middlewares...)}
}

func (g *router) Group(fn func(r chi.Router)) chi.Router {
	return &router{t: g.t, mux: g.mux.Group(func(r chi.Router) {
		if fn != nil {
			fn(&router{t: g.t, mux: r})
		}
	})}
}

func (g *router) Route(pattern string, fn func(r chi.Router)) chi.Router {
	sub := &router{t: g.t, mux: chi.NewRouter()}
	if fn != nil {
		fn(sub)
	}
	g.t.subs.Store(chi.Routes(sub.mux), struct{}{})
	g.mux.Mount(pattern, sub.mux)
	return sub
}

// Mount attaches h at pattern. A router of this table is mounted as it is:
// its routes carry their own checks. Anything else is checked at the mount
// as one route.
func (g *router) Mount(pattern string, h http.Handler) {
	if sub, ok := h.(*router); ok && sub.t == g.t {
		g.t.subs.Store(chi.Routes(sub.mux), struct{}{})
		g.mux.Mount(pattern, sub.mux)
		return
	}
	if h == nil {
		g.mux.Mount(pattern, nil) // chi's own panic names the pattern
		return
	}
	g.mux.Mount(pattern, &mounted{t: g.t, h: h})
}

// Handle registers h for every method, or for one when the pattern starts
// with it ("GET /items"), as chi does.
func (g *router) Handle(pattern string, h http.Handler) {
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		g.Method(pattern[:i], strings.TrimLeft(pattern[i+1:], " \t"), h)
		return
	}
	g.mux.Handle(pattern, g.endpoint("", pattern, h))
}

func (g *router) HandleFunc(pattern string, h http.HandlerFunc) { g.Handle(pattern, h) }

func (g *router) Method(method, pattern string, h http.Handler) {
	g.mux.Method(method, pattern, g.endpoint(method, pattern, h))
}

func (g *router) MethodFunc(method, pattern string, h http.HandlerFunc) { g.Method(method, pattern, h) }

func (g *router) Connect(pattern string, h http.HandlerFunc) {
	g.Method(http.MethodConnect, pattern, h)
}
func (g *router) Delete(pattern string, h http.HandlerFunc) { g.Method(http.MethodDelete, pattern, h) }
func (g *router) Get(pattern string, h http.HandlerFunc)    { g.Method(http.MethodGet, pattern, h) }
func (g *router) Head(pattern string, h http.HandlerFunc)   { g.Method(http.MethodHead, pattern, h) }
func (g *router) Options(pattern string, h http.HandlerFunc) {
	g.Method(http.MethodOptions, pattern, h)
}
func (g *router) Patch(pattern string, h http.HandlerFunc) { g.Method(http.MethodPatch, pattern, h) }
func (g *router) Post(pattern string, h http.HandlerFunc)  { g.Method(http.MethodPost, pattern, h) }
func (g *router) Put(pattern string, h http.HandlerFunc)   { g.Method(http.MethodPut, pattern, h) }
func (g *router) Query(pattern string, h http.HandlerFunc) { g.Method("QUERY", pattern, h) }
func (g *router) Trace(pattern string, h http.HandlerFunc) { g.Method(http.MethodTrace, pattern, h) }

func (g *router) NotFound(h http.HandlerFunc) {
	g.mux.NotFound((&unrouted{t: g.t, next: h}).ServeHTTP)
}

func (g *router) MethodNotAllowed(h http.HandlerFunc) {
	g.mux.MethodNotAllowed((&unrouted{t: g.t, next: h}).ServeHTTP)
}
