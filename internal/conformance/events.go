package conformance

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// runEvents drives known traffic through s, one request at a time, and
// checks that the verifier's hook saw exactly one verification event per
// request, with its outcome, reason and configured issuer, carrying the
// request's own context: what every exporter (the prometheus and otel
// modules) counts, so they count a stack's traffic as they count
// net/http's, with no code of the stack's.
func runEvents(t *testing.T, s Stack) {
	var mu sync.Mutex
	var seen []string
	hook := func(e middleware.Event) {
		if e.Kind != middleware.EventAccepted && e.Kind != middleware.EventRejected {
			return
		}
		server := "no server's context"
		if e.Context.Value(http.ServerContextKey) != nil {
			server = "the request's context"
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %s %s, %s", e.Kind, e.Reason, e.Issuer, server))
	}
	env, v, m := NewEnv(t, middleware.WithHook(hook))
	srv := httptest.NewServer(s.Handler(v, Options(Default, m), Routes()))
	defer srv.Close()
	iss := env.Issuer.URL()
	expired := jwttest.ClaimsSet{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()}
	for _, r := range []struct {
		method, path, token string
		status              int
		event               string
	}{
		{"GET", "/me", env.Mint(t, nil), http.StatusOK, "accepted  " + iss},
		{"GET", "/items", env.Mint(t, jwttest.ClaimsSet{"scope": "items:read"}), http.StatusOK, "accepted  " + iss},
		{"DELETE", "/items", env.Mint(t, jwttest.ClaimsSet{"scope": "items:read"}), http.StatusForbidden, "accepted  " + iss},
		{"GET", "/me", env.Mint(t, expired), http.StatusUnauthorized, "rejected token_expired " + iss},
		{"GET", "/me", "", http.StatusUnauthorized, "rejected token_missing "},
		{"GET", "/me", env.Other.MustMint(jwttest.ClaimsSet{"sub": "mallory"}), http.StatusUnauthorized, "rejected issuer_invalid "},
	} {
		mu.Lock()
		seen = nil
		mu.Unlock()
		resp, _ := Call(t, r.method, srv.URL+r.path, r.token)
		mu.Lock()
		got := strings.Join(seen, "; ")
		mu.Unlock()
		if want := r.event + ", the request's context"; resp.StatusCode != r.status || got != want {
			t.Errorf("%s %s: status %d, events %q; want %d, %q", r.method, r.path, resp.StatusCode, got, r.status, want)
		}
	}
}
