package rbac_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

// rbac.Allowed without a mapper reads a Keycloak token with the Default
// preset and answers false for its realm role: it says so, once. A token
// the Default preset reads in full is no reason to warn. (Not parallel: it
// replaces the package's logger.)
func TestTheDefaultPresetWarnsOnceAboutAProvidersClaims(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"api"}}}, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ctxOf := func(claims jwttest.ClaimsSet) context.Context {
		tok, err := iss.Mint(claims)
		if err != nil {
			t.Fatal(err)
		}
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		return middleware.WithClaims(context.Background(), c)
	}
	var got []string
	defer rbac.CaptureUnmappedWarning(&got)()
	if !rbac.Allowed(ctxOf(jwttest.ClaimsSet{"roles": []string{"admin"}, "scope": "a b"}), rbac.Role("admin")) || len(got) != 0 {
		t.Fatalf("a token the Default preset reads: warned %q", got)
	}
	keycloak := ctxOf(jwttest.ClaimsSet{"realm_access": map[string]any{"roles": []string{"admin"}}})
	for range 3 {
		if rbac.Allowed(keycloak, rbac.Role("admin")) {
			t.Fatal("the Default preset read realm_access")
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "realm_access") || !strings.Contains(got[0], "WithMapper") {
		t.Fatalf("warnings %q, want one naming realm_access and WithMapper", got)
	}
}
