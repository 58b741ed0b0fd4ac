package rbac_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jwtguard/jwtguard/rbac"
)

func payload(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPresetsReadRealisticPayloads(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		payload string
		sources []rbac.Source
		want    rbac.Authorities
	}{
		{"Keycloak with client roles", "keycloak", rbac.Keycloak("orders-api"), rbac.Authorities{
			Roles:  []string{"offline_access", "uma_authorization", "default-roles-acme", "editor", "admin", "items-reader"},
			Scopes: []string{"openid", "email", "profile", "items:read"},
			Groups: []string{"/staff", "/staff/warehouse"},
		}},
		{"Keycloak realm roles only", "keycloak", rbac.Keycloak(""), rbac.Authorities{
			Roles:  []string{"offline_access", "uma_authorization", "default-roles-acme", "editor"},
			Scopes: []string{"openid", "email", "profile", "items:read"},
			Groups: []string{"/staff", "/staff/warehouse"},
		}},
		{"Keycloak, another client's roles are not ours", "keycloak", rbac.Keycloak("billing-api"), rbac.Authorities{
			Roles:  []string{"offline_access", "uma_authorization", "default-roles-acme", "editor"},
			Scopes: []string{"openid", "email", "profile", "items:read"},
			Groups: []string{"/staff", "/staff/warehouse"},
		}},
		{"Auth0 with a namespaced roles claim", "auth0", rbac.Auth0("https://example.com/roles"), rbac.Authorities{
			Roles:       []string{"admin", "support"},
			Scopes:      []string{"openid", "profile", "email", "read:items"},
			Permissions: []string{"read:items", "write:items", "delete:items"},
		}},
		{"Microsoft Entra ID", "entra", rbac.EntraID(), rbac.Authorities{
			Roles:  []string{"Orders.Admin", "Orders.Read"},
			Scopes: []string{"Items.Read", "Items.Write"},
			Groups: []string{"0e6f5d4c-3b2a-1908-f7e6-d5c4b3a2f1e0", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"},
		}},
		{"Okta", "okta", rbac.Okta(), rbac.Authorities{
			Scopes: []string{"openid", "profile", "items:read", "items:write"},
			Groups: []string{"Everyone", "Warehouse"},
		}},
		{"Amazon Cognito", "cognito", rbac.Cognito(), rbac.Authorities{
			Scopes: []string{"aws.cognito.signin.user.admin", "phone", "openid", "profile", "email", "orders/items.read"},
			Groups: []string{"admin", "warehouse"},
		}},
		{"Google / generic OIDC", "google", rbac.OIDC(), rbac.Authorities{
			Scopes: []string{"https://www.googleapis.com/auth/userinfo.email", "openid"},
		}},
		{"the default preset on a Keycloak token finds only the scope", "keycloak", rbac.Default(), rbac.Authorities{
			Scopes: []string{"openid", "email", "profile", "items:read"},
		}},
		{"Zitadel roles as object keys", "zitadel", []rbac.Source{{Kind: rbac.KindRole,
			Path: rbac.MustParsePath(`["urn:zitadel:iam:org:project:roles"]`), Shape: rbac.ShapeObjectKeys}}, rbac.Authorities{
			Roles: []string{"admin", "viewer"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mismatches []rbac.Mismatch
			m := rbac.MustNewMapper(tc.sources, rbac.WithMismatchHook(func(mm rbac.Mismatch) { mismatches = append(mismatches, mm) }))
			got := m.MapClaims(payload(t, tc.payload))
			equal(t, "roles", got.Roles, tc.want.Roles)
			equal(t, "scopes", got.Scopes, tc.want.Scopes)
			equal(t, "permissions", got.Permissions, tc.want.Permissions)
			equal(t, "groups", got.Groups, tc.want.Groups)
			if len(mismatches) != 0 {
				t.Fatalf("mismatches on a well-formed payload: %v", mismatches)
			}
		})
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

func TestPresetByName(t *testing.T) {
	t.Parallel()
	for _, name := range rbac.PresetNames() {
		if s, err := rbac.Preset(name, "x"); err != nil || len(s) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := rbac.Preset("ldap", ""); err == nil {
		t.Error("an unknown preset was accepted")
	}
}

func TestShapes(t *testing.T) {
	t.Parallel()
	src := func(shape rbac.Shape) []rbac.Source {
		return []rbac.Source{{Kind: rbac.KindRole, Path: rbac.Path{"r"}, Shape: shape}}
	}
	cases := []struct {
		name     string
		shape    rbac.Shape
		value    string // JSON for claim "r"; "" for absent
		want     []string
		mismatch string
	}{
		{"space-delimited", rbac.ShapeSpaceDelimited, `"a  b c"`, []string{"a", "b", "c"}, ""},
		{"space-delimited, empty", rbac.ShapeSpaceDelimited, `""`, nil, ""},
		{"space-delimited given an array", rbac.ShapeSpaceDelimited, `["a"]`, nil, "array"},
		{"array", rbac.ShapeArray, `["a","b","a"]`, []string{"a", "b"}, ""},
		{"array, empty", rbac.ShapeArray, `[]`, nil, ""},
		{"array given a number", rbac.ShapeArray, `7`, nil, "number"},
		{"array given an object", rbac.ShapeArray, `{"a":1}`, nil, "object"},
		{"array given null", rbac.ShapeArray, `null`, nil, "null"},
		{"array given a string", rbac.ShapeArray, `"a"`, nil, "string"},
		{"array with a number inside grants nothing", rbac.ShapeArray, `["a",1]`, nil, "array containing number"},
		{"array with null inside grants nothing", rbac.ShapeArray, `["a",null]`, nil, "array containing null"},
		{"array with a nested array grants nothing", rbac.ShapeArray, `[["a"]]`, nil, "array containing array"},
		{"string", rbac.ShapeString, `"admin"`, []string{"admin"}, ""},
		{"string keeps spaces", rbac.ShapeString, `"a b"`, []string{"a b"}, ""},
		{"string given a boolean", rbac.ShapeString, `true`, nil, "boolean"},
		{"object keys", rbac.ShapeObjectKeys, `{"b":{},"a":{"x":1}}`, []string{"a", "b"}, ""},
		{"object keys given an array", rbac.ShapeObjectKeys, `["a"]`, nil, "array"},
		{"absent claim", rbac.ShapeArray, ``, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []rbac.Mismatch
			m := rbac.MustNewMapper(src(tc.shape), rbac.WithMismatchHook(func(mm rbac.Mismatch) { got = append(got, mm) }))
			claims := map[string]any{}
			if tc.value != "" {
				var v any
				if err := json.Unmarshal([]byte(tc.value), &v); err != nil {
					t.Fatal(err)
				}
				claims["r"] = v
			}
			a := m.MapClaims(claims)
			equal(t, "roles", a.Roles, tc.want)
			switch {
			case tc.mismatch == "" && len(got) > 0:
				t.Fatalf("unexpected mismatch %+v", got)
			case tc.mismatch != "" && (len(got) != 1 || got[0].Got != tc.mismatch || got[0].Source.Path.String() != "r"):
				t.Fatalf("mismatch %+v, want %q", got, tc.mismatch)
			}
		})
	}
}

func TestNestedPathsThroughNonObjectsGrantNothing(t *testing.T) {
	t.Parallel()
	m := rbac.MustNewMapper(rbac.Keycloak("orders-api"))
	for name, claims := range map[string]map[string]any{
		"realm_access is a string":    {"realm_access": "admin"},
		"resource_access is an array": {"resource_access": []any{"orders-api"}},
		"the client entry is null":    {"resource_access": map[string]any{"orders-api": nil}},
	} {
		if a := m.MapClaims(claims); len(a.Roles) != 0 {
			t.Errorf("%s: roles %q", name, a.Roles)
		}
	}
}

func TestKindsNeverSatisfyEachOther(t *testing.T) {
	t.Parallel()
	m := rbac.MustNewMapper([]rbac.Source{
		{Kind: rbac.KindRole, Path: rbac.Path{"roles"}, Shape: rbac.ShapeArray},
		{Kind: rbac.KindScope, Path: rbac.Path{"scope"}, Shape: rbac.ShapeSpaceDelimited},
	})
	a := m.MapClaims(map[string]any{"roles": []any{"admin"}, "scope": "audit"})
	if !a.Has(rbac.KindRole, "admin") || a.Has(rbac.KindScope, "admin") || a.Has(rbac.KindPermission, "admin") || a.Has(rbac.KindGroup, "admin") {
		t.Fatal("role admin leaked into another kind")
	}
	if !a.Has(rbac.KindScope, "audit") || a.Has(rbac.KindRole, "audit") {
		t.Fatal("scope audit leaked into roles")
	}
}

func TestRoleHierarchy(t *testing.T) {
	t.Parallel()
	m := rbac.MustNewMapper(rbac.Default(), rbac.WithRoleHierarchy(map[string][]string{
		"admin":  {"editor"},
		"editor": {"viewer"},
		"a":      {"b"}, "b": {"a"}, // a cycle: they imply each other
	}))
	cases := map[string][]string{
		"admin":   {"admin", "editor", "viewer"},
		"editor":  {"editor", "viewer"},
		"viewer":  {"viewer"},
		"a":       {"a", "b"},
		"unknown": {"unknown"},
	}
	for role, want := range cases {
		a := m.MapClaims(map[string]any{"roles": []any{role}})
		equal(t, role, a.Roles, want)
	}
	if _, err := rbac.NewMapper(rbac.Default(), rbac.WithRoleHierarchy(map[string][]string{"admin": {""}})); err == nil {
		t.Fatal("an empty implied role was accepted")
	}
}

func TestScopeWildcardsOnlyWhenDeclared(t *testing.T) {
	t.Parallel()
	claims := map[string]any{"scope": "items:* orders:read"}
	plain := rbac.MustNewMapper(rbac.Default()).MapClaims(claims)
	if plain.Has(rbac.KindScope, "items:read") || !plain.Has(rbac.KindScope, "items:*") {
		t.Fatal("an undeclared wildcard granted scopes")
	}
	m := rbac.MustNewMapper(rbac.Default(), rbac.WithScopeWildcards("items:*"))
	a := m.MapClaims(claims)
	for scope, want := range map[string]bool{
		"items:read": true, "items:write": true, "items:": false, "items": false, "itemsx:read": false,
		"orders:read": true, "orders:write": false,
	} {
		if a.Has(rbac.KindScope, scope) != want {
			t.Errorf("scope %q: got %v", scope, !want)
		}
	}
	// A token without the wildcard scope gets nothing from the declaration.
	if m.MapClaims(map[string]any{"scope": "orders:read"}).Has(rbac.KindScope, "items:read") {
		t.Fatal("a declared wildcard granted scopes the token does not hold")
	}
	for _, bad := range []string{"items", "*", "items:**", "it*ems:*"} {
		if _, err := rbac.NewMapper(rbac.Default(), rbac.WithScopeWildcards(bad)); err == nil {
			t.Errorf("wildcard %q accepted", bad)
		}
	}
}

func TestNewMapperValidates(t *testing.T) {
	t.Parallel()
	for name, s := range map[string][]rbac.Source{
		"no sources":               nil,
		"no kind":                  {{Path: rbac.Path{"r"}, Shape: rbac.ShapeArray}},
		"no shape":                 {{Kind: rbac.KindRole, Path: rbac.Path{"r"}}},
		"no path":                  {{Kind: rbac.KindRole, Shape: rbac.ShapeArray}},
		"an empty path":            {{Kind: rbac.KindRole, Path: rbac.Path{""}, Shape: rbac.ShapeArray}},
		"an empty Unless path":     {{Kind: rbac.KindRole, Path: rbac.Path{"r"}, Shape: rbac.ShapeArray, Unless: rbac.Path{}}},
		"an Unless of empty names": {{Kind: rbac.KindRole, Path: rbac.Path{"r"}, Shape: rbac.ShapeArray, Unless: rbac.Path{"", ""}}},
	} {
		if _, err := rbac.NewMapper(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
