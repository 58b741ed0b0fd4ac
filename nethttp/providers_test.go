package nethttp_test

// The configurations of docs/providers.md, each between readme:begin and
// readme:end (internal/readme checks the document shows exactly these
// lines), verified end to end through Protect and Require on a token of
// that provider's shape: its header's typ and its claims as the provider's
// documentation shows them, iss included. Only the keys are the test
// issuer's.
// Where the guide says ID tokens are refused, one of the provider's shape
// is refused.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

type providerToken struct {
	typ    any // the header's typ; nil: none
	claims jwttest.ClaimsSet
	why    reason.Code // for a token refused: the reason it must be refused for (InsufficientScope: 403 by the route's rule)
}

// checkProvider verifies tok through Protect and Require(policy) with the
// guide's issuer and mapper (on the test issuer's URL), and refuses each
// of refused for its reason.
func checkProvider(t *testing.T, issuer middleware.Issuer, mapper *rbac.Mapper, policy rbac.Policy, tok providerToken, refused ...providerToken) {
	t.Helper()
	iss, err := jwttest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	// The guide's issuer URL stays as written (the tokens carry it as iss,
	// trailing slash and all); only the keys come from the test issuer.
	issuer.JWKSURL = iss.JWKSURL()
	var last reason.Code // the reason of the last refusal
	v, err := middleware.New([]middleware.Issuer{issuer}, quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}),
		middleware.WithHook(func(e middleware.Event) {
			if e.Kind == middleware.EventRejected {
				last = e.Reason
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h := nethttp.Protect(v, nethttp.WithMapper(mapper))(nethttp.Require(policy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	mint := func(p providerToken) string {
		c := jwttest.ClaimsSet{"iss": issuer.URL, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		for k, x := range p.claims {
			c[k] = x
		}
		return iss.MustMint(c, jwttest.WithoutDefaults(), jwttest.WithHeader("typ", p.typ))
	}
	do := func(p providerToken) int {
		r := httptest.NewRequest(http.MethodGet, "/api/items", nil)
		r.Header.Set("Authorization", "Bearer "+mint(p))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if got := do(tok); got != http.StatusNoContent {
		t.Fatalf("the provider's access token got %d", got)
	}
	// The same token with the issuer's trailing slash added or dropped is
	// another issuer's: the guide's form is the one that passes.
	toggled := strings.TrimSuffix(issuer.URL, "/")
	if toggled == issuer.URL {
		toggled += "/"
	}
	other := providerToken{typ: tok.typ, claims: jwttest.ClaimsSet{"iss": toggled}}
	for k, x := range tok.claims {
		if k != "iss" {
			other.claims[k] = x
		}
	}
	if got := do(other); got != http.StatusUnauthorized || last != reason.IssuerInvalid {
		t.Fatalf("a token with iss %q got %d (%s)", toggled, got, last)
	}
	for _, p := range refused {
		if p.why == "" {
			t.Fatalf("a refused token without its reason: %v", p.claims)
		}
		last = ""
		status, why := http.StatusUnauthorized, p.why
		if p.why == reason.InsufficientScope { // verified, then refused by the policy
			status, why = http.StatusForbidden, ""
		}
		if got := do(p); got != status || last != why {
			t.Fatalf("a token the guide says is refused for %s got %d (%s): %v", p.why, got, last, p.claims)
		}
	}
}

func TestProviderKeycloak(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://sso.example.com/realms/acme", Audiences: []string{"orders-api"}}
	mapper := rbac.MustNewMapper(rbac.Keycloak("orders-api"))
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Role("admin"), rbac.Scope("items:read")),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"orders-api", "account"}, "sub": "f1c2", "typ": "Bearer", "azp": "web-app",
			"realm_access": map[string]any{"roles": []string{"offline_access"}}, "resource_access": map[string]any{"orders-api": map[string]any{"roles": []string{"admin"}}},
			"scope": "openid profile items:read", "sid": "s-1"}},
		// Without the audience mapper: aud is "account" only.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "account", "sub": "f1c2", "typ": "Bearer", "azp": "web-app", "scope": "openid items:read"}, why: reason.AudienceInvalid},
		// The web app's ID token: aud is the app's client ID.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "web-app", "sub": "f1c2", "typ": "ID", "azp": "web-app", "nonce": "n"}, why: reason.AudienceInvalid})
}

func TestProviderAuth0(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://acme.eu.auth0.com/", Audiences: []string{"https://orders.example.com"}}
	mapper := rbac.MustNewMapper(rbac.Auth0("https://example.com/roles"))
	// readme:end
	policy := rbac.AllOf(rbac.Permission("read:items"), rbac.Role("admin"))
	idToken := providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "Xy12", "sub": "auth0|64a1", "nonce": "n"}, why: reason.AudienceInvalid}
	// The RFC 9068 profile: typ at+jwt, client_id, jti.
	checkProvider(t, issuer, mapper, policy,
		providerToken{typ: "at+jwt", claims: jwttest.ClaimsSet{"aud": []string{"https://orders.example.com", "https://acme.eu.auth0.com/userinfo"},
			"sub": "auth0|64a1", "client_id": "Xy12", "jti": "b1e5", "scope": "openid read:items", "permissions": []string{"read:items"},
			"https://example.com/roles": []string{"admin"}}},
		idToken)
	// The default profile: typ JWT, azp, gty.
	checkProvider(t, issuer, mapper, policy,
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"https://orders.example.com", "https://acme.eu.auth0.com/userinfo"},
			"sub": "auth0|64a1", "azp": "Xy12", "gty": "password", "scope": "openid read:items", "permissions": []string{"read:items"},
			"https://example.com/roles": []string{"admin"}}},
		idToken)
}

func TestProviderEntraID(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://login.microsoftonline.com/8e2d0c62-0000-4000-8000-000000000000/v2.0",
		Audiences: []string{"6e7a1c2b-0000-4000-8000-000000000000"}} // v2: the API's application (client) ID
	mapper := rbac.MustNewMapper(rbac.EntraID())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Scope("Orders.Read"), rbac.Role("Orders.Admin")),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "6e7a1c2b-0000-4000-8000-000000000000", "ver": "2.0", "sub": "AAAA", "oid": "0f1e",
			"azp": "c0ffee00-0000-4000-8000-000000000000", "scp": "User.Read Orders.Read", "roles": []string{"Orders.Admin"}, "tid": "8e2d0c62"}},
		// A v1 token (the API's accessTokenAcceptedVersion unset or 1): its iss
		// is sts.windows.net, another issuer, and its aud the App ID URI.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"iss": "https://sts.windows.net/8e2d0c62-0000-4000-8000-000000000000/",
			"aud": "api://orders", "ver": "1.0", "appid": "c0ffee00-0000-4000-8000-000000000000", "sub": "AAAA", "scp": "Orders.Read"},
			why: reason.IssuerInvalid},
		// The ID token of an app registration that is also the API: the
		// same aud, but no scp, so the guide's scope rule refuses it.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "6e7a1c2b-0000-4000-8000-000000000000", "ver": "2.0", "sub": "AAAA", "oid": "0f1e",
			"nonce": "n", "roles": []string{"Orders.Admin"}, "tid": "8e2d0c62"}, why: reason.InsufficientScope},
		// A v2 token for another API of the tenant.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "00000003-0000-0000-c000-000000000000", "ver": "2.0", "sub": "AAAA",
			"scp": "User.Read"}, why: reason.AudienceInvalid})
}

func TestProviderEntraIDv1(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://sts.windows.net/8e2d0c62-0000-4000-8000-000000000000/",
		Audiences: []string{"api://orders"}} // v1: the resource the client asked for, App ID URI or client ID
	mapper := rbac.MustNewMapper(rbac.EntraID())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Scope("Orders.Read"), rbac.Role("Orders.Admin")),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "api://orders", "ver": "1.0", "appid": "c0ffee00-0000-4000-8000-000000000000",
			"sub": "AAAA", "oid": "0f1e", "scp": "User.Read Orders.Read", "roles": []string{"Orders.Admin"}, "tid": "8e2d0c62"}},
		// A v2 token: another issuer.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"iss": "https://login.microsoftonline.com/8e2d0c62-0000-4000-8000-000000000000/v2.0",
			"aud": "6e7a1c2b-0000-4000-8000-000000000000", "ver": "2.0", "sub": "AAAA", "scp": "Orders.Read"}, why: reason.IssuerInvalid})
}

func TestProviderOkta(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://acme.okta.com/oauth2/default", Audiences: []string{"api://default"}}
	mapper := rbac.MustNewMapper(rbac.Okta())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Scope("items:read"), rbac.Group("Admins")),
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"ver": 1, "jti": "AT.x", "aud": "api://default", "cid": "0oa1", "uid": "00u1", "sub": "jane@example.com",
			"scp": []string{"openid", "items:read"}, "groups": []string{"Everyone", "Admins"}}},
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"aud": "0oa1", "sub": "00u1", "nonce": "n", "at_hash": "x"}, why: reason.AudienceInvalid})
}

func TestProviderCognito(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf",
		SkipAudienceCheck: true, ClientIDs: []string{"4l2h6v0example"}} // access tokens have no aud
	mapper := rbac.MustNewMapper(rbac.Cognito())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Scope("orders/read"), rbac.Group("admins")),
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"sub": "aaaa-bbbb", "token_use": "access", "client_id": "4l2h6v0example", "username": "jane",
			"scope": "aws.cognito.signin.user.admin orders/read", "cognito:groups": []string{"admins"}}},
		// The ID token: aud, not client_id, names the client.
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"sub": "aaaa-bbbb", "token_use": "id", "aud": "4l2h6v0example", "cognito:groups": []string{"admins"}}, why: reason.ClientNotAllowed})
}

func TestProviderGoogle(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://accounts.google.com", Audiences: []string{"https://orders-xyz.a.run.app"},
		ClientIDs: []string{"113006372901234567890"}} // the callers' service accounts (azp): anyone can mint for any aud
	mapper := rbac.MustNewMapper(rbac.OIDC())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.Authenticated(),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "https://orders-xyz.a.run.app", "sub": "113006372901234567890", "azp": "113006372901234567890",
			"email": "caller@project.iam.gserviceaccount.com", "email_verified": true}},
		// Anyone else's service account, for the same audience.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": "https://orders-xyz.a.run.app", "sub": "100000000000000000001", "azp": "100000000000000000001",
			"email": "someone@other.iam.gserviceaccount.com"}, why: reason.ClientNotAllowed})
}

func TestProviderDex(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://dex.example.com/dex", Audiences: []string{"orders-api"}}
	mapper := rbac.MustNewMapper(rbac.Dex())
	// readme:end
	checkProvider(t, issuer, mapper, rbac.Group("admins"),
		// With the scope audience:server:client_id:orders-api, Dex adds the
		// requesting client to aud and names it in azp.
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"aud": []string{"orders-api", "web-app"}, "azp": "web-app", "sub": "CgR1c2VyEgVsb2NhbA", "email": "jane@example.com",
			"groups": []string{"admins", "devs"}, "name": "Jane"}},
		providerToken{typ: nil, claims: jwttest.ClaimsSet{"aud": "web-app", "sub": "CgR1c2VyEgVsb2NhbA", "groups": []string{"admins"}}, why: reason.AudienceInvalid})
}

func TestProviderZitadel(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://acme-abc123.zitadel.cloud", Audiences: []string{"231234567890"}} // the project ID
	mapper := rbac.MustNewMapper(rbac.Zitadel("231234567890"))
	// readme:end
	checkProvider(t, issuer, mapper, rbac.Role("admin"),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"231234567891@orders", "231234567890"}, "client_id": "231234567891@orders", "sub": "2310",
			"scope": "openid urn:zitadel:iam:org:project:id:231234567890:aud urn:zitadel:iam:org:projects:roles",
			"urn:zitadel:iam:org:project:231234567890:roles": map[string]any{"admin": map[string]any{"231000": "acme.zitadel.cloud"}}}},
		// A token for another project: its aud does not name this one.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"231234567891@web", "231999999999"}, "sub": "2310"}, why: reason.AudienceInvalid})
}

func TestProviderHydra(t *testing.T) {
	// readme:begin
	issuer := middleware.Issuer{URL: "https://auth.example.com/", Audiences: []string{"https://orders.example.com"}}
	mapper := rbac.MustNewMapper(rbac.Hydra("roles"))
	// readme:end
	checkProvider(t, issuer, mapper, rbac.AllOf(rbac.Scope("orders.read"), rbac.Role("admin")),
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"https://orders.example.com"}, "client_id": "orders-client", "sub": "user-1",
			"jti": "5b1c", "scp": []string{"offline", "orders.read"}, "ext": map[string]any{"roles": []string{"admin"}}}},
		// Without the audience parameter, Hydra writes "aud": [].
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{}, "client_id": "orders-client", "sub": "user-1", "scp": []string{"orders.read"}}, why: reason.AudienceInvalid},
		// An ID token: its aud is the client's ID.
		providerToken{typ: "JWT", claims: jwttest.ClaimsSet{"aud": []string{"orders-client"}, "sub": "user-1", "nonce": "n", "at_hash": "x"}, why: reason.AudienceInvalid})
}
