package chiguard_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/internal/conformance"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

func bareChi(routes []conformance.Route) http.Handler {
	r := chi.NewRouter()
	for _, rt := range routes {
		r.Method(rt.Method, rt.Path, rt.Handler)
	}
	return r
}

// BenchmarkOverhead: chiguard's cost over the bare router next to
// nethttp's over a bare ServeMux (see conformance.Benchmark).
func BenchmarkOverhead(b *testing.B) {
	b.Run("Require", func(b *testing.B) {
		conformance.Benchmark(b, "chi", conformance.StackFunc(chiStack), bareChi)
	})
	b.Run("table", func(b *testing.B) {
		conformance.Benchmark(b, "chi", conformance.StackFunc(tableStack), bareChi)
	})
}

// BenchmarkTable measures the route table alone (the route's key and the
// policy) on a request that already carries verified claims, next to the
// same router without the table.
func BenchmarkTable(b *testing.B) {
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/items/{id}": rbac.Scope("items:read"),
	})
	if err != nil {
		b.Fatal(err)
	}
	claims := &authmw.Claims{Subject: "alice"}
	mapper := rbac.MustNewMapper(rbac.Default())
	authorities := mapper.MapClaims(map[string]any{"scope": "items:read"})
	withClaims := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := rbac.WithAuthorities(authmw.WithClaims(r.Context(), claims), authorities)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	for _, tc := range []struct {
		name  string
		table bool
	}{{"without table", false}, {"with table", true}} {
		r := chi.NewRouter()
		r.Use(withClaims)
		var routes chi.Router = r
		if tc.table {
			routes = table.Router(r)
		}
		routes.Get("/api/items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
		req := httptest.NewRequest(http.MethodGet, "/api/items/42", nil)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
