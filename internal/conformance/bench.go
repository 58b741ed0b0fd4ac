package conformance

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// Benchmark measures what jwtguard costs in a router next to what it costs
// in net/http, in one run, for the same valid RS256 token on GET /items
// (scope items:read): four sub-benchmarks, "nethttp/bare",
// "nethttp/guarded", name+"/bare" and name+"/guarded", where bare is the
// router with the same routes and no jwtguard. The adapter's own cost is
//
//	(name/guarded - name/bare) / (nethttp/guarded - nethttp/bare)
//
// which excludes the router's own cost; make bench-adapters computes it.
func Benchmark(b *testing.B, name string, guarded Stack, bare func([]Route) http.Handler) {
	// The verified-token cache is off: every request pays the whole
	// verification, the cost the adapters are compared on.
	env, v, m := NewEnv(b, middleware.WithTokenCache(0, 0))
	routes := benchRoutes(Routes())
	tok := env.Mint(b, jwttest.ClaimsSet{"scope": "openid items:read", "roles": []string{"viewer"}})
	opts := Options(Default, m)
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"nethttp/bare", BareNetHTTP(routes)},
		{"nethttp/guarded", NetHTTP.Handler(v, opts, routes)},
		{name + "/bare", bare(routes)},
		{name + "/guarded", guarded.Handler(v, opts, routes)},
	}
	for _, hh := range handlers {
		b.Run(hh.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/items", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				hh.h.ServeHTTP(w, req)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// benchRoutes gives every route a handler that answers 204 and nothing
// else, so the benchmark measures the stack, not the handler.
func benchRoutes(routes []Route) []Route {
	out := make([]Route, len(routes))
	for i, r := range routes {
		r.Handler = noContent
		out[i] = r
	}
	return out
}

var noContent = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
