package rbac_test

import (
	"fmt"
	"testing"

	"github.com/jwtguard/jwtguard/rbac"
)

// typical is a token with 10 roles and 10 scopes, as mapped.
func typical() *rbac.Authorities {
	a := &rbac.Authorities{}
	for i := range 10 {
		a.Roles = append(a.Roles, fmt.Sprintf("role-%d", i))
		a.Scopes = append(a.Scopes, fmt.Sprintf("service:resource-%d:read", i))
	}
	return a
}

var policies = map[string]rbac.Policy{
	"one scope (last)":         rbac.Scope("service:resource-9:read"),
	"any of 3 roles (missing)": rbac.AnyRoles("admin", "owner", "operator"),
	"role and scope":           rbac.AllOf(rbac.AnyRoles("admin", "role-7"), rbac.AllScopes("service:resource-3:read", "service:resource-8:read")),
	"nested or/and, 8 leaves": rbac.AnyOf(
		rbac.AllOf(rbac.Role("admin"), rbac.Scope("x:write")),
		rbac.AllOf(rbac.Role("role-9"), rbac.Group("staff")),
		rbac.AllOf(rbac.AnyRoles("role-5", "role-6"), rbac.AllScopes("service:resource-9:read", "service:resource-0:read")),
	),
}

func BenchmarkPolicyAllows(b *testing.B) {
	a := typical()
	for name, p := range policies {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Allows(a)
			}
		})
	}
}

// Evaluation must not allocate: it runs on every request.
func TestPolicyEvaluationDoesNotAllocate(t *testing.T) {
	a := typical()
	for name, p := range policies {
		if n := testing.AllocsPerRun(100, func() { p.Allows(a) }); n != 0 {
			t.Errorf("%s: %.1f allocations per evaluation", name, n)
		}
	}
}

func BenchmarkMapKeycloakPayload(b *testing.B) {
	claims := payload(b, "keycloak")
	m := rbac.MustNewMapper(rbac.Keycloak("orders-api"), rbac.WithRoleHierarchy(map[string][]string{"admin": {"editor"}}))
	b.ReportAllocs()
	for b.Loop() {
		m.MapClaims(claims)
	}
}
