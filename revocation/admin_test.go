package revocation_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/jwtguard/jwtguard/revocation"
)

// adminAPI is the admin handler over store behind Protect, with a verifier
// that consults store, for tokens of the issuer it returns.
func adminAPI(t *testing.T, store revocation.Store) (*jwttest.Issuer, *middleware.Verifier, http.Handler) {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithRevocation(store), middleware.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return iss, v, nethttp.Protect(v)(revocation.AdminHandler(store, rbac.Role("security-admin")))
}

func TestAdminHandler(t *testing.T) {
	t.Parallel()
	store := revocation.NewMemory()
	iss, v, h := adminAPI(t, store)
	srv := httptest.NewServer(h)
	defer srv.Close()
	admin := iss.MustMint(jwttest.ClaimsSet{"sub": "root", "roles": []string{"security-admin"}})
	user := iss.MustMint(jwttest.ClaimsSet{"sub": "mallory", "roles": []string{"viewer"}})
	call := func(method, token, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	revokeMallory := `{"kind":"sub","iss":"` + iss.URL() + `","value":"mallory","reason":"stolen laptop"}`
	for _, tc := range []struct {
		name, method, token, body string
		status                    int
	}{
		{"no token", "GET", "", "", 401},
		{"a user without the role", "POST", user, revokeMallory, 403},
		{"an unknown field", "POST", admin, `{"kind":"sub","iss":"x","value":"y","admin":true}`, 400},
		{"an unknown kind", "POST", admin, `{"kind":"email","iss":"x","value":"y"}`, 400},
		{"no value", "POST", admin, `{"kind":"jti","iss":"x"}`, 400},
		{"revoke a user", "POST", admin, revokeMallory, 201},
		{"PUT", "PUT", admin, revokeMallory, 405},
	} {
		if status, body := call(tc.method, tc.token, tc.body); status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
		}
	}
	status, body := call("GET", admin, "")
	var list struct{ Revocations []revocation.Revocation }
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.Revocations) != 1 ||
		list.Revocations[0].Value != "mallory" || list.Revocations[0].Reason != "stolen laptop" || list.Revocations[0].Kind != revocation.BySubject {
		t.Fatalf("list: %d %s", status, body)
	}
	// Mallory's token, issued before, is now refused.
	if _, err := v.Verify(context.Background(), user); middleware.ReasonOf(err) != reason.TokenRevoked {
		t.Fatalf("mallory: %v", err)
	}
}

// A store that refuses the revocation (full) answers 503 saying nothing was
// recorded, distinct from a store that could not confirm it.
func TestAdminHandlerSaysWhenNothingWasRecorded(t *testing.T) {
	t.Parallel()
	iss, _, h := adminAPI(t, revocation.NewMemory(revocation.WithMaxEntries(1)))
	admin := iss.MustMint(jwttest.ClaimsSet{"sub": "root", "roles": []string{"security-admin"}})
	post := func(value string) (int, map[string]string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"kind":"sub","iss":"`+iss.URL()+`","value":"`+value+`"}`))
		req.Header.Set("Authorization", "Bearer "+admin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var body map[string]string
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		return w.Code, body
	}
	if status, body := post("a"); status != 201 {
		t.Fatalf("the first revocation: %d %v", status, body)
	}
	if status, body := post("b"); status != 503 || body["outcome"] != "not_recorded" {
		t.Fatalf("a full store: %d %v", status, body)
	}
}
