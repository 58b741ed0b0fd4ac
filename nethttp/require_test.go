package nethttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func TestRequireSplits401And403(t *testing.T) {
	t.Parallel()
	iss, v := issuerAndVerifier(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	hierarchy := rbac.MustNewMapper(rbac.Default(), rbac.WithRoleHierarchy(map[string][]string{"admin": {"editor"}, "editor": {"viewer"}}))
	mux := http.NewServeMux()
	mux.Handle("GET /items", nethttp.Require(rbac.Scope("items:read"))(ok))
	mux.Handle("POST /items", nethttp.Require(rbac.AllScopes("items:write", "items:read"))(ok))
	mux.Handle("DELETE /items/{id}", nethttp.Require(rbac.Role("admin"))(ok))
	mux.Handle("GET /reports", nethttp.Require(rbac.AnyOf(rbac.Role("auditor"), rbac.AllOf(rbac.Role("editor"), rbac.Scope("reports:read"))))(ok))
	mux.Handle("GET /inline", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rbac.Allowed(r.Context(), rbac.Role("viewer")) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, "inline ok")
	}))
	srv := httptest.NewServer(nethttp.Protect(v, nethttp.WithMapper(hierarchy), nethttp.WithAnonymous())(mux))
	t.Cleanup(srv.Close)

	viewer := iss.MustMint(jwttest.ClaimsSet{"scope": "items:read", "roles": []string{"viewer"}})
	writer := iss.MustMint(jwttest.ClaimsSet{"scope": "items:read items:write"})
	admin := iss.MustMint(jwttest.ClaimsSet{"roles": []string{"admin"}, "scope": "reports:read"})
	scopeNamedAdmin := iss.MustMint(jwttest.ClaimsSet{"scope": "admin"})
	const insufficient = `Bearer realm="api", error="insufficient_scope", error_description="The access token does not grant the required access"`
	cases := []struct {
		name, method, path, token string
		status                    int
		challenge                 string
	}{
		{"no token is 401, not 403", "GET", "/items", "", 401, `Bearer realm="api"`},
		{"a bad token is 401 from Protect", "GET", "/items", "x.y.z", 401,
			`Bearer realm="api", error="invalid_token", error_description="The access token is malformed"`},
		{"scope held", "GET", "/items", viewer, 200, ""},
		{"scope missing is 403 naming the scope", "POST", "/items", viewer, 403, insufficient + `, scope="items:write items:read"`},
		{"all scopes held", "POST", "/items", writer, 200, ""},
		{"role missing is 403 without a scope attribute", "DELETE", "/items/1", writer, 403, insufficient},
		{"a scope named like the role is no role", "DELETE", "/items/1", scopeNamedAdmin, 403, insufficient},
		{"role held", "DELETE", "/items/1", admin, 200, ""},
		{"hierarchy: admin implies editor for an AND", "GET", "/reports", admin, 200, ""},
		{"an OR with a scope names that scope", "GET", "/reports", viewer, 403, insufficient + `, scope="reports:read"`},
		{"in-handler check through the hierarchy", "GET", "/inline", admin, 200, ""},
		{"in-handler check refuses", "GET", "/inline", writer, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); tc.challenge != "" && got != tc.challenge {
				t.Fatalf("WWW-Authenticate\n got %s\nwant %s", got, tc.challenge)
			}
			if tc.status == 403 && tc.challenge != "" &&
				string(body) != `{"error":"insufficient_scope","error_description":"The access token does not grant the required access"}`+"\n" {
				t.Fatalf("body %s", body)
			}
		})
	}
}

func TestRequireWithoutProtectIs401(t *testing.T) {
	t.Parallel()
	h := nethttp.Require(rbac.Authenticated(), nethttp.WithRealm("orders"))(http.NotFoundHandler())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="orders"` {
		t.Fatalf("%d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
}

// Require with no Protect in front, given a request that carries a token,
// is a wiring mistake: 500 (and an error log), never a 401 that blames the
// client's valid token. Without a credential it stays 401, as above.
func TestRequireWithoutProtectRefusesACredentialAsAServerError(t *testing.T) {
	t.Parallel()
	h := nethttp.Require(rbac.Authenticated())(http.NotFoundHandler())
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer some.valid.token")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError || w.Header().Get("WWW-Authenticate") != "" || strings.Contains(w.Body.String(), "some.valid") {
		t.Fatalf("%d %q %q", w.Code, w.Header().Get("WWW-Authenticate"), w.Body.String())
	}
}

// A mapper given to Require reads the claims even when Protect has none:
// a Keycloak realm role grants what the default mapping would not see.
func TestRequireUsesItsOwnMapper(t *testing.T) {
	t.Parallel()
	iss, v := issuerAndVerifier(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	kc := rbac.MustNewMapper(rbac.Keycloak("orders"))
	mux := http.NewServeMux()
	mux.Handle("GET /with", nethttp.Require(rbac.Role("admin"), nethttp.WithMapper(kc))(ok))
	mux.Handle("GET /without", nethttp.Require(rbac.Role("admin"))(ok))
	h := nethttp.Protect(v)(mux)
	tok, err := iss.Mint(jwttest.ClaimsSet{"realm_access": map[string]any{"roles": []string{"admin"}}})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/with": 200, "/without": 403} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s: %d %s, want %d", path, w.Code, w.Body.String(), want)
		}
	}
}

// issuerAndVerifier starts a test issuer and a verifier that trusts it.
func issuerAndVerifier(t *testing.T) (*jwttest.Issuer, *middleware.Verifier) {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return iss, v
}

// The same mapper given to Protect and Require maps each token once, in
// its verification: Require reads what Protect stored, and a request the
// verified-token cache answers maps nothing. Another mapper maps on its
// own. (The mismatch hook counts the mappings: the token's roles claim has
// the wrong shape.)
func TestTheSameMapperMapsOncePerRequest(t *testing.T) {
	t.Parallel()
	iss, v := issuerAndVerifier(t)
	var maps atomic.Int32
	m := rbac.MustNewMapper(rbac.Keycloak("orders"), rbac.WithMismatchHook(func(rbac.Mismatch) { maps.Add(1) }))
	other := rbac.MustNewMapper(rbac.Keycloak("orders"), rbac.WithMismatchHook(func(rbac.Mismatch) { maps.Add(1) }))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux := http.NewServeMux()
	mux.Handle("GET /same", nethttp.Require(rbac.Scope("a"), nethttp.WithMapper(m))(ok))
	mux.Handle("GET /other", nethttp.Require(rbac.Scope("a"), nethttp.WithMapper(other))(ok))
	h := nethttp.Protect(v, nethttp.WithMapper(m))(mux)
	for _, tc := range []struct {
		path        string
		first, next int32 // mappings of a token's first request, and of the same again (a cache hit)
	}{{"/same", 1, 0}, {"/other", 2, 1}} {
		tok, err := iss.Mint(jwttest.ClaimsSet{"sub": tc.path, "scope": "a", "realm_access": map[string]any{"roles": "admin"}})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []int32{tc.first, tc.next} {
			maps.Store(0)
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 || maps.Load() != want {
				t.Errorf("%s, request %d: %d, mapped %d times, want 200 and %d", tc.path, i+1, w.Code, maps.Load(), want)
			}
		}
	}
}
