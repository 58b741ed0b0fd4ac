package middleware_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

func TestClaimRules(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	now := clk.Now().Unix()
	base := func(extra jwttest.ClaimsSet) jwttest.ClaimsSet {
		c := jwttest.ClaimsSet{"iss": iss.URL(), "aud": audience, "exp": now + 3600, "sub": "alice"}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	cases := []struct {
		name   string
		claims jwttest.ClaimsSet
		opts   []jwttest.MintOption
		want   reason.Code
	}{
		{"a token with every claim right is accepted", base(nil), nil, ""},
		{"a token without exp is refused", base(jwttest.ClaimsSet{"exp": nil}), nil, reason.ClaimMissing},
		{"a token that expired beyond the leeway is refused", base(jwttest.ClaimsSet{"exp": now - 61}), nil, reason.TokenExpired},
		{"a token whose exp plus leeway is now is refused", base(jwttest.ClaimsSet{"exp": now - 60}), nil, reason.TokenExpired},
		{"a token that expired within the leeway is accepted", base(jwttest.ClaimsSet{"exp": now - 59}), nil, ""},
		{"exp zero is expired", base(jwttest.ClaimsSet{"exp": 0}), nil, reason.TokenExpired},
		{"exp as a string is refused", base(jwttest.ClaimsSet{"exp": "4102444800"}), nil, reason.ClaimInvalid},
		{"a negative exp is refused", base(jwttest.ClaimsSet{"exp": -1}), nil, reason.ClaimInvalid},
		{"an absurdly large exp is refused", base(jwttest.ClaimsSet{"exp": 1e300}), nil, reason.ClaimInvalid},
		{"a fractional exp is accepted", base(jwttest.ClaimsSet{"exp": float64(now) + 100.5}), nil, ""},
		{"an exp just past year 9999 is refused", base(jwttest.ClaimsSet{"exp": int64(253402300800)}), nil, reason.ClaimInvalid},
		{"an exp of sixteen digits is refused", base(jwttest.ClaimsSet{"exp": int64(1000000000000000)}), nil, reason.ClaimInvalid},
		{"an exp with an exponent is read as a number", base(jwttest.ClaimsSet{"exp": json.Number("4.1e9")}), nil, ""},
		{"nbf beyond the leeway is refused", base(jwttest.ClaimsSet{"nbf": now + 61}), nil, reason.TokenNotYetValid},
		{"nbf at the leeway edge is accepted", base(jwttest.ClaimsSet{"nbf": now + 60}), nil, ""},
		{"nbf as a boolean is refused", base(jwttest.ClaimsSet{"nbf": true}), nil, reason.ClaimInvalid},
		{"iat in the future beyond the leeway is refused", base(jwttest.ClaimsSet{"iat": now + 61}), nil, reason.TokenIssuedInFuture},
		{"iat at the leeway edge is accepted", base(jwttest.ClaimsSet{"iat": now + 60}), nil, ""},
		{"iat as an object is refused", base(jwttest.ClaimsSet{"iat": map[string]any{}}), nil, reason.ClaimInvalid},
		{"another audience is refused", base(jwttest.ClaimsSet{"aud": "billing-api"}), nil, reason.AudienceInvalid},
		{"an audience differing in case is refused", base(jwttest.ClaimsSet{"aud": "Orders-API"}), nil, reason.AudienceInvalid},
		{"an audience array containing ours is accepted", base(jwttest.ClaimsSet{"aud": []string{"billing-api", audience}}), nil, ""},
		{"a missing audience is refused", base(jwttest.ClaimsSet{"aud": nil}), nil, reason.AudienceInvalid},
		{"an empty audience array is refused", base(jwttest.ClaimsSet{"aud": []string{}}), nil, reason.AudienceInvalid},
		{"aud as a number is refused", base(jwttest.ClaimsSet{"aud": 7}), nil, reason.ClaimInvalid},
		{"aud with a number inside is refused", base(jwttest.ClaimsSet{"aud": []any{audience, 7}}), nil, reason.ClaimInvalid},
		{"a missing iss is refused", base(jwttest.ClaimsSet{"iss": nil}), nil, reason.IssuerInvalid},
		{"iss as a number is refused", base(jwttest.ClaimsSet{"iss": 1}), nil, reason.IssuerInvalid},
		{"an unknown iss is refused", base(jwttest.ClaimsSet{"iss": "https://evil.example"}), nil, reason.IssuerInvalid},
		{"iss with a trailing slash is refused", base(jwttest.ClaimsSet{"iss": iss.URL() + "/"}), nil, reason.IssuerInvalid},
		{"sub as a number is refused", base(jwttest.ClaimsSet{"sub": 42}), nil, reason.ClaimInvalid},
		{"jti as an array is refused", base(jwttest.ClaimsSet{"jti": []string{"x"}}), nil, reason.ClaimInvalid},
		{"scope as an array is refused", base(jwttest.ClaimsSet{"scope": []string{"a"}}), nil, reason.ClaimInvalid},
		{"scp as a number is refused", base(jwttest.ClaimsSet{"scp": 3}), nil, reason.ClaimInvalid},
		{"client_id as a number is refused", base(jwttest.ClaimsSet{"client_id": 3}), nil, reason.ClaimInvalid},
	}
	v := remoteVerifier(t, iss, middleware.WithClock(clk.Now))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := mint(t, iss, tc.claims, append([]jwttest.MintOption{jwttest.WithoutDefaults()}, tc.opts...)...)
			_, err := v.Verify(context.Background(), tok)
			wantReason(t, err, tc.want)
		})
	}
}

func TestIssuerMismatchExplainsNearMisses(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	for name, tc := range map[string]struct{ iss, hint string }{
		"trailing slash": {iss.URL() + "/", "trailing slash"},
		"scheme":         {strings.Replace(iss.URL(), "http://", "https://", 1), "scheme"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"iss": tc.iss}))
			wantReason(t, err, reason.IssuerInvalid)
			if !strings.Contains(err.Error(), tc.hint) {
				t.Fatalf("error %q does not explain the %s difference", err, tc.hint)
			}
			resp := middleware.ResponseFor(err, "api")
			if strings.Contains(resp.Description, "slash") || strings.Contains(resp.WWWAuthenticate, iss.URL()) {
				t.Fatalf("the client sees configuration details: %+v", resp)
			}
		})
	}
}

// The cause of an unknown issuer's refusal is formatted only when read, and
// then names the iss its token had, whatever tokens were verified since.
func TestAnUnknownIssuersErrorKeepsItsOwnCopy(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	_, first := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"iss": "https://first.example/aaaa"}))
	wantReason(t, first, reason.IssuerInvalid)
	other := mint(t, iss, jwttest.ClaimsSet{"iss": "https://other.example/bbbb"})
	for range 50 {
		if _, err := v.Verify(context.Background(), other); err == nil {
			t.Fatal("another issuer's token accepted")
		}
	}
	if msg := first.Error(); !strings.Contains(msg, `"https://first.example/aaaa" is not a configured issuer`) {
		t.Fatalf("the first refusal reads %q", msg)
	}
}

func TestClaimsAreTyped(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	v := remoteVerifier(t, iss, middleware.WithClock(clk.Now))
	tok := mint(t, iss, jwttest.ClaimsSet{
		"sub": "alice", "jti": "t-1", "scope": "items:read  items:write", "azp": "web-app", "nbf": clk.Now().Unix() - 5,
		"aud": []string{"x", audience}, "tenant": map[string]any{"id": "acme"}, "level": 3,
	})
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	want := middleware.Claims{Issuer: iss.URL(), Subject: "alice", ID: "t-1", ClientID: "web-app", Algorithm: "RS256", Type: "at+jwt"}
	if c.Issuer != want.Issuer || c.Subject != want.Subject || c.ID != want.ID || c.ClientID != want.ClientID ||
		c.Algorithm != want.Algorithm || c.Type != want.Type || c.KeyID != iss.KeyIDs()[0] {
		t.Fatalf("claims %+v", c)
	}
	if !slices.Equal(c.Audience, []string{"x", audience}) || !slices.Equal(c.Scopes, []string{"items:read", "items:write"}) {
		t.Fatalf("aud %q scopes %q", c.Audience, c.Scopes)
	}
	if !c.ExpiresAt.Equal(clk.Now().Add(time.Hour)) || !c.IssuedAt.Equal(clk.Now()) || !c.NotBefore.Equal(clk.Now().Add(-5*time.Second)) {
		t.Fatalf("times exp=%s iat=%s nbf=%s", c.ExpiresAt, c.IssuedAt, c.NotBefore)
	}
	type custom struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
		Level int `json:"level"`
	}
	var got custom
	if err := c.Decode(&got); err != nil || got.Tenant.ID != "acme" || got.Level != 3 {
		t.Fatalf("Decode: %+v, %v", got, err)
	}
	if m := c.Map(); m["sub"] != "alice" || m["level"] == nil {
		t.Fatalf("Map: %v", m)
	}
	ctx := middleware.WithClaims(context.Background(), c)
	if back, ok := middleware.ClaimsFromContext(ctx); !ok || back != c {
		t.Fatal("claims do not round-trip through the context")
	}
	if _, ok := middleware.ClaimsFromContext(context.Background()); ok {
		t.Fatal("an empty context has claims")
	}
	if _, ok := middleware.ClaimsFromContext(middleware.WithClaims(context.Background(), nil)); ok {
		t.Fatal("a context given nil claims has claims")
	}
}

// A verification's claims carry room for the context WithClaims makes of
// them: that context behaves as context.WithValue's would (the parent's
// deadline, cancellation and values show through, a child is cancelled
// with it), a second context of the same claims and a copy of the claims
// each get one of their own, and the cache's hits carry room of their own.
func TestWithClaimsIsAContextLikeAnyOther(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	type otherKey struct{}
	for _, name := range []string{"verified", "cache hit"} {
		t.Run(name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Hour)
			parent, cancel := context.WithDeadline(context.WithValue(context.Background(), otherKey{}, "x"), deadline)
			ctx := middleware.WithClaims(parent, c)
			child, cancelChild := context.WithCancel(ctx)
			defer cancelChild()
			if back, ok := middleware.ClaimsFromContext(child); !ok || back != c {
				t.Fatal("the claims do not come back through a child context")
			}
			if ctx.Value(otherKey{}) != "x" {
				t.Fatal("the parent's value is hidden")
			}
			if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
				t.Fatalf("deadline %v, %v", d, ok)
			}
			again := middleware.WithClaims(context.Background(), c)
			cp := *c
			copied := middleware.WithClaims(context.Background(), &cp)
			if back, _ := middleware.ClaimsFromContext(again); back != c {
				t.Fatal("a second context of the same claims lost them")
			}
			if back, _ := middleware.ClaimsFromContext(copied); back != &cp {
				t.Fatal("a copy's context carries the original")
			}
			if back, _ := middleware.ClaimsFromContext(ctx); back != c {
				t.Fatal("the first context changed under the later ones")
			}
			cancel()
			select {
			case <-child.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("a child of the claims' context is not cancelled with its parent")
			}
			if ctx.Err() != context.Canceled || context.Cause(child) != context.Canceled {
				t.Fatalf("err %v, cause %v", ctx.Err(), context.Cause(child))
			}
		})
	}
}

// Audience and Scopes share one allocation with the Claims; appending to
// one must never write into the other.
func TestClaimListsDoNotShareSpareCapacity(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	many := make([]string, 12) // more than the Claims' own room
	for i := range many {
		many[i] = "s" + strconv.Itoa(i)
	}
	for name, claims := range map[string]jwttest.ClaimsSet{
		"a string aud and a few scopes": {"aud": audience, "scope": "a b c"},
		"an aud list and a few scopes":  {"aud": []string{"x", audience}, "scope": "a b c"},
		"many scopes":                   {"aud": []string{"x", audience}, "scope": strings.Join(many, " ")},
		"many aud entries":              {"aud": append([]string{audience}, many...), "scp": []string{"a", "b", "c"}},
		"no scope":                      {"aud": []string{"x", audience}},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), mint(t, iss, claims))
			if err != nil {
				t.Fatal(err)
			}
			scopes := slices.Clone(c.Scopes)
			_ = append(c.Audience, "appended")
			if !slices.Equal(c.Scopes, scopes) {
				t.Fatalf("appending to Audience changed Scopes to %q", c.Scopes)
			}
			aud := slices.Clone(c.Audience)
			_ = append(c.Scopes, "appended")
			if !slices.Equal(c.Audience, aud) {
				t.Fatalf("appending to Scopes changed Audience to %q", c.Audience)
			}
			if cap(c.Audience) != len(c.Audience) || cap(c.Scopes) != len(c.Scopes) {
				t.Fatalf("spare capacity: aud %d/%d, scopes %d/%d", len(c.Audience), cap(c.Audience), len(c.Scopes), cap(c.Scopes))
			}
		})
	}
}

func TestScopesFromScp(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	for name, scp := range map[string]any{
		"Okta's array":                   []string{"items:read", "items:write"},
		"Entra ID's space-delimited scp": "items:read items:write",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"scp": scp}))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Scopes, []string{"items:read", "items:write"}) {
				t.Fatalf("scopes %q", c.Scopes)
			}
		})
	}
}

func TestOptionalClaimRules(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	old := clk.Now().Add(-2 * time.Hour).Unix()
	cases := []struct {
		name   string
		opts   []middleware.Option
		issuer func(*middleware.Issuer)
		claims jwttest.ClaimsSet
		mint   []jwttest.MintOption
		want   reason.Code
	}{
		{"typ at+jwt passes the RFC 9068 check", []middleware.Option{middleware.WithRequireAccessTokenType()}, nil, nil, nil, ""},
		{"typ application/AT+JWT passes, case-insensitively", []middleware.Option{middleware.WithRequireAccessTokenType()}, nil, nil,
			[]jwttest.MintOption{jwttest.WithHeader("typ", "application/AT+JWT")}, ""},
		{"typ JWT fails the RFC 9068 check", []middleware.Option{middleware.WithRequireAccessTokenType()}, nil, nil,
			[]jwttest.MintOption{jwttest.WithHeader("typ", "JWT")}, reason.TypeInvalid},
		{"a missing typ fails the RFC 9068 check", []middleware.Option{middleware.WithRequireAccessTokenType()}, nil, nil,
			[]jwttest.MintOption{jwttest.WithHeader("typ", nil)}, reason.TypeInvalid},
		{"typ is not checked by default", nil, nil, nil, []jwttest.MintOption{jwttest.WithHeader("typ", "JWT")}, ""},
		{"a token older than the maximum age is refused", []middleware.Option{middleware.WithMaxTokenAge(time.Hour)}, nil,
			jwttest.ClaimsSet{"iat": old}, nil, reason.TokenTooOld},
		{"a token within the maximum age is accepted", []middleware.Option{middleware.WithMaxTokenAge(3 * time.Hour)}, nil,
			jwttest.ClaimsSet{"iat": old}, nil, ""},
		{"a maximum age requires iat", []middleware.Option{middleware.WithMaxTokenAge(time.Hour)}, nil,
			jwttest.ClaimsSet{"iss": iss.URL(), "aud": audience, "exp": clk.Now().Add(time.Hour).Unix()}, []jwttest.MintOption{jwttest.WithoutDefaults()}, reason.ClaimMissing},
		{"a required claim that is missing is refused", []middleware.Option{middleware.WithRequiredClaims("jti")}, nil,
			nil, nil, reason.ClaimMissing},
		{"a required claim that is null is refused", []middleware.Option{middleware.WithRequiredClaims("jti")}, nil,
			jwttest.ClaimsSet{"jti": nil}, nil, reason.ClaimMissing},
		{"a required claim that is present is accepted", []middleware.Option{middleware.WithRequiredClaims("jti", "sub")}, nil,
			jwttest.ClaimsSet{"jti": "1", "sub": "a"}, nil, ""},
		{"a client outside the allowlist is refused", nil, func(i *middleware.Issuer) { i.ClientIDs = []string{"web"} },
			jwttest.ClaimsSet{"client_id": "cli"}, nil, reason.ClientNotAllowed},
		{"a client in the allowlist is accepted", nil, func(i *middleware.Issuer) { i.ClientIDs = []string{"web"} },
			jwttest.ClaimsSet{"client_id": "web"}, nil, ""},
		{"azp stands in for a missing client_id", nil, func(i *middleware.Issuer) { i.ClientIDs = []string{"web"} },
			jwttest.ClaimsSet{"azp": "web"}, nil, ""},
		{"no client at all fails the allowlist", nil, func(i *middleware.Issuer) { i.ClientIDs = []string{"web"} },
			nil, nil, reason.ClientNotAllowed},
		{"SkipAudienceCheck with ClientIDs accepts a token without aud (Cognito)", nil,
			func(i *middleware.Issuer) { i.SkipAudienceCheck, i.ClientIDs = true, []string{"app"} },
			jwttest.ClaimsSet{"iss": iss.URL(), "exp": clk.Now().Add(time.Hour).Unix(), "client_id": "app"},
			[]jwttest.MintOption{jwttest.WithoutDefaults()}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := middleware.Issuer{URL: iss.URL(), Audiences: []string{audience}}
			if tc.issuer != nil {
				tc.issuer(&cfg)
			}
			v := newVerifier(t, []middleware.Issuer{cfg}, append([]middleware.Option{middleware.WithClock(clk.Now)}, tc.opts...)...)
			_, err := v.Verify(context.Background(), mint(t, iss, tc.claims, tc.mint...))
			wantReason(t, err, tc.want)
		})
	}
}

// advancingTransport moves the clock forward while a JWKS fetch is on the
// wire, once armed.
type advancingTransport struct {
	clk   *testclock.Clock
	by    time.Duration
	armed atomic.Bool
}

func (a *advancingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if a.armed.Load() && strings.HasSuffix(r.URL.Path, "/jwks") {
		a.clk.Advance(a.by)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A verification reads the clock once, but one that waited for a key fetch
// judges the claims at the time of its answer, not of its start.
func TestClaimsAreJudgedWhenTheKeysArrive(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	rt := &advancingTransport{clk: clk, by: 2 * time.Hour}
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithRemoteKeys(middleware.RemoteKeys{HTTPClient: &http.Client{Transport: rt}}))
	kid, err := iss.AddKey("RS256") // a rotation: its first token makes the verifier fetch
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, iss, nil, jwttest.WithKeyID(kid)) // valid for an hour
	rt.armed.Store(true)
	_, err = v.Verify(context.Background(), tok)
	wantReason(t, err, reason.TokenExpired)
	if iss.JWKSRequests() != 2 {
		t.Fatalf("%d JWKS fetches, want 2", iss.JWKSRequests())
	}
}
