package chiguard

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Check walks routes (usually the root router) after every route is
// registered and reports the rules that would not be enforced, so that
// start-up fails rather than a route running with a rule unapplied:
//   - rules that name no route (a typo in a pattern, a route renamed
//     without its rule);
//   - rules for routes whose handler does not carry this table's check
//     (registered on a router directly instead of through Table.Router).
//
// Routes without a rule that were registered outside the table (a public
// /healthz on the root router) are the application's choice and are not
// reported. Check builds its keys as the checks build theirs at request
// time, so a rule Check accepts is the rule its route's requests meet.
func (t *Table) Check(routes chi.Routes) error {
	checked := map[string]bool{} // "METHOD pattern" and "* pattern" -> carries the check
	t.walk(routes, "", func(method, pattern string, ok bool) {
		for _, k := range []string{method + " " + pattern, "* " + pattern} {
			if v, seen := checked[k]; !seen || v {
				checked[k] = ok
			}
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
	return errors.Join(errs...)
}

// walk calls fn for every route under routes, with its full pattern as
// the checks compute it (mountPrefix) and whether its handler carries this
// table's check. A handler mounted through the table is one route, "ANY".
func (t *Table) walk(routes chi.Routes, prefix string, fn func(method, pattern string, checked bool)) {
	for _, rt := range routes.Routes() {
		if m, ok := rt.SubRoutes.(*mounted); ok {
			fn("ANY", prefix+mountPrefix([]string{rt.Pattern})+"/*", m.t == t)
			continue
		}
		if rt.SubRoutes != nil {
			t.walk(rt.SubRoutes, prefix+mountPrefix([]string{rt.Pattern}), fn)
			continue
		}
		for method, h := range rt.Handlers {
			if method == "*" { // every method is also listed on its own
				continue
			}
			fn(method, prefix+rt.Pattern, t.checks(h))
		}
	}
}

// checks reports whether h is, or ends in, this table's check.
func (t *Table) checks(h http.Handler) bool {
	if c, ok := h.(*chi.ChainHandler); ok {
		h = c.Endpoint
	}
	e, ok := h.(*endpoint)
	return ok && e.t == t
}
