package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/examples/internal/demotest"
	"github.com/jwtguard/jwtguard/jwttest"
)

// The banner's curl commands, run as printed, get the statuses they promise.
func TestBannerCurlCommandsDoWhatTheySay(t *testing.T) {
	t.Parallel()
	s := demotest.Start(t, run, "-addr", "127.0.0.1:0")
	for _, name := range []string{"VIEWER", "ADMIN", "EXPIRED", "TAMPERED"} {
		if s.Vars[name] == "" {
			t.Fatalf("no %s token in the banner:\n%s", name, s.Banner)
		}
	}
	if len(s.Curls) != 11 {
		t.Fatalf("%d curl commands in the banner:\n%s", len(s.Curls), s.Banner)
	}
	for _, c := range s.Curls {
		res := s.Do(t, c.Line)
		if res.Status != c.Expect {
			t.Fatalf("%s\n  got %d, the banner promises %d: %s", c.Line, res.Status, c.Expect, res.Body)
		}
		got := res.Header.Get("WWW-Authenticate")
		want := `Bearer realm="jwtguard-example"`
		switch {
		case res.Status == 403 && strings.Contains(c.Line, "POST"):
			want += `, error="insufficient_scope", error_description="The access token does not grant the required access", scope="items:write"`
		case res.Status == 403:
			want += `, error="insufficient_scope", error_description="The access token does not grant the required access"`
		case res.Status != 401:
			continue
		}
		if strings.Contains(c.Line, "$EXPIRED") {
			want += `, error="invalid_token", error_description="The access token expired"`
		} else if strings.Contains(c.Line, "$TAMPERED") {
			want += `, error="invalid_token", error_description="The access token is invalid"`
		}
		if got != want {
			t.Fatalf("%s\n  WWW-Authenticate %q, want %q", c.Line, got, want)
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("unclean shutdown: %v", err)
	}
}

func TestAFreePortIsPickedAndShown(t *testing.T) {
	t.Parallel()
	s := demotest.Start(t, run, "-addr", ":0")
	if strings.Contains(s.Banner, ":0/") || strings.Contains(s.Banner, "[::]") {
		t.Fatalf("the banner does not show a dialable URL:\n%s", s.Banner)
	}
	if res := s.Do(t, s.Curls[0].Line); res.Status != 200 {
		t.Fatalf("%s: %d", s.Curls[0].Line, res.Status)
	}
}

func TestMeAnswersWithTheClaims(t *testing.T) {
	t.Parallel()
	s := demotest.Start(t, run, "-addr", "127.0.0.1:0")
	var me string
	for _, c := range s.Curls {
		if strings.Contains(c.Line, "/api/me") {
			me = c.Line
		}
	}
	res := s.Do(t, me)
	var claims map[string]any
	if err := json.Unmarshal([]byte(res.Body), &claims); err != nil || claims["sub"] != "viewer" || claims["scope"] != "items:read" {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

// -issuer and -audience protect the API with another issuer's tokens, and no
// development issuer starts.
func TestIssuerAndAudienceFlags(t *testing.T) {
	t.Parallel()
	provider, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	stranger, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	for _, mode := range []struct {
		name  string
		extra []string
	}{{"discovery", nil}, {"-jwks", []string{"-jwks", provider.JWKSURL()}}} {
		t.Run(mode.name, func(t *testing.T) {
			discoveries := provider.DiscoveryRequests()
			args := append([]string{"-addr", "127.0.0.1:0", "-issuer", provider.URL(), "-audience", "orders"}, mode.extra...)
			s := demotest.Start(t, run, args...)
			if strings.Contains(s.Banner, "Development issuer") || strings.Contains(s.Banner, "VIEWER") {
				t.Fatalf("a development issuer started:\n%s", s.Banner)
			}
			s.Vars["TOKEN"] = provider.MustMint(jwttest.Claims{"sub": "carol"})
			for _, c := range s.Curls {
				if res := s.Do(t, c.Line); res.Status != c.Expect {
					t.Fatalf("%s: got %d, want %d", c.Line, res.Status, c.Expect)
				}
			}
			for name, tok := range map[string]string{
				"another issuer's token":   stranger.MustMint(nil),
				"another audience's token": provider.MustMint(jwttest.Claims{"aud": "billing"}),
			} {
				s.Vars["TOKEN"] = tok
				if res := s.Do(t, s.Curls[1].Line); res.Status != 401 {
					t.Fatalf("%s: got %d", name, res.Status)
				}
			}
			if mode.extra != nil && provider.DiscoveryRequests() != discoveries {
				t.Fatal("-jwks did not skip discovery")
			}
		})
	}
}

// -preset and -roles-claim read a real provider's roles and scopes.
func TestPresetAndRolesClaimFlags(t *testing.T) {
	t.Parallel()
	provider, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(provider.Close)
	keycloakAdmin := jwttest.Claims{"scope": "openid items:read",
		"realm_access":    map[string]any{"roles": []string{"offline_access"}},
		"resource_access": map[string]any{"orders": map[string]any{"roles": []string{"admin"}}}}
	cases := []struct {
		name   string
		flags  []string
		claims jwttest.Claims
		get    int // GET /api/items
		del    int // DELETE /api/items/1
	}{
		{"keycloak client roles", []string{"-preset", "keycloak"}, keycloakAdmin, 200, 204},
		{"keycloak ignores top-level roles", []string{"-preset", "keycloak"}, jwttest.Claims{"roles": []string{"admin"}, "scope": "items:read"}, 200, 403},
		{"entra scp and roles", []string{"-preset", "entra"}, jwttest.Claims{"scp": "items:read", "roles": []string{"admin"}}, 200, 204},
		{"okta scp array, no roles", []string{"-preset", "okta"}, jwttest.Claims{"scp": []string{"items:read"}, "roles": []string{"admin"}}, 200, 403},
		{"a roles claim path", []string{"-roles-claim", "app.roles"}, jwttest.Claims{"scope": "items:write", "app": map[string]any{"roles": []string{"admin"}}}, 403, 204},
		{"a namespaced roles claim with auth0", []string{"-preset", "auth0", "-roles-claim", `["https://example.com/roles"]`},
			jwttest.Claims{"https://example.com/roles": []string{"admin"}, "scope": "items:read"}, 200, 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"-addr", "127.0.0.1:0", "-issuer", provider.URL(), "-audience", "orders"}, tc.flags...)
			s := demotest.Start(t, run, args...)
			s.Vars["TOKEN"] = provider.MustMint(tc.claims)
			if res := s.Do(t, `curl -i -H "Authorization: Bearer $TOKEN" `+s.URL+"/api/items"); res.Status != tc.get {
				t.Fatalf("GET: %d, want %d", res.Status, tc.get)
			}
			if res := s.Do(t, `curl -i -X DELETE -H "Authorization: Bearer $TOKEN" `+s.URL+"/api/items/1"); res.Status != tc.del {
				t.Fatalf("DELETE: %d, want %d", res.Status, tc.del)
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-issuer", "https://id.example.com"},
		{"-audience", "x"},
		{"-jwks", "https://id.example.com/jwks"},
		{"-nope"},
		{"stray"},
		{"-issuer", "http://id.example.com", "-audience", "x"},
		{"-preset", "ldap"},
		{"-roles-claim", "a..b"},
	} {
		if err := run(t.Context(), args, &strings.Builder{}, &strings.Builder{}); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestMain lets TestSignalsShutDownCleanly run this test binary as the
// quickstart program itself.
func TestMain(m *testing.M) {
	if os.Getenv("QUICKSTART_AS_MAIN") == "1" {
		os.Args = append([]string{"quickstart"}, strings.Fields(os.Getenv("QUICKSTART_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSignalsShutDownCleanly(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "QUICKSTART_AS_MAIN=1", "QUICKSTART_ARGS=-addr 127.0.0.1:0")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			var api string
			for sc.Scan() {
				if u, ok := strings.CutPrefix(sc.Text(), "jwtguard example API listening on "); ok {
					api = u
				}
				if sc.Text() == demo.EndOfBanner {
					break
				}
			}
			resp, err := http.Get(api + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			go func() { _, _ = io.Copy(io.Discard, out) }()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit after %s: %v", sig, err)
			}
		})
	}
}
