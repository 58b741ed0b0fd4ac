package nethttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func TestRequireSplits401And403(t *testing.T) {
	t.Parallel()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, quiet, middleware.WithStartupFetch())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
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

	viewer := iss.MustMint(jwttest.Claims{"scope": "items:read", "roles": []string{"viewer"}})
	writer := iss.MustMint(jwttest.Claims{"scope": "items:read items:write"})
	admin := iss.MustMint(jwttest.Claims{"roles": []string{"admin"}, "scope": "reports:read"})
	scopeNamedAdmin := iss.MustMint(jwttest.Claims{"scope": "admin"})
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
