package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// lockedBuffer is a bytes.Buffer a logger and a test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// At info level, the first refusal of each reason is logged at once with
// its cause, and a flood of one cause adds one line per reason a minute,
// which says how many it left out and over how long; at debug level every
// refusal is logged. No line holds the token.
func TestRefusalsAreLoggedOncePerReasonAMinute(t *testing.T) {
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	var out lockedBuffer
	v := warm(t, iss, middleware.WithCacheClock(clk.Now), middleware.WithClock(clk.Now),
		middleware.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	ctx := context.Background()
	wrongAud := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "aud": "another-api"})
	for range 1000 {
		_, _ = v.Verify(ctx, "garbage")
		_, _ = v.Verify(ctx, wrongAud)
	}
	lines := out.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "reason=token_malformed") || !strings.Contains(lines[1], "reason=audience_invalid") ||
		!strings.Contains(lines[0], "level=INFO") {
		t.Fatalf("after 2,000 refusals of two reasons:\n%s", strings.Join(lines, "\n"))
	}
	clk.Advance(time.Minute)
	_, _ = v.Verify(ctx, wrongAud)
	lines = out.lines()
	if len(lines) != 3 || !strings.Contains(lines[2], "reason=audience_invalid") || !strings.Contains(lines[2], "not_logged=999 since_last_line=1m0s") {
		t.Fatalf("a minute later:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if strings.Contains(l, wrongAud) || strings.Contains(l, strings.Split(wrongAud, ".")[2]) {
			t.Fatalf("a line holds the token: %s", l)
		}
	}

	var debug lockedBuffer
	dv := warm(t, iss, middleware.WithLogger(slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for range 10 {
		_, _ = dv.Verify(ctx, "garbage")
	}
	n := 0
	for _, l := range debug.lines() {
		if strings.Contains(l, "reason=token_malformed") {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("at debug level %d of 10 refusals were logged", n)
	}
}

// Refusals of one reason are counted apart per configured issuer: a flood
// of one issuer's wrong-audience tokens leaves the other issuer's first
// one its line.
func TestEachIssuersRefusalsAreLoggedApart(t *testing.T) {
	clk := newClock()
	a, b := newIssuer(t, jwttest.WithClock(clk.Now)), newIssuer(t, jwttest.WithClock(clk.Now))
	var out lockedBuffer
	v, err := middleware.New([]middleware.Issuer{{URL: a.URL(), Audiences: []string{audience}}, {URL: b.URL(), Audiences: []string{audience}}},
		middleware.WithCacheClock(clk.Now), middleware.WithClock(clk.Now), middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}),
		middleware.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	ctx := context.Background()
	flood := mint(t, a, jwttest.ClaimsSet{"sub": "bot", "aud": "flood-api"})
	for range 500 {
		_, _ = v.Verify(ctx, flood)
	}
	_, _ = v.Verify(ctx, mint(t, b, jwttest.ClaimsSet{"sub": "c", "aud": "other-api"}))
	_, _ = v.Verify(ctx, flood)
	lines := out.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "issuer="+a.URL()) || !strings.Contains(lines[1], "issuer="+b.URL()) ||
		strings.Contains(lines[1], "not_logged") {
		t.Fatalf("after a flood of one issuer's refusals and one of the other's:\n%s", strings.Join(lines, "\n"))
	}
	clk.Advance(time.Minute)
	_, _ = v.Verify(ctx, flood)
	if lines = out.lines(); len(lines) != 3 || !strings.Contains(lines[2], "not_logged=500 since_last_line=1m0s") {
		t.Fatalf("a minute later:\n%s", strings.Join(lines, "\n"))
	}
}

// The causes of the commonest misconfigurations say what is wrong, for the
// log (the client sees the fixed description only): an encrypted token
// says it is one and why providers send them; a wrong audience names the
// aud the token carried.
func TestCausesNameTheMistake(t *testing.T) {
	iss := newIssuer(t)
	v := warm(t, iss)
	ctx := context.Background()
	jwe := "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..OEHwT1s0eXD6a3ZY.bqbC3uE5cYNEMA.3bJqCnOWx3zqxAzXIkAAzQ"
	_, err := v.Verify(ctx, jwe)
	if !strings.Contains(err.Error(), "encrypted token (JWE)") || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("a JWE is refused with %q", err)
	}
	if resp := middleware.ResponseFor(err, "api"); strings.Contains(resp.Description, "JWE") {
		t.Fatalf("the client sees the cause: %+v", resp)
	}
	_, err = v.Verify(ctx, mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "aud": []string{"account", "other-api"}}))
	if !strings.Contains(err.Error(), `aud ["account" "other-api"] does not contain any of ["`+audience+`"]`) {
		t.Fatalf("a wrong audience is refused with %q", err)
	}
}

// A request whose Authorization header is of another scheme, or a bare
// token, is refused for no token with a cause that says so, without the
// token.
func TestANonBearerAuthorizationIsNamedInTheCause(t *testing.T) {
	iss := newIssuer(t)
	v := warm(t, iss)
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	for header, want := range map[string]string{
		"JWT " + tok:          "scheme is JWT, not Bearer",
		tok:                   "holds no Bearer credential",
		"Basic dXNlcjpwYXNz":  "scheme is Basic, not Bearer",
		"Token " + tok + " x": "scheme is Token, not Bearer",
		"abcdef0123 " + tok:   "holds no Bearer credential",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		_, err := v.VerifyRequest(r)
		if !errors.Is(err, middleware.ErrNoToken) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%.20s…: %v, want a cause with %q", header, err, want)
		}
		if strings.Contains(err.Error(), strings.Split(tok, ".")[1]) || strings.Contains(err.Error(), "abcdef0123") ||
			strings.Contains(err.Error(), "dXNlcjpwYXNz") {
			t.Fatalf("the cause holds the token: %v", err)
		}
	}
}

// With no source reading the Authorization header (a cookie only), a
// Bearer header is named as unread, not as another scheme.
func TestABearerHeaderNoSourceReadsIsNamed(t *testing.T) {
	iss := newIssuer(t)
	v := warm(t, iss, middleware.WithTokenSources(middleware.FromCookie("session")))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer x.y.z")
	if _, err := v.VerifyRequest(r); !strings.Contains(err.Error(), "which no configured token source reads") {
		t.Fatalf("%v", err)
	}
}
