package jwttest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

func newIssuer(t *testing.T, opts ...jwttest.Option) *jwttest.Issuer {
	t.Helper()
	iss, err := jwttest.NewIssuer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	return iss
}

func verifier(t *testing.T, iss *jwttest.Issuer, aud string) *middleware.Verifier {
	t.Helper()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{aud}}},
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func TestMintedTokensCarryDefaultsAndVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_900_000_000, 0)
	iss := newIssuer(t, jwttest.WithAudience("api"), jwttest.WithClock(func() time.Time { return now }),
		jwttest.WithTokenLifetime(10*time.Minute))
	tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	parts := strings.Split(tok, ".")
	var header, payload map[string]any
	decode(t, parts[0], &header)
	decode(t, parts[1], &payload)
	if header["alg"] != "RS256" || header["typ"] != "at+jwt" || header["kid"] != iss.KeyIDs()[0] {
		t.Fatalf("header %v", header)
	}
	if payload["iss"] != iss.URL() || payload["aud"] != "api" || payload["sub"] != "alice" ||
		payload["iat"] != float64(now.Unix()) || payload["exp"] != float64(now.Add(10*time.Minute).Unix()) {
		t.Fatalf("payload %v", payload)
	}
	bare := iss.MustMint(jwttest.ClaimsSet{"x": 1}, jwttest.WithoutDefaults())
	var barePayload map[string]any
	decode(t, strings.Split(bare, ".")[1], &barePayload)
	if len(barePayload) != 1 {
		t.Fatalf("WithoutDefaults kept defaults: %v", barePayload)
	}
	if _, err := iss.Mint(nil, jwttest.WithAlg("ES256")); err == nil {
		t.Fatal("minted with an algorithm that has no key")
	}
	if _, err := iss.Mint(nil, jwttest.WithKeyID("missing")); err == nil {
		t.Fatal("minted with a missing kid")
	}
}

func decode(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestEveryAlgorithmMintsVerifiableTokens(t *testing.T) {
	t.Parallel()
	algs := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	iss := newIssuer(t, jwttest.WithAudience("api"), jwttest.WithKeyAlgorithms(algs...))
	v := verifier(t, iss, "api")
	for _, alg := range algs {
		if _, err := v.Verify(context.Background(), iss.MustMint(nil, jwttest.WithAlg(alg))); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
	hs, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"api"},
		Keys: []middleware.Key{{Algorithm: "HS256", Secret: iss.Secret()}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	if _, err := hs.Verify(context.Background(), iss.MustMint(nil, jwttest.WithAlg("HS256"))); err != nil {
		t.Fatalf("HS256: %v", err)
	}
	if _, err := jwttest.NewIssuer(jwttest.WithKeyAlgorithms("HS256")); err == nil {
		t.Fatal("a published HS256 key was created")
	}
}

func TestRotationPublishesAndRetiresKeys(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	first := iss.KeyIDs()[0]
	second, err := iss.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	if got := iss.KeyIDs(); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("kids %v", got)
	}
	if kids := publishedKids(t, iss); !slices.Equal(kids, []string{first, second}) {
		t.Fatalf("published %v", kids)
	}
	var header map[string]any
	decode(t, strings.Split(iss.MustMint(nil), ".")[0], &header)
	if header["kid"] != second {
		t.Fatalf("signed with %v, want the newest key", header["kid"])
	}
	if !iss.RemoveKey(first) || iss.RemoveKey(first) {
		t.Fatal("RemoveKey reports wrongly")
	}
	if kids := publishedKids(t, iss); !slices.Equal(kids, []string{second}) {
		t.Fatalf("published %v after removal", kids)
	}
	if iss.PublicKey(first) != nil || iss.PublicKey(second) == nil {
		t.Fatal("PublicKey does not follow rotation")
	}
}

func publishedKids(t *testing.T, iss *jwttest.Issuer) []string {
	t.Helper()
	resp, err := http.Get(iss.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Keys []struct {
			Kid string `json:"kid"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range doc.Keys {
		if k.D != "" {
			t.Fatal("private key material published")
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestDiscoveryDocument(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	resp, err := http.Get(iss.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != iss.URL() || doc["jwks_uri"] != iss.JWKSURL() || doc["token_endpoint"] != iss.TokenURL() {
		t.Fatalf("discovery %v", doc)
	}
	if iss.DiscoveryRequests() != 1 || iss.JWKSRequests() != 0 {
		t.Fatal("request counters are off")
	}
}

func TestTokenEndpointClientCredentials(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithAudience("api"))
	v := verifier(t, iss, "api")
	post := func(form url.Values, basic bool) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, iss.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth("cli", "secret")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	status, body := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"web"},
		"scope": {"items:read items:write"}, "roles": {"admin,editor"}}, false)
	if status != 200 || body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) {
		t.Fatalf("%d %v", status, body)
	}
	c, err := v.Verify(context.Background(), body["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var roles struct {
		Roles []string `json:"roles"`
	}
	if err := c.Decode(&roles); err != nil || c.Subject != "web" || c.ClientID != "web" ||
		!slices.Equal(c.Scopes, []string{"items:read", "items:write"}) || !slices.Equal(roles.Roles, []string{"admin", "editor"}) {
		t.Fatalf("claims %+v roles %v", c, roles)
	}
	if status, body := post(url.Values{"grant_type": {"client_credentials"}}, true); status != 200 || body["access_token"] == nil {
		t.Fatalf("basic auth: %d %v", status, body)
	}
	if status, body := post(url.Values{"grant_type": {"password"}, "client_id": {"web"}}, false); status != 400 || body["error"] != "unsupported_grant_type" {
		t.Fatalf("password grant: %d %v", status, body)
	}
	if status, body := post(url.Values{"grant_type": {"client_credentials"}}, false); status != 401 || body["error"] != "invalid_client" {
		t.Fatalf("no client: %d %v", status, body)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	client := &http.Client{Timeout: 2 * time.Second}
	get := func() (int, string, error) {
		resp, err := client.Get(iss.JWKSURL())
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	cases := []struct {
		fault  jwttest.Fault
		status int
		body   string
	}{
		{jwttest.Fault500, 500, "internal error"},
		{jwttest.Fault429, 429, "slow down"},
		{jwttest.FaultGarbage, 200, "<html>"},
		{jwttest.FaultEmpty, 200, `{"keys":[]}`},
		{jwttest.FaultNone, 200, `"kty":"RSA"`},
	}
	for _, tc := range cases {
		iss.SetFault(tc.fault)
		status, body, err := get()
		if err != nil || status != tc.status || !strings.Contains(body, tc.body) {
			t.Fatalf("fault %d: %d %q %v", tc.fault, status, body, err)
		}
	}
	iss.SetFault(jwttest.FaultDown)
	if _, _, err := get(); err == nil {
		t.Fatal("FaultDown answered")
	}
	iss.SetSlowDelay(time.Hour)
	iss.SetFault(jwttest.FaultSlow)
	if _, _, err := get(); err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("FaultSlow answered: %v", err)
	}
	iss.SetFault(jwttest.FaultNone)
	iss.SetCacheControl("max-age=60")
	resp, err := client.Get(iss.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "max-age=60" {
		t.Fatal("Cache-Control not set")
	}
	req, _ := http.NewRequest(http.MethodGet, iss.JWKSURL(), nil)
	req.Header.Set("Cache-Control", "no-cache")
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
	if iss.LastJWKSRequestHeader().Get("Cache-Control") != "no-cache" {
		t.Fatal("request headers not recorded")
	}
	if iss.JWKSRequests() != 10 {
		t.Fatalf("JWKS requests %d, want 10", iss.JWKSRequests())
	}
}

func TestListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	if _, err := jwttest.NewIssuer(jwttest.WithAddress("0.0.0.0:0")); err == nil {
		t.Fatal("listened beyond loopback")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	iss := newIssuer(t, jwttest.WithAddress(addr))
	if iss.URL() != "http://"+addr {
		t.Fatalf("URL %s, want http://%s", iss.URL(), addr)
	}
}

func TestCloseEndsSlowResponses(t *testing.T) {
	t.Parallel()
	iss, err := jwttest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	iss.SetSlowDelay(time.Hour)
	iss.SetFault(jwttest.FaultSlow)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(iss.JWKSURL())
		if err == nil {
			resp.Body.Close()
		}
	}()
	for iss.JWKSRequests() == 0 {
		time.Sleep(time.Millisecond)
	}
	iss.Close()
	<-done
}
