package demotest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
)

//go:embed testdata/transcript.golden
var golden string

// Suite is what every example server must do, whatever its router: answer
// its banner's curl commands with exactly the answers in
// testdata/transcript.golden (so all examples answer identically), show a
// dialable URL for a wildcard address, serve a real provider's tokens with
// -issuer, -audience, -jwks, -preset and -roles-claim, and refuse bad flags.
func Suite(t *testing.T, run RunFunc) {
	t.Run("the banner's curl commands get the golden answers", func(t *testing.T) {
		t.Parallel()
		s := Start(t, run, "-addr", "127.0.0.1:0")
		got := Transcript(t, s)
		if os.Getenv("DEMOTEST_UPDATE") == "1" {
			_, file, _, _ := runtime.Caller(0)
			if err := os.WriteFile(filepath.Join(filepath.Dir(file), "testdata", "transcript.golden"), []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		if got != golden {
			t.Fatalf("the answers differ from testdata/transcript.golden:\n%s", lineDiff(golden, got))
		}
		// Refusals are logged with their reason, and no line holds a token.
		for _, want := range []string{"reason=token_missing", "reason=token_expired", "reason=signature_invalid"} {
			if !strings.Contains(s.Log.String(), want) {
				t.Errorf("no refusal logged with %s:\n%s", want, s.Log.String())
			}
		}
		for _, tok := range s.Vars {
			if strings.Contains(s.Log.String(), tok) || strings.Contains(s.Log.String(), tok[strings.LastIndex(tok, ".")+1:]) {
				t.Errorf("the log holds a banner token:\n%s", s.Log.String())
			}
		}
		if err := s.Stop(); err != nil {
			t.Fatalf("unclean shutdown: %v", err)
		}
	})
	t.Run("a free port is picked and shown", func(t *testing.T) {
		t.Parallel()
		s := Start(t, run, "-addr", ":0")
		if strings.Contains(s.Banner, ":0/") || strings.Contains(s.Banner, "[::]") {
			t.Fatalf("the banner does not show a dialable URL:\n%s", s.Banner)
		}
		if res := s.Do(t, s.Curls[0].Line); res.Status != 200 {
			t.Fatalf("%s: %d", s.Curls[0].Line, res.Status)
		}
	})
	t.Run("-issuer and -audience, or ISSUER and AUDIENCE, serve a provider's tokens", func(t *testing.T) {
		t.Parallel()
		issuerFlags(t, run)
	})
	t.Run("-preset (or PRESET) and -roles-claim read a provider's roles", func(t *testing.T) {
		t.Parallel()
		presetFlags(t, run)
	})
	t.Run("bad flags and environments are refused", func(t *testing.T) {
		t.Parallel()
		for _, env := range []map[string]string{
			{"ISSUER": "https://id.example.com"},
			{"AUDIENCE": "x"},
			{"JWKS_URL": "https://id.example.com/jwks"},
			{"PRESET": "ldap"},
		} {
			if err := run(t.Context(), nil, Env(env), &strings.Builder{}, &strings.Builder{}); err == nil {
				t.Errorf("%q accepted", env)
			}
		}
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
			if err := run(t.Context(), args, Env(nil), &strings.Builder{}, &strings.Builder{}); err == nil {
				t.Errorf("%q accepted", args)
			}
		}
	})
}

// volatile are the JSON members that differ from run to run: the
// development issuer's URL, times, token ids and tokens.
var volatile = map[string]string{"iss": "<issuer>", "iat": "<time>", "exp": "<time>", "nbf": "<time>",
	"jti": "<id>", "access_token": "<token>"}

// Transcript replays every curl line of the banner and writes down, for
// each, the status, the WWW-Authenticate, Content-Type and Cache-Control
// headers and the body, byte for byte (JSON bodies with volatile members
// have those replaced).
func Transcript(t testing.TB, s *Server) string {
	t.Helper()
	var b strings.Builder
	for _, c := range s.Curls {
		res := s.Do(t, c.Line)
		if res.Status != c.Expect {
			t.Errorf("%s\n  got %d, the banner promises %d", c.Line, res.Status, c.Expect)
		}
		line := strings.ReplaceAll(c.Line, s.URL, "$API")
		if i := strings.Index(line, "http://"); i >= 0 { // the issuer's token endpoint
			line = line[:i] + "$TOKEN_ENDPOINT"
		}
		fmt.Fprintf(&b, "%s\n  %d\n", line, res.Status)
		for _, h := range []string{"WWW-Authenticate", "Content-Type", "Cache-Control", "X-Content-Type-Options", "Retry-After"} {
			if v := res.Header.Values(h); len(v) > 0 {
				fmt.Fprintf(&b, "  %s: %s\n", h, strings.Join(v, " | "))
			}
		}
		fmt.Fprintf(&b, "  body %q\n\n", normalize(res.Body))
	}
	return b.String()
}

func normalize(body string) string {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return body
	}
	changed := false
	for k, placeholder := range volatile {
		if _, ok := m[k]; ok {
			m[k] = placeholder
			changed = true
		}
	}
	if !changed {
		return body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return "normalized: " + strings.TrimSuffix(buf.String(), "\n")
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %s\n   got %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// issuerFlags: -issuer and -audience protect the API with another issuer's
// tokens, and no development issuer starts; -jwks skips discovery.
func issuerFlags(t *testing.T, run RunFunc) {
	provider, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(provider.Close)
	stranger, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stranger.Close)
	flags := []string{"-addr", "127.0.0.1:0", "-issuer", provider.URL(), "-audience", "orders"}
	for _, mode := range []struct {
		name      string
		args      []string
		env       map[string]string
		skipsDisc bool
	}{
		{"discovery", flags, nil, false},
		{"-jwks", append(flags, "-jwks", provider.JWKSURL()), nil, true},
		{"the environment", []string{"-addr", "127.0.0.1:0"},
			map[string]string{"ISSUER": provider.URL(), "AUDIENCE": "orders", "JWKS_URL": provider.JWKSURL()}, true},
		{"flags over the environment", flags, map[string]string{"ISSUER": stranger.URL(), "AUDIENCE": "billing"}, false},
	} {
		discoveries := provider.DiscoveryRequests()
		s := StartEnv(t, run, mode.env, mode.args...)
		if strings.Contains(s.Banner, "Development issuer") || strings.Contains(s.Banner, "VIEWER") {
			t.Fatalf("%s: a development issuer started:\n%s", mode.name, s.Banner)
		}
		s.Vars["TOKEN"] = provider.MustMint(jwttest.ClaimsSet{"sub": "carol"})
		for _, c := range s.Curls {
			if res := s.Do(t, c.Line); res.Status != c.Expect {
				t.Fatalf("%s: %s: got %d, want %d", mode.name, c.Line, res.Status, c.Expect)
			}
		}
		for name, tok := range map[string]string{
			"another issuer's token":   stranger.MustMint(nil),
			"another audience's token": provider.MustMint(jwttest.ClaimsSet{"aud": "billing"}),
		} {
			s.Vars["TOKEN"] = tok
			if res := s.Do(t, s.Curls[1].Line); res.Status != 401 {
				t.Fatalf("%s: %s: got %d", mode.name, name, res.Status)
			}
		}
		if mode.skipsDisc && provider.DiscoveryRequests() != discoveries {
			t.Fatalf("%s: the JWKS URL did not skip discovery", mode.name)
		}
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// presetFlags: -preset and -roles-claim read a real provider's roles and
// scopes.
func presetFlags(t *testing.T, run RunFunc) {
	provider, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(provider.Close)
	keycloakAdmin := jwttest.ClaimsSet{"scope": "openid items:read",
		"realm_access":    map[string]any{"roles": []string{"offline_access"}},
		"resource_access": map[string]any{"orders": map[string]any{"roles": []string{"admin"}}}}
	cases := []struct {
		name   string
		flags  []string
		env    map[string]string
		claims jwttest.ClaimsSet
		get    int // GET /api/items
		del    int // DELETE /api/items/1
	}{
		{"keycloak client roles", []string{"-preset", "keycloak"}, nil, keycloakAdmin, 200, 204},
		{"PRESET=keycloak", nil, map[string]string{"PRESET": "keycloak"}, keycloakAdmin, 200, 204},
		{"keycloak ignores top-level roles", []string{"-preset", "keycloak"}, nil, jwttest.ClaimsSet{"roles": []string{"admin"}, "scope": "items:read"}, 200, 403},
		{"entra scp and roles", []string{"-preset", "entra"}, nil, jwttest.ClaimsSet{"scp": "items:read", "roles": []string{"admin"}}, 200, 204},
		{"okta scp array, no roles", []string{"-preset", "okta"}, nil, jwttest.ClaimsSet{"scp": []string{"items:read"}, "roles": []string{"admin"}}, 200, 403},
		{"a roles claim path", []string{"-roles-claim", "app.roles"}, nil, jwttest.ClaimsSet{"scope": "items:write", "app": map[string]any{"roles": []string{"admin"}}}, 403, 204},
		{"a namespaced roles claim with auth0", []string{"-preset", "auth0", "-roles-claim", `["https://example.com/roles"]`}, nil,
			jwttest.ClaimsSet{"https://example.com/roles": []string{"admin"}, "scope": "items:read"}, 200, 204},
		{"auth0 with -preset-param", []string{"-preset", "auth0", "-preset-param", "https://example.com/roles"}, nil,
			jwttest.ClaimsSet{"https://example.com/roles": []string{"admin"}, "permissions": []string{"x"}, "scope": "items:read"}, 200, 204},
		{"PRESET and PRESET_PARAM", nil, map[string]string{"PRESET": "auth0", "PRESET_PARAM": "https://example.com/roles"},
			jwttest.ClaimsSet{"https://example.com/roles": []string{"admin"}, "scope": "items:read"}, 200, 204},
		{"auth0 reads no claim named after the audience", []string{"-preset", "auth0"}, nil,
			jwttest.ClaimsSet{"orders": []string{"admin"}, "scope": "items:read"}, 200, 403},
		{"zitadel reads the project roles of -audience", []string{"-preset", "zitadel"}, nil,
			jwttest.ClaimsSet{"scope": "items:read", "urn:zitadel:iam:org:project:orders:roles": map[string]any{"admin": map[string]any{"1": "acme"}},
				"urn:zitadel:iam:org:project:roles": map[string]any{"viewer": map[string]any{"1": "acme"}}}, 200, 204},
		{"zitadel ignores another project's roles", []string{"-preset", "zitadel"}, nil,
			jwttest.ClaimsSet{"scope": "items:read", "urn:zitadel:iam:org:project:roles": map[string]any{"admin": map[string]any{"1": "acme"}}}, 200, 403},
		{"keycloak with another client", []string{"-preset", "keycloak", "-preset-param", "web"}, nil,
			jwttest.ClaimsSet{"scope": "items:read", "resource_access": map[string]any{"web": map[string]any{"roles": []string{"admin"}},
				"orders": map[string]any{"roles": []string{"viewer"}}}}, 200, 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"-addr", "127.0.0.1:0", "-issuer", provider.URL(), "-audience", "orders"}, tc.flags...)
			s := StartEnv(t, run, tc.env, args...)
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
