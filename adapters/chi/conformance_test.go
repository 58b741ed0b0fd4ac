package chiguard_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/internal/conformance"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// chiStack protects a group with Protect and each route with r.With(Require).
func chiStack(v *authmw.Verifier, opts []nethttp.Option, routes []conformance.Route) http.Handler {
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(chiguard.Protect(v, opts...))
		for _, rt := range routes {
			rr := r
			if rt.Policy != nil {
				rr = r.With(chiguard.Require(*rt.Policy, opts...))
			}
			rr.Method(rt.Method, rt.Path, rt.Handler)
		}
	})
	return r
}

// tableStack keeps every rule in a route table. Routes that only need
// authentication have no rule, as in the other stacks, so the table lets
// unlisted routes through (DenyUnlisted has its own tests).
func tableStack(v *authmw.Verifier, opts []nethttp.Option, routes []conformance.Route) http.Handler {
	rules := map[string]rbac.Policy{}
	for _, rt := range routes {
		if rt.Policy != nil {
			rules[rt.Method+" "+rt.Path] = *rt.Policy
		}
	}
	table, err := chiguard.NewTable(chiguard.AllowUnlisted, rules, opts...)
	if err != nil {
		panic(err)
	}
	r := chi.NewRouter()
	r.Use(chiguard.Protect(v, opts...))
	tr := table.Router(r)
	for _, rt := range routes {
		tr.Method(rt.Method, rt.Path, rt.Handler)
	}
	if err := table.Check(r); err != nil {
		panic(err)
	}
	return r
}

func TestConformance(t *testing.T) {
	t.Run("Protect and Require", func(t *testing.T) { conformance.Run(t, conformance.StackFunc(chiStack)) })
	t.Run("route table", func(t *testing.T) { conformance.Run(t, conformance.StackFunc(tableStack)) })
}
