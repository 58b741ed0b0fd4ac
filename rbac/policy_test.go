package rbac_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

func TestPathSyntax(t *testing.T) {
	t.Parallel()
	good := map[string]rbac.Path{
		"scope":                               {"scope"},
		"realm_access.roles":                  {"realm_access", "roles"},
		`resource_access["orders.api"].roles`: {"resource_access", "orders.api", "roles"},
		`resource_access.["orders.api"]`:      {"resource_access", "orders.api"},
		`["https://example.com/roles"]`:       {"https://example.com/roles"},
		`a["b"]["c.d"]`:                       {"a", "b", "c.d"},
		"cognito:groups":                      {"cognito:groups"},
		"urn:zitadel:iam:org:project:roles":   {"urn:zitadel:iam:org:project:roles"},
		`["say \"hi\""]`:                      {`say "hi"`},
		`["back\\slash"]`:                     {`back\slash`},
	}
	for in, want := range good {
		got, err := rbac.ParsePath(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParsePath(%q) = %q, %v; want %q", in, got, err, want)
			continue
		}
		// String renders a path that parses back to itself.
		again, err := rbac.ParsePath(got.String())
		if err != nil || !slices.Equal(again, want) {
			t.Errorf("round trip of %q via %q: %q, %v", in, got.String(), again, err)
		}
	}
	for _, bad := range []string{"", ".", "a.", ".a", "a..b", `a[b]`, `a["b"`, `a["b"]c`, `a[""]`, `["a\x"]`, `a"b`, `a]b`, `["unterminated`} {
		if p, err := rbac.ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) = %q, want an error", bad, p)
		}
	}
}

func authorities(roles, scopes, perms, groups []string) *rbac.Authorities {
	return &rbac.Authorities{Roles: roles, Scopes: scopes, Permissions: perms, Groups: groups}
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	a := authorities([]string{"editor"}, []string{"items:read", "items:write"}, []string{"delete:items"}, []string{"staff"})
	cases := []struct {
		name   string
		policy rbac.Policy
		want   bool
	}{
		{"a role held", rbac.Role("editor"), true},
		{"a role not held", rbac.Role("admin"), false},
		{"a scope held", rbac.Scope("items:read"), true},
		{"a scope is not a prefix match", rbac.Scope("items"), false},
		{"a permission held", rbac.Permission("delete:items"), true},
		{"a group held", rbac.Group("staff"), true},
		{"a group is not a role", rbac.Role("staff"), false},
		{"any of, one held", rbac.AnyRoles("admin", "editor"), true},
		{"any of, none held", rbac.AnyRoles("admin", "owner"), false},
		{"all of, all held", rbac.AllScopes("items:read", "items:write"), true},
		{"all of, one missing", rbac.AllScopes("items:read", "items:delete"), false},
		{"and of or", rbac.AllOf(rbac.AnyRoles("admin", "editor"), rbac.Scope("items:write")), true},
		{"and of or, failing", rbac.AllOf(rbac.AnyRoles("admin", "editor"), rbac.Scope("items:delete")), false},
		{"or of and", rbac.AnyOf(rbac.AllOf(rbac.Role("admin"), rbac.Scope("x")), rbac.AllOf(rbac.Group("staff"), rbac.Permission("delete:items"))), true},
		{"or of and, failing", rbac.AnyOf(rbac.AllOf(rbac.Role("admin"), rbac.Scope("x")), rbac.AllOf(rbac.Group("staff"), rbac.Permission("x"))), false},
		{"authenticated", rbac.Authenticated(), true},
		{"the zero policy denies", rbac.Policy{}, false},
		{"an empty AllOf denies", rbac.AllOf(), false},
		{"an empty AnyOf denies", rbac.AnyOf(), false},
		{"an empty name denies", rbac.Role(""), false},
	}
	for _, tc := range cases {
		if got := tc.policy.Allows(a); got != tc.want {
			t.Errorf("%s (%s): got %v", tc.name, tc.policy, got)
		}
		if tc.policy.Allows(nil) {
			t.Errorf("%s allows a request without a token", tc.name)
		}
	}
}

func TestPolicyScopesAndString(t *testing.T) {
	t.Parallel()
	p := rbac.AllOf(rbac.AnyRoles("admin", "editor"), rbac.AllScopes("items:write", "items:read"), rbac.Scope("items:write"))
	if got := p.Scopes(); !slices.Equal(got, []string{"items:write", "items:read"}) {
		t.Fatalf("scopes %q", got)
	}
	if got := rbac.AnyOf(rbac.Role("admin"), rbac.Scope("a"), rbac.Scope("b")).Scopes(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("AnyOf scopes %q", got)
	}
	if got := p.String(); got != "(role:admin OR role:editor) AND (scope:items:write AND scope:items:read) AND scope:items:write" {
		t.Fatalf("String %q", got)
	}
}

func TestRulesFromJSON(t *testing.T) {
	t.Parallel()
	a := authorities([]string{"editor"}, []string{"items:read"}, nil, []string{"staff"})
	cases := []struct {
		json   string
		want   bool
		scopes []string
	}{
		{`{"any_roles": ["admin", "editor"]}`, true, nil},
		{`{"all_roles": ["admin", "editor"]}`, false, nil},
		{`{"all_scopes": ["items:read"]}`, true, []string{"items:read"}},
		{`{"any_scopes": ["items:write", "items:admin"]}`, false, []string{"items:write"}},
		{`{"any_roles": ["editor"], "all_scopes": ["items:write"]}`, false, []string{"items:write"}},
		{`{"any_of": [{"all_roles": ["admin"]}, {"all_groups": ["staff"]}]}`, true, nil},
		{`{"all_of": [{"any_groups": ["staff"]}, {"any_permissions": ["x"]}]}`, false, nil},
		{`{"all_permissions": ["x"]}`, false, nil},
		{`{"authenticated": true}`, true, nil},
	}
	for _, tc := range cases {
		var r rbac.Rule
		if err := json.Unmarshal([]byte(tc.json), &r); err != nil {
			t.Fatal(err)
		}
		p, err := r.Policy()
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		if p.Allows(a) != tc.want || !slices.Equal(p.Scopes(), tc.scopes) {
			t.Errorf("%s: allows %v scopes %q", tc.json, p.Allows(a), p.Scopes())
		}
	}
	bad := []string{`{}`, `{"any_roles": []}`, `{"all_of": []}`, `{"any_roles": [""]}`, `{"any_of": [{}]}`,
		strings.Repeat(`{"all_of": [`, 40) + `{"authenticated": true}` + strings.Repeat(`]}`, 40)}
	for _, b := range bad {
		var r rbac.Rule
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Policy(); err == nil {
			t.Errorf("%.60s: accepted", b)
		}
	}
}

func TestAllowedReadsTheRequestContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if rbac.Allowed(ctx, rbac.Authenticated()) {
		t.Fatal("allowed without a token")
	}
	// Stored authorities win.
	stored := rbac.WithAuthorities(ctx, authorities([]string{"admin"}, nil, nil, nil))
	if !rbac.Allowed(stored, rbac.Role("admin")) {
		t.Fatal("stored authorities were not used")
	}
	// Without stored authorities, the Default preset reads verified claims.
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"api"}}},
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c, err := v.Verify(ctx, iss.MustMint(jwttest.ClaimsSet{"roles": []string{"editor"}, "scope": "items:read"}))
	if err != nil {
		t.Fatal(err)
	}
	withClaims := middleware.WithClaims(ctx, c)
	if !rbac.Allowed(withClaims, rbac.AllOf(rbac.Role("editor"), rbac.Scope("items:read"))) || rbac.Allowed(withClaims, rbac.Role("admin")) {
		t.Fatal("the Default preset did not read the claims")
	}
}

// Each list builder answers as its Rule field compiles, and as the plain
// reading of "every one" or "at least one" of the names does, on random
// authorities and name lists.
func TestListBuildersAnswerAsTheirRuleFields(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pool := []string{"a", "b", "c", "d"}
	pick := func() []string {
		var out []string
		for _, n := range pool {
			if r.IntN(2) == 0 {
				out = append(out, n)
			}
		}
		return out
	}
	type builder struct {
		build func(...string) rbac.Policy
		rule  func([]string) rbac.Rule
		kind  rbac.Kind
		any   bool
	}
	builders := []builder{
		{rbac.AllRoles, func(n []string) rbac.Rule { return rbac.Rule{AllRoles: n} }, rbac.KindRole, false},
		{rbac.AnyRoles, func(n []string) rbac.Rule { return rbac.Rule{AnyRoles: n} }, rbac.KindRole, true},
		{rbac.AllScopes, func(n []string) rbac.Rule { return rbac.Rule{AllScopes: n} }, rbac.KindScope, false},
		{rbac.AnyScopes, func(n []string) rbac.Rule { return rbac.Rule{AnyScopes: n} }, rbac.KindScope, true},
		{rbac.AllPermissions, func(n []string) rbac.Rule { return rbac.Rule{AllPermissions: n} }, rbac.KindPermission, false},
		{rbac.AnyPermissions, func(n []string) rbac.Rule { return rbac.Rule{AnyPermissions: n} }, rbac.KindPermission, true},
		{rbac.AllGroups, func(n []string) rbac.Rule { return rbac.Rule{AllGroups: n} }, rbac.KindGroup, false},
		{rbac.AnyGroups, func(n []string) rbac.Rule { return rbac.Rule{AnyGroups: n} }, rbac.KindGroup, true},
	}
	for range 2000 {
		a := authorities(pick(), pick(), pick(), pick())
		names := pick()
		for _, b := range builders {
			want := !b.any && len(names) > 0
			for _, n := range names {
				if has := a.Has(b.kind, n); b.any && has {
					want = true
				} else if !b.any && !has {
					want = false
				}
			}
			if got := b.build(names...).Allows(a); got != want {
				t.Fatalf("%s any=%v of %q on %+v: %v, want %v", b.kind, b.any, names, a, got, want)
			}
			if len(names) == 0 {
				continue // a Rule refuses an empty list
			}
			p, err := b.rule(names).Policy()
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Allows(a); got != want {
				t.Fatalf("the rule's %s any=%v of %q on %+v: %v, want %v", b.kind, b.any, names, a, got, want)
			}
		}
	}
}
