package rbac_test

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/jwtguard/jwtguard/rbac"
)

// A misspelled field is refused, at any depth, with its name in the error;
// correct rules decode as before, from JSON and from YAML.
func TestRulesRefuseUnknownFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, json, yaml, field string }{
		{"top level", `{"all_scops": ["a"]}`, "all_scops: [a]\n", "all_scops"},
		// encoding/json would take this for all_scopes, and keep the last of two.
		{"a field in another case", `{"All_Scopes": ["a"]}`, "All_Scopes: [a]\n", "All_Scopes"},
		{"a field twice", `{"all_scopes": ["a"], "all_scopes": []}`, "all_scopes: [a]\nall_scopes: []\n", "all_scopes"},
		{"a null field", `{"all_scopes": null, "authenticated": true}`, "all_scopes: null\nauthenticated: true\n", "all_scopes"},
		{"a nested field twice", `{"any_of": [{"any_roles": ["a"], "any_roles": []}]}`, "any_of:\n  - any_roles: [a]\n    any_roles: []\n", "any_roles"},
		{"nested", `{"any_of": [{"any_roles": ["a"]}, {"all_scopes": ["b"], "Rolse": ["c"]}]}`,
			"any_of:\n  - any_roles: [a]\n  - all_scopes: [b]\n    Rolse: [c]\n", "Rolse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r rbac.Rule
			if err := json.Unmarshal([]byte(tc.json), &r); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("JSON: %v", err)
			}
			if err := yaml.Unmarshal([]byte(tc.yaml), &r); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("YAML: %v", err)
			}
		})
	}
	var fromJSON, fromYAML rbac.Rule
	if err := json.Unmarshal([]byte(`{"all_scopes": ["w"], "any_of": [{"any_roles": ["admin"]}, {"authenticated": true}]}`), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte("all_scopes: [w]\nany_of:\n  - any_roles: [admin]\n  - authenticated: true\n"), &fromYAML); err != nil {
		t.Fatal(err)
	}
	for _, r := range []rbac.Rule{fromJSON, fromYAML} {
		if len(r.AllScopes) != 1 || len(r.AnyOf) != 2 || r.AnyOf[0].AnyRoles[0] != "admin" || !r.AnyOf[1].Authenticated {
			t.Fatalf("decoded %+v", r)
		}
		if _, err := r.Policy(); err != nil {
			t.Fatal(err)
		}
	}
}

// A table of rules read from JSON refuses a key given twice, which
// encoding/json would decode as the last one, silently.
func TestRulesRefuseAKeyGivenTwice(t *testing.T) {
	t.Parallel()
	var rs rbac.Rules
	err := json.Unmarshal([]byte(`{"GET /admin": {"any_roles": ["admin"]}, "GET /admin": {"authenticated": true}}`), &rs)
	if err == nil || !strings.Contains(err.Error(), `"GET /admin" given twice`) {
		t.Fatalf("a key twice: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"GET /admin": {"any_roles": ["admin"], "Any_Roles": []}}`), &rs); err == nil {
		t.Fatal("a rule's case variant inside the table was accepted")
	}
	if err := json.Unmarshal([]byte(`{"GET /a": {"any_roles": ["admin"]}, "GET /b": {"authenticated": true}}`), &rs); err != nil ||
		len(rs) != 2 || rs["GET /a"].AnyRoles[0] != "admin" || !rs["GET /b"].Authenticated {
		t.Fatalf("a valid table: %v %+v", err, rs)
	}
	var plain map[string]rbac.Rule = rs // what NewTableFromRules takes
	_ = plain
}
