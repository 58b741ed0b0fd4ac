package chiguard

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// Unlisted says what a route table does with a route it has no rule for.
// There is no default: the zero value is refused by NewTable, so every table
// states its choice.
type Unlisted int

const (
	// DenyUnlisted refuses requests to routes without a rule: 401 without a
	// verified token, 403 with one. A route added later without a rule is
	// closed until someone writes its rule.
	DenyUnlisted Unlisted = iota + 1
	// AllowUnlisted lets requests to routes without a rule through with
	// whatever Protect decided (any verified token, or anonymous under
	// nethttp.WithAnonymous).
	AllowUnlisted
)

// Table holds the authorization rules of a chi router in one place, keyed by
// route pattern and method. Its rules are attached at registration: routes
// registered through Table.Router carry the table's check in their own
// handler, so it runs after chi has routed the request, whatever the
// middleware in front did to its path or method. A Table is immutable and
// safe for concurrent use.
//
// The invariant it keeps: the rule enforced is the rule of the handler
// chi dispatches to; a request for which no rule can be determined is
// refused, never passed.
type Table struct {
	rules    map[string]map[string]rbac.Policy // pattern -> method (or "*") -> policy
	unlisted Unlisted
	guard    *nethttp.Guard
	// roots are the routers given to Router: a check accepts a request only
	// if chi's routing of it began at one of them, so that the mount
	// prefixes it reads are all ones the table's keys were written for.
	roots sync.Map // chi.Routes -> struct{}
	// subs are the routers mounted through the table's routers (Route, and
	// Mount of a table router): under DenyUnlisted, Check reports a route
	// registered on one of them directly, which would run unchecked.
	subs sync.Map // chi.Routes -> struct{}
}

// NewTable builds a route table. Each key is a method and a chi route
// pattern exactly as registered, the full pattern from the root router
// (mount and group prefixes included), for example
//
//	"GET /api/items", "DELETE /api/items/{id}", "* /api/reports/{id}"
//
// where "*" as the method matches any method without a rule of its own. A
// handler mounted through Table.Router that was not itself built with
// Table.Router (http.FileServer, a plain chi router) is one route to the
// table, keyed by its mount prefix followed by "/*" ("GET /static/*"). The
// options are those of nethttp (realm, error writer, CORS preflight).
// unlisted must be DenyUnlisted or AllowUnlisted.
func NewTable(unlisted Unlisted, rules map[string]rbac.Policy, opts ...nethttp.Option) (*Table, error) {
	if unlisted != DenyUnlisted && unlisted != AllowUnlisted {
		return nil, errors.New("chiguard: the table needs an explicit DenyUnlisted or AllowUnlisted")
	}
	t := &Table{rules: map[string]map[string]rbac.Policy{}, unlisted: unlisted, guard: nethttp.NewGuard(nil, opts...)}
	for key, p := range rules {
		method, pattern, err := parseKey(key)
		if err != nil {
			return nil, err
		}
		if t.rules[pattern] == nil {
			t.rules[pattern] = map[string]rbac.Policy{}
		}
		if _, dup := t.rules[pattern][method]; dup {
			return nil, fmt.Errorf("chiguard: two rules for %q", method+" "+pattern)
		}
		t.rules[pattern][method] = p
	}
	return t, nil
}

// NewTableFromRules is NewTable for rules in their declarative form, as
// loaded from JSON or YAML configuration. Decode JSON into an rbac.Rules,
// which refuses a key given twice (a plain map keeps the last, silently).
func NewTableFromRules(unlisted Unlisted, rules map[string]rbac.Rule, opts ...nethttp.Option) (*Table, error) {
	policies := make(map[string]rbac.Policy, len(rules))
	for key, r := range rules {
		p, err := r.Policy()
		if err != nil {
			return nil, fmt.Errorf("chiguard: rule %q: %w", key, err)
		}
		policies[key] = p
	}
	return NewTable(unlisted, policies, opts...)
}

// parseKey splits "METHOD /pattern".
func parseKey(key string) (method, pattern string, err error) {
	method, pattern, ok := strings.Cut(strings.TrimSpace(key), " ")
	pattern = strings.TrimSpace(pattern)
	if !ok || pattern == "" || pattern[0] != '/' {
		return "", "", fmt.Errorf("chiguard: rule %q: want \"METHOD /pattern\"", key)
	}
	if method != "*" && (method == "" || strings.ToUpper(method) != method || strings.ContainsAny(method, "/{}")) {
		return "", "", fmt.Errorf("chiguard: rule %q: the method must be upper case, like GET, or *", key)
	}
	return method, pattern, nil
}
