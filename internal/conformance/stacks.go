package conformance

import (
	"net/http"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
)

// NetHTTP is the reference stack: nethttp.Protect around a ServeMux, and
// nethttp.Require per route.
var NetHTTP Stack = StackFunc(func(v *middleware.Verifier, opts []nethttp.Option, routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		h := rt.Handler
		if rt.Policy != nil {
			h = nethttp.Require(*rt.Policy, opts...)(h)
		}
		mux.Handle(rt.Method+" "+rt.Path, h)
	}
	return nethttp.Protect(v, opts...)(mux)
})

// BareNetHTTP is the reference stack without jwtguard: the same ServeMux.
func BareNetHTTP(routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}
	return mux
}
