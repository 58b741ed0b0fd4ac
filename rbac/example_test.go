package rbac_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/jwtguard/jwtguard/rbac"
)

func ExampleMapper_MapClaims() {
	// An Auth0 access token with RBAC permissions and a namespaced roles claim.
	var claims map[string]any
	_ = json.Unmarshal([]byte(`{
		"scope": "openid read:items",
		"permissions": ["read:items", "write:items"],
		"https://example.com/roles": ["editor"]
	}`), &claims)

	m := rbac.MustNewMapper(rbac.Auth0("https://example.com/roles"),
		rbac.WithRoleHierarchy(map[string][]string{"admin": {"editor"}, "editor": {"viewer"}}))
	a := m.MapClaims(claims)
	fmt.Println(a.Roles, a.Scopes, a.Permissions)

	canWrite := rbac.AllOf(rbac.Role("viewer"), rbac.Permission("write:items"))
	fmt.Println(canWrite, "=>", canWrite.Allows(a))
	// Output:
	// [editor viewer] [openid read:items] [read:items write:items]
	// role:viewer AND permission:write:items => true
}

func ExampleRule() {
	var rules map[string]rbac.Rule // e.g. from a configuration file
	err := json.Unmarshal([]byte(`{
		"DELETE /items/{id}": {"any_roles": ["admin"]},
		"POST /items":        {"any_of": [{"any_roles": ["admin"]}, {"all_scopes": ["items:write"]}]}
	}`), &rules)
	if err != nil {
		log.Fatal(err)
	}
	p, err := rules["POST /items"].Policy()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	fmt.Println(p.Allows(&rbac.Authorities{Scopes: []string{"items:write"}}))
	// Output:
	// role:admin OR scope:items:write
	// true
}

func ExampleParsePath() {
	for _, s := range []string{"realm_access.roles", `resource_access["orders.api"].roles`, `["https://example.com/roles"]`} {
		p, err := rbac.ParsePath(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q\n", []string(p))
	}
	// Output:
	// ["realm_access" "roles"]
	// ["resource_access" "orders.api" "roles"]
	// ["https://example.com/roles"]
}
