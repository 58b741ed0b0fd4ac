package chiguard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

// A route of the random router: where it is registered, as what, and the
// full key the reference (this test, by construction) gives it.
type propRoute struct {
	id      int
	method  string // "" for Handle (every method)
	pattern string // as registered on its router
	key     string // full pattern from the root
	path    string // a concrete path it matches
}

var propMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}

// The route table's invariant as a property: over random routers (mounts,
// Route, Group, With, Handle and Method registrations, path and method
// rewriting middleware on the root) and random rules, every request to
// every registered route with every method reaches exactly the handler the
// same router without the table dispatches to, and only if that handler's
// own rule (looked up by this test's plain reference) allows the request;
// otherwise the request is refused and no handler runs.
func TestEveryDispatchIsCheckedAgainstItsRoutesRule(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	mapper := rbac.MustNewMapper(rbac.Default())
	for round := range 40 {
		routes := randomRoutes(rng)
		rules := map[string]rbac.Policy{}
		ref := map[string]map[string]string{} // key -> method -> scope
		for _, rt := range routes {
			if rng.IntN(4) == 0 {
				continue // unlisted
			}
			m := rt.method
			if m == "" || rng.IntN(4) == 0 {
				m = "*"
			}
			if _, dup := ref[rt.key][m]; dup {
				continue
			}
			scope := fmt.Sprint("s", rt.id)
			rules[m+" "+rt.key] = rbac.Scope(scope)
			if ref[rt.key] == nil {
				ref[rt.key] = map[string]string{}
			}
			ref[rt.key][m] = scope
		}
		unlisted := chiguard.DenyUnlisted
		if rng.IntN(2) == 0 {
			unlisted = chiguard.AllowUnlisted
		}
		table, err := chiguard.NewTable(unlisted, rules)
		if err != nil {
			t.Fatal(err)
		}
		var rewrites []func(http.Handler) http.Handler
		for _, mw := range []func(http.Handler) http.Handler{middleware.StripSlashes, middleware.CleanPath, middleware.GetHead} {
			if rng.IntN(2) == 0 {
				rewrites = append(rewrites, mw)
			}
		}
		plain := buildProp(nil, routes, rewrites)
		guarded := buildProp(table, routes, rewrites)
		if err := table.Check(guarded); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, rt := range routes {
			for _, path := range []string{rt.path, rt.path + "/", strings.Replace(rt.path, "/", "//", 1), "/." + rt.path} {
				for _, method := range propMethods {
					var scopes []string
					for _, other := range routes {
						if rng.IntN(3) == 0 {
							scopes = append(scopes, fmt.Sprint("s", other.id))
						}
					}
					granted := mapper.MapClaims(map[string]any{"scope": strings.Join(scopes, " ")})
					ranPlain, _ := serveProp(plain, method, path, granted)
					ranGuarded, status := serveProp(guarded, method, path, granted)
					want := ranPlain
					if ranPlain != "" && !allowedByRef(ref, unlisted, ranPlain, scopes) {
						want = ""
					}
					if ranGuarded != want {
						t.Fatalf("round %d: %s %s: the table ran %q (status %d); want %q (chi alone runs %q; rules %v)",
							round, method, path, ranGuarded, status, want, ranPlain, ref)
					}
					if ranPlain != "" && want == "" && status != http.StatusForbidden {
						t.Fatalf("round %d: %s %s refused with %d, want 403", round, method, path, status)
					}
				}
			}
		}
	}
}

// allowedByRef is the plain reference: the rule for the method the handler
// ran for and its key, or the key's "*" rule, or the unlisted choice.
func allowedByRef(ref map[string]map[string]string, unlisted chiguard.Unlisted, ran string, scopes []string) bool {
	method, key, _ := strings.Cut(ran, " ")
	scope, listed := ref[key][method]
	if !listed {
		scope, listed = ref[key]["*"]
	}
	if !listed {
		return unlisted == chiguard.AllowUnlisted
	}
	for _, s := range scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// randomRoutes places a few routes on the root, in Route, Group and With
// blocks and in a mounted router, with patterns chi users write.
func randomRoutes(rng *rand.Rand) []propRoute {
	shapes := []struct{ pattern, path string }{
		{"/a", "/a"}, {"/a/", "/a/"}, {"/b/{id}", "/b/7"}, {"/c/*", "/c/x/y"},
		{"/d/{id:[0-9]+}/x", "/d/42/x"}, {"/", "/"}, {"/e", "/e"},
	}
	var out []propRoute
	seen := map[string]bool{}
	for _, place := range []string{"", "", "/api", "/api", "/m", "/m", "group", "with"} {
		s := shapes[rng.IntN(len(shapes))]
		method := propMethods[rng.IntN(len(propMethods))]
		if rng.IntN(4) == 0 {
			method = ""
		}
		prefix := place
		if place == "group" || place == "with" {
			prefix = ""
		}
		key := prefix + s.pattern
		if seen[key] { // one registration per full pattern keeps chi's own answer simple
			continue
		}
		seen[key] = true
		out = append(out, propRoute{id: len(out), method: method, pattern: s.pattern, key: key,
			path: prefix + s.path})
		out[len(out)-1].pattern = place + "|" + s.pattern
	}
	return out
}

// buildProp registers routes on a router, through table when it is not
// nil. Each handler answers with the method it was routed by and its key.
func buildProp(table *chiguard.Table, routes []propRoute, rewrites []func(http.Handler) http.Handler) chi.Router {
	wrap := func(r chi.Router) chi.Router {
		if table == nil {
			return r
		}
		return table.Router(r)
	}
	root := chi.NewRouter()
	root.Use(rewrites...)
	root.Use(withScopes)
	r := wrap(root)
	byPlace := map[string][]propRoute{}
	for _, rt := range routes {
		place, _, _ := strings.Cut(rt.pattern, "|")
		byPlace[place] = append(byPlace[place], rt)
	}
	register := func(r chi.Router, rts []propRoute) {
		for _, rt := range rts {
			_, pattern, _ := strings.Cut(rt.pattern, "|")
			h := func(w http.ResponseWriter, req *http.Request) {
				method := chi.RouteContext(req.Context()).RouteMethod
				w.Header().Set("X-Ran", method+" "+rt.key)
			}
			if rt.method == "" {
				r.HandleFunc(pattern, h)
			} else {
				r.MethodFunc(rt.method, pattern, h)
			}
		}
	}
	register(r, byPlace[""])
	if len(byPlace["/api"]) > 0 {
		r.Route("/api", func(r chi.Router) { register(r, byPlace["/api"]) })
	}
	if len(byPlace["/m"]) > 0 {
		m := wrap(chi.NewRouter())
		register(m, byPlace["/m"])
		r.Mount("/m", m)
	}
	r.Group(func(r chi.Router) { register(r, byPlace["group"]) })
	register(r.With(func(next http.Handler) http.Handler { return next }), byPlace["with"])
	return root
}

type scopesKey struct{}

// withScopes puts verified-looking claims with the request's authorities
// in its context: the property is about routing, not tokens.
func withScopes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := r.Context().Value(scopesKey{}).(*rbac.Authorities)
		ctx := rbac.WithAuthorities(authmw.WithClaims(r.Context(), &authmw.Claims{Subject: "u"}), a)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func serveProp(h http.Handler, method, path string, granted *rbac.Authorities) (string, int) {
	req := httptest.NewRequest(method, "http://example.test/", nil)
	req.URL.Path = path
	req = req.WithContext(context.WithValue(req.Context(), scopesKey{}, granted))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Header().Get("X-Ran"), w.Code
}
