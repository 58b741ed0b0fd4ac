package nethttp_test

import (
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard/internal/conformance"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
)

// guardStack builds the reference server from one Guard, the way adapters
// do.
func guardStack(v *middleware.Verifier, opts []nethttp.Option, routes []conformance.Route) http.Handler {
	g := nethttp.NewGuard(v, opts...)
	mux := http.NewServeMux()
	for _, rt := range routes {
		h := rt.Handler
		if rt.Policy != nil {
			h = g.Require(*rt.Policy)(h)
		}
		mux.Handle(rt.Method+" "+rt.Path, h)
	}
	return g.Protect(mux)
}

func TestConformance(t *testing.T) {
	t.Run("Protect and Require", func(t *testing.T) { conformance.Run(t, conformance.NetHTTP) })
	t.Run("Guard", func(t *testing.T) { conformance.Run(t, conformance.StackFunc(guardStack)) })
}
