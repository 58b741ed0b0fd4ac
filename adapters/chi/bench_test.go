package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jwtguard/jwtguard/internal/conformance"
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
