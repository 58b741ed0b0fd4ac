package chiguard

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// Unlisted says what a route table does with a route it has no rule for.
// There is no default: the zero value is refused by NewTable, so every table
// states its choice.
type Unlisted int

const (
	// DenyUnlisted refuses requests to routes without a rule: 401 without a
	// verified token, 403 with one. A route added later without a rule is
	// closed until someone writes its rule.
	DenyUnlisted Unlisted = iota + 1
	// AllowUnlisted lets requests to routes without a rule through with
	// whatever Protect decided (any verified token, or anonymous under
	// nethttp.WithAnonymous).
	AllowUnlisted
)

// Table holds the authorization rules of a chi router in one place, keyed by
// route pattern and method, and enforces them as middleware. A Table is
// immutable and safe for concurrent use.
type Table struct {
	rules    map[string]map[string]rbac.Policy // pattern -> method (or "*") -> policy
	unlisted Unlisted
	guard    *nethttp.Guard
	rctx     sync.Pool // *chi.Context for route resolution
}

// NewTable builds a route table. Each key is a method and a chi route
// pattern exactly as registered, the full pattern from the root router
// (mount and group prefixes included), for example
//
//	"GET /api/items", "DELETE /api/items/{id}", "* /api/reports/{id}"
//
// where "*" as the method matches any method without a rule of its own. The
// options are those of nethttp (realm, error writer, CORS preflight). unlisted
// must be DenyUnlisted or AllowUnlisted.
func NewTable(unlisted Unlisted, rules map[string]rbac.Policy, opts ...nethttp.Option) (*Table, error) {
	if unlisted != DenyUnlisted && unlisted != AllowUnlisted {
		return nil, errors.New("chiguard: the table needs an explicit DenyUnlisted or AllowUnlisted")
	}
	t := &Table{rules: map[string]map[string]rbac.Policy{}, unlisted: unlisted, guard: nethttp.NewGuard(nil, opts...)}
	t.rctx.New = func() any { return chi.NewRouteContext() }
	for key, p := range rules {
		method, pattern, err := parseKey(key)
		if err != nil {
			return nil, err
		}
		if t.rules[pattern] == nil {
			t.rules[pattern] = map[string]rbac.Policy{}
		}
		if _, dup := t.rules[pattern][method]; dup {
			return nil, fmt.Errorf("chiguard: two rules for %q", method+" "+pattern)
		}
		t.rules[pattern][method] = p
	}
	return t, nil
}

// NewTableFromRules is NewTable for rules in their declarative form, as
// loaded from JSON or YAML configuration.
func NewTableFromRules(unlisted Unlisted, rules map[string]rbac.Rule, opts ...nethttp.Option) (*Table, error) {
	policies := make(map[string]rbac.Policy, len(rules))
	for key, r := range rules {
		p, err := r.Policy()
		if err != nil {
			return nil, fmt.Errorf("chiguard: rule %q: %w", key, err)
		}
		policies[key] = p
	}
	return NewTable(unlisted, policies, opts...)
}

// parseKey splits "METHOD /pattern".
func parseKey(key string) (method, pattern string, err error) {
	method, pattern, ok := strings.Cut(strings.TrimSpace(key), " ")
	pattern = strings.TrimSpace(pattern)
	if !ok || pattern == "" || pattern[0] != '/' {
		return "", "", fmt.Errorf("chiguard: rule %q: want \"METHOD /pattern\"", key)
	}
	if method != "*" && (method == "" || strings.ToUpper(method) != method || strings.ContainsAny(method, "/{}")) {
		return "", "", fmt.Errorf("chiguard: rule %q: the method must be upper case, like GET, or *", key)
	}
	return method, pattern, nil
}

// Middleware enforces the table. Put it behind Protect on the root router
// (r.Use(chiguard.Protect(v), table.Middleware)) or inside a group or mounted
// router: it resolves the route the request will reach, with chi's own
// matcher, before chi dispatches it. A request that matches no route goes on
// to chi's 404 or 405.
func (t *Table) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pattern, ok := t.route(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		methods := t.rules[pattern]
		policy, listed := methods[r.Method]
		if !listed {
			policy, listed = methods["*"]
		}
		if !listed && t.unlisted == AllowUnlisted {
			next.ServeHTTP(w, r)
			return
		}
		// An unlisted route under DenyUnlisted is checked against the zero
		// Policy, which denies everything: 401 or 403 like any refusal.
		if err := t.guard.Authorize(r, policy); err != nil {
			t.guard.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route finds the full pattern of the route r will reach, from the root
// router. Before the root router has routed, chi's RoutePath (set by path
// rewriting middleware such as middleware.StripSlashes) is the path it
// will route; inside a mounted router, RoutePath is only the rest of the
// path, so the request's own path is resolved from the root again.
func (t *Table) route(r *http.Request) (string, bool) {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.Routes == nil {
		return "", false
	}
	path := rctx.RoutePath
	if path == "" || len(rctx.RoutePatterns) > 0 {
		path = r.URL.RawPath
		if path == "" {
			path = r.URL.Path
		}
	}
	if path == "" {
		path = "/"
	}
	scratch := t.rctx.Get().(*chi.Context)
	scratch.Reset()
	pattern := rctx.Routes.Find(scratch, r.Method, path)
	t.rctx.Put(scratch)
	return pattern, pattern != ""
}

// Check reports the rules that name no route of routes (usually the root
// router), so that a typo in a pattern, or a route renamed without its rule,
// is caught at start-up rather than leaving the real route unprotected or
// denied. Call it after every route is registered.
func (t *Table) Check(routes chi.Routes) error {
	have := map[string]bool{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		have[method+" "+route] = true
		have["* "+route] = true
		return nil
	})
	if err != nil {
		return err
	}
	var missing []string
	for pattern, methods := range t.rules {
		for method := range methods {
			if k := method + " " + pattern; !have[k] {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("chiguard: rules for routes that do not exist: %s", strings.Join(missing, ", "))
}
