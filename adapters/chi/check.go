package chiguard

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Check walks routes, the root router given to Router, after every route is
// registered and reports the rules that would not be enforced, so that
// start-up fails rather than a route running with a rule unapplied (a
// router not given to Router is itself reported: requests routed from it
// are refused):
//   - rules that name no route (a typo in a pattern, a route renamed
//     without its rule);
//   - rules for routes whose handler does not carry this table's check
//     (registered on a router directly instead of through Table.Router);
//   - under DenyUnlisted, routes without a rule registered directly on a
//     router that is mounted through the table (with Route, or Mount of a
//     table router): they would run unchecked where every route is meant
//     to be denied unless listed.
//
// Routes without a rule that were registered on a root router outside the
// table (a public /healthz) are the application's choice and are not
// reported. Check builds its keys as the checks build theirs at request
// time, so a rule Check accepts is the rule its route's requests meet.
func (t *Table) Check(routes chi.Routes) error {
	if g, ok := routes.(*router); ok {
		routes = g.mux
	}
	if _, ok := t.roots.Load(routes); !ok {
		// Its requests would all be refused at request time (their routing
		// begins at a router the table does not know): say so now.
		return errors.New("chiguard: Check was given a router that was not given to this table's Router: " +
			"requests routed from it are refused; give the root router to Router and mount through it")
	}
	checked := map[string]bool{} // "METHOD pattern" and "* pattern" -> carries the check
	var stray []string
	t.walk(routes, "", false, func(method, pattern string, ok, inSub bool) {
		for _, k := range []string{method + " " + pattern, "* " + pattern} {
			if v, seen := checked[k]; !seen || v {
				checked[k] = ok
			}
		}
		if !ok && inSub && t.unlisted == DenyUnlisted && !t.listed(method, pattern) {
			stray = append(stray, method+" "+pattern)
		}
	})
	var missing, unenforced []string
	for pattern, methods := range t.rules {
		for method := range methods {
			k := method + " " + pattern
			ok, seen := checked[k]
			if !seen {
				ok, seen = checked["ANY "+pattern]
			}
			switch {
			case !seen:
				missing = append(missing, k)
			case !ok:
				unenforced = append(unenforced, k)
			}
		}
	}
	var errs []error
	if len(missing) > 0 {
		sort.Strings(missing)
		errs = append(errs, fmt.Errorf("chiguard: rules for routes that do not exist: %s", strings.Join(missing, ", ")))
	}
	if len(unenforced) > 0 {
		sort.Strings(unenforced)
		errs = append(errs, fmt.Errorf("chiguard: rules for routes not registered through the table's Router, never enforced: %s", strings.Join(unenforced, ", ")))
	}
	if len(stray) > 0 {
		sort.Strings(stray)
		errs = append(errs, fmt.Errorf("chiguard: routes registered directly on a router mounted through the table, "+
			"which run unchecked despite DenyUnlisted (register them through the table's Router): %s", strings.Join(stray, ", ")))
	}
	return errors.Join(errs...)
}

// walk calls fn for every route under routes, with its full pattern as
// the checks compute it (mountPrefix), whether its handler carries this
// table's check, and whether it lies in a router mounted through the table
// (inSub, for routes itself). A handler mounted through the table is one
// route, "ANY".
func (t *Table) walk(routes chi.Routes, prefix string, inSub bool, fn func(method, pattern string, checked, inSub bool)) {
	for _, rt := range routes.Routes() {
		if m, ok := rt.SubRoutes.(*mounted); ok {
			fn("ANY", prefix+mountPrefix([]string{rt.Pattern})+"/*", m.t == t, inSub)
			continue
		}
		if rt.SubRoutes != nil {
			_, sub := t.subs.Load(rt.SubRoutes)
			t.walk(rt.SubRoutes, prefix+mountPrefix([]string{rt.Pattern}), inSub || sub, fn)
			continue
		}
		for method, h := range rt.Handlers {
			if method == "*" { // every method is also listed on its own
				continue
			}
			fn(method, prefix+rt.Pattern, t.checks(h), inSub)
		}
	}
}

// listed reports whether a rule names method and pattern (or every method
// of pattern).
func (t *Table) listed(method, pattern string) bool {
	methods := t.rules[pattern]
	_, one := methods[method]
	_, every := methods["*"]
	return one || every
}

// checks reports whether h is, or ends in, this table's check.
func (t *Table) checks(h http.Handler) bool {
	if c, ok := h.(*chi.ChainHandler); ok {
		h = c.Endpoint
	}
	e, ok := h.(*endpoint)
	return ok && e.t == t
}
