package revocation_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/revocation"
)

const clientID = "web-app"

type logoutEnv struct {
	clk   *testclock.Clock
	iss   *jwttest.Issuer
	v     *middleware.Verifier
	store *revocation.Memory
	srv   *httptest.Server
}

func newLogoutEnv(t *testing.T) *logoutEnv {
	t.Helper()
	clk := testclock.New(time.Now())
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"), jwttest.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	store := revocation.NewMemory(revocation.WithClock(clk.Now))
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithRevocation(store), middleware.WithLogger(slog.New(slog.DiscardHandler)), middleware.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	h, err := revocation.NewLogoutHandler(v, store, []string{clientID})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &logoutEnv{clk: clk, iss: iss, v: v, store: store, srv: srv}
}

// backchannelLogout is the event of Back-Channel Logout 1.0 §2.4.
const backchannelLogout = "http://schemas.openid.net/event/backchannel-logout"

var logoutEvent = map[string]any{backchannelLogout: map[string]any{}}

// logoutToken mints a logout token; extra members override (nil deletes).
func (e *logoutEnv) logoutToken(t *testing.T, extra jwttest.ClaimsSet, opts ...jwttest.MintOption) string {
	t.Helper()
	c := jwttest.ClaimsSet{"aud": clientID, "sub": "alice", "sid": "session-1", "jti": "logout-" + t.Name() + time.Now().String(),
		"events": logoutEvent}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return e.iss.MustMint(c, append([]jwttest.MintOption{jwttest.WithHeader("typ", "logout+jwt")}, opts...)...)
}

func (e *logoutEnv) post(t *testing.T, form url.Values) (int, map[string]string) {
	t.Helper()
	resp, err := http.Post(e.srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	var body map[string]string
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body
}

func TestBackchannelLogoutRevokesTheSession(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	ctx := context.Background()
	inSession := e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "sid": "session-1"})
	otherSession := e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "sid": "session-2"})
	if _, err := e.v.Verify(ctx, inSession); err != nil {
		t.Fatal(err)
	}
	tok := e.logoutToken(t, nil)
	if status, body := e.post(t, url.Values{"logout_token": {tok}}); status != 200 {
		t.Fatalf("valid logout token: %d %v", status, body)
	}
	_, err := e.v.Verify(ctx, inSession)
	if middleware.ReasonOf(err) != reason.TokenRevoked {
		t.Fatalf("an access token of the logged-out session: %v", err)
	}
	if r := middleware.ResponseFor(err, "api"); r.Status != 401 || !strings.Contains(r.WWWAuthenticate, `error="invalid_token"`) {
		t.Fatalf("%+v", r)
	}
	if _, err := e.v.Verify(ctx, otherSession); err != nil {
		t.Fatalf("another session of the user: %v", err)
	}
	// Replayed: refused.
	if status, body := e.post(t, url.Values{"logout_token": {tok}}); status != 400 || body["error"] != "invalid_request" ||
		!strings.Contains(body["error_description"], "already used") {
		t.Fatalf("replayed: %d %v", status, body)
	}
}

func TestBackchannelLogoutWithoutSidRevokesTheUser(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	now := e.clk.Now()
	old := e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "iat": now.Add(-time.Minute).Unix()})
	// Minted before the logout by an issuer whose clock runs 30 s ahead.
	ahead := e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "iat": now.Add(30 * time.Second).Unix()})
	if status, body := e.post(t, url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"sid": nil})}}); status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	for name, tok := range map[string]string{"": old, " by a clock 30 s ahead": ahead} {
		if _, err := e.v.Verify(context.Background(), tok); middleware.ReasonOf(err) != reason.TokenRevoked {
			t.Fatalf("a token of the user issued before the logout%s: %v", name, err)
		}
	}
	// Past the leeway after the logout, the user's new tokens are accepted.
	e.clk.Advance(61 * time.Second)
	fresh := e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "iat": e.clk.Now().Unix()})
	if _, err := e.v.Verify(context.Background(), fresh); err != nil {
		t.Fatalf("a token issued after the logout: %v", err)
	}
}

func TestBackchannelLogoutRefusesBadRequests(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	other, err := jwttest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	good := e.logoutToken(t, nil)
	segs := strings.Split(good, ".")
	forged := segs[0] + "." + strings.Split(e.logoutToken(t, jwttest.ClaimsSet{"sid": "someone-else"}), ".")[1] + "." + segs[2]
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"a forged signature", url.Values{"logout_token": {forged}}},
		{"another issuer's token", url.Values{"logout_token": {other.MustMint(jwttest.ClaimsSet{"iss": e.iss.URL(), "aud": clientID, "sid": "s", "jti": "x", "events": logoutEvent}, jwttest.WithHeader("typ", "logout+jwt"))}}},
		{"an access token", url.Values{"logout_token": {e.iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "aud": clientID, "jti": "a"})}}},
		{"a nonce", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"nonce": "n"})}}},
		{"no events", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"events": nil})}}},
		{"events without the logout event", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"events": map[string]any{"urn:other": map[string]any{}}})}}},
		{"the logout event not an object", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"events": map[string]any{backchannelLogout: true}})}}},
		{"neither sid nor sub", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"sid": nil, "sub": nil})}}},
		{"no jti", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"jti": nil})}}},
		{"the API's audience instead of the client's", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"aud": "orders-api"})}}},
		{"typ at+jwt", url.Values{"logout_token": {e.logoutToken(t, nil, jwttest.WithHeader("typ", "at+jwt"))}}},
		{"expired", url.Values{"logout_token": {e.logoutToken(t, jwttest.ClaimsSet{"iat": time.Now().Add(-2 * time.Hour).Unix(), "exp": time.Now().Add(-time.Hour).Unix()})}}},
		{"garbage", url.Values{"logout_token": {"not.a.token"}}},
		{"no logout_token", url.Values{"token": {good}}},
		{"two logout_tokens", url.Values{"logout_token": {good, good}}},
	} {
		if status, body := e.post(t, tc.form); status != 400 || body["error"] != "invalid_request" {
			t.Errorf("%s: %d %v", tc.name, status, body)
		}
	}
	if list, _ := e.store.List(context.Background()); len(list) != 0 {
		t.Fatalf("a refused request revoked %v", list)
	}
	// Not a form POST.
	resp, err := http.Post(e.srv.URL, "application/json", strings.NewReader(`{"logout_token":"`+good+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("JSON body: %d", resp.StatusCode)
	}
	resp, err = http.Get(e.srv.URL + "?logout_token=" + good)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	// The good token still works afterwards (nothing above consumed it).
	if status, body := e.post(t, url.Values{"logout_token": {good}}); status != 200 {
		t.Fatalf("%d %v", status, body)
	}
}
