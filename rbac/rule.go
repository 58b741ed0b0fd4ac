package rbac

import (
	"errors"
	"fmt"
)

// Rule is the declarative form of a Policy, for route rules kept in
// configuration. It maps directly to JSON and YAML:
//
//	{"any_roles": ["admin", "editor"]}
//	{"all_scopes": ["items:write"]}
//	{"any_of": [{"any_roles": ["admin"]}, {"all_scopes": ["items:admin"]}]}
//	{"authenticated": true}
//
// Every field that is set must hold (they are ANDed); a rule that sets
// nothing is an error rather than a rule that allows everything.
type Rule struct {
	Authenticated  bool     `json:"authenticated,omitempty" yaml:"authenticated,omitempty"`
	AllRoles       []string `json:"all_roles,omitempty" yaml:"all_roles,omitempty"`
	AnyRoles       []string `json:"any_roles,omitempty" yaml:"any_roles,omitempty"`
	AllScopes      []string `json:"all_scopes,omitempty" yaml:"all_scopes,omitempty"`
	AnyScopes      []string `json:"any_scopes,omitempty" yaml:"any_scopes,omitempty"`
	AllPermissions []string `json:"all_permissions,omitempty" yaml:"all_permissions,omitempty"`
	AnyPermissions []string `json:"any_permissions,omitempty" yaml:"any_permissions,omitempty"`
	AllGroups      []string `json:"all_groups,omitempty" yaml:"all_groups,omitempty"`
	AnyGroups      []string `json:"any_groups,omitempty" yaml:"any_groups,omitempty"`
	AllOf          []Rule   `json:"all_of,omitempty" yaml:"all_of,omitempty"`
	AnyOf          []Rule   `json:"any_of,omitempty" yaml:"any_of,omitempty"`
}

// maxRuleDepth bounds nesting, so a hostile configuration cannot exhaust the stack.
const maxRuleDepth = 32

// Policy compiles the rule.
func (r Rule) Policy() (Policy, error) { return r.compile(0) }

func (r Rule) compile(depth int) (Policy, error) {
	if depth > maxRuleDepth {
		return Policy{}, fmt.Errorf("rbac: rule nested deeper than %d", maxRuleDepth)
	}
	var parts []Policy
	lists := []struct {
		names []string
		kind  Kind
		any   bool
		field string
	}{
		{r.AllRoles, KindRole, false, "all_roles"}, {r.AnyRoles, KindRole, true, "any_roles"},
		{r.AllScopes, KindScope, false, "all_scopes"}, {r.AnyScopes, KindScope, true, "any_scopes"},
		{r.AllPermissions, KindPermission, false, "all_permissions"}, {r.AnyPermissions, KindPermission, true, "any_permissions"},
		{r.AllGroups, KindGroup, false, "all_groups"}, {r.AnyGroups, KindGroup, true, "any_groups"},
	}
	for _, l := range lists {
		if l.names == nil {
			continue
		}
		if len(l.names) == 0 {
			return Policy{}, fmt.Errorf("rbac: %s is empty", l.field)
		}
		leaves := make([]Policy, len(l.names))
		for i, n := range l.names {
			if n == "" {
				return Policy{}, fmt.Errorf("rbac: %s holds an empty name", l.field)
			}
			leaves[i] = has(l.kind, n)
		}
		if l.any {
			parts = append(parts, AnyOf(leaves...))
		} else {
			parts = append(parts, AllOf(leaves...))
		}
	}
	for _, group := range []struct {
		rules []Rule
		any   bool
		field string
	}{{r.AllOf, false, "all_of"}, {r.AnyOf, true, "any_of"}} {
		if group.rules == nil {
			continue
		}
		if len(group.rules) == 0 {
			return Policy{}, fmt.Errorf("rbac: %s is empty", group.field)
		}
		subs := make([]Policy, len(group.rules))
		for i, sub := range group.rules {
			p, err := sub.compile(depth + 1)
			if err != nil {
				return Policy{}, err
			}
			subs[i] = p
		}
		if group.any {
			parts = append(parts, AnyOf(subs...))
		} else {
			parts = append(parts, AllOf(subs...))
		}
	}
	if r.Authenticated {
		parts = append(parts, Authenticated())
	}
	switch len(parts) {
	case 0:
		return Policy{}, errors.New("rbac: a rule must require something (use \"authenticated\": true for any valid token)")
	case 1:
		return parts[0], nil
	}
	return AllOf(parts...), nil
}
