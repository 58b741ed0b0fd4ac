package nethttp_test

// The README's Go snippets, each between "readme:begin" and "readme:end",
// compiled here in the context they assume (internal/readme checks that
// the README shows exactly these lines). The examples have no output: they
// are compiled, not run.

import (
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func Example_readmePerHandler() {
	var v *middleware.Verifier
	mux := http.NewServeMux()
	listItems, deleteItem := func(http.ResponseWriter, *http.Request) {}, func(http.ResponseWriter, *http.Request) {}
	// readme:begin
	mapper := rbac.MustNewMapper(rbac.Keycloak("orders-api")) // where this provider keeps roles and scopes
	protect := nethttp.Protect(v, nethttp.WithMapper(mapper))
	mux.Handle("GET /items", protect(nethttp.Require(rbac.Scope("items:read"))(http.HandlerFunc(listItems))))
	mux.Handle("DELETE /items/{id}", protect(nethttp.Require(rbac.Role("admin"))(http.HandlerFunc(deleteItem))))
	// readme:end
}

func Example_readmeCustomMapper() {
	// readme:begin
	m, err := rbac.NewMapper([]rbac.Source{
		{Kind: rbac.KindRole, Path: rbac.MustParsePath(`["urn:zitadel:iam:org:project:roles"]`), Shape: rbac.ShapeObjectKeys},
		{Kind: rbac.KindScope, Path: rbac.MustParsePath("scope"), Shape: rbac.ShapeSpaceDelimited},
	}, rbac.WithRoleHierarchy(map[string][]string{"admin": {"editor"}, "editor": {"viewer"}}),
		rbac.WithScopeWildcards("items:*"),
		rbac.WithMismatchHook(func(m rbac.Mismatch) { log.Printf("claim %s is a %s", m.Source.Path, m.Got) }))
	if err != nil {
		log.Fatal(err)
	}
	// readme:end
	_ = m
}

func Example_readmePolicies() {
	_ = []rbac.Policy{
		// readme:begin
		rbac.Role("admin"),                                                      // one authority
		rbac.AnyRoles("admin", "editor"),                                        // any of
		rbac.AllScopes("items:read", "items:write"),                             // all of
		rbac.AllOf(rbac.AnyRoles("admin", "editor"), rbac.Scope("items:write")), // and of or
		rbac.AnyOf(rbac.Role("admin"), rbac.AllOf(rbac.Group("ops"), rbac.Permission("delete:items"))),
		rbac.Authenticated(), // any verified token
		// readme:end
	}
}

func TestReadmeJwttest(t *testing.T) {
	// readme:begin
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read"})
	req := httptest.NewRequest("GET", "/api/items", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	// readme:end
	w := httptest.NewRecorder()
	nethttp.Protect(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := middleware.ClaimsFromContext(r.Context()); !ok || c.Subject != "alice" {
			t.Errorf("claims %+v", c)
		}
	})).ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("the README's token got %d", w.Code)
	}
}
