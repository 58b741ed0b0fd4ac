package nethttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
)

// BenchmarkProtect measures the whole middleware (extract, verify, context,
// inner handler) without the network, next to the bare handler.
func BenchmarkProtect(b *testing.B) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		b.Fatal(err)
	}
	defer iss.Close()
	newV := func(opts ...middleware.Option) *middleware.Verifier {
		v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
			append([]middleware.Option{quiet, middleware.WithStartupFetch()}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = v.Close() })
		return v
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/api/items", nil)
	req.Header.Set("Authorization", "Bearer "+iss.MustMint(jwttest.Claims{"sub": "alice"}))
	for name, h := range map[string]http.Handler{
		"bare handler":         inner,
		"protected":            nethttp.Protect(newV(middleware.WithTokenCache(0, 0)))(inner),
		"protected, cache hit": nethttp.Protect(newV())(inner),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
