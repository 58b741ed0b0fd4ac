package middleware_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// events collects a verifier's events for a test.
type events struct {
	mu   sync.Mutex
	list []middleware.Event
}

func (e *events) hook(ev middleware.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

// take returns the events of kind seen so far, and forgets them all.
func (e *events) take(kind middleware.EventKind) []middleware.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []middleware.Event
	for _, ev := range e.list {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	e.list = nil
	return out
}

type ctxKey struct{}

// A verification's event carries the caller's context, its duration, the
// algorithm once allowed, and whether the cache answered.
func TestVerificationEventsSayWhatExportersNeed(t *testing.T) {
	iss := newIssuer(t)
	var seen events
	v := warm(t, iss, middleware.WithHook(seen.hook), quiet)
	ctx := context.WithValue(context.Background(), ctxKey{}, "request-1")
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	seen.take(0)
	for i, hit := range []bool{false, true} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
		got := seen.take(middleware.EventAccepted)
		if len(got) != 1 {
			t.Fatalf("verification %d: %d accepted events", i, len(got))
		}
		e := got[0]
		if e.Context.Value(ctxKey{}) != "request-1" || e.CacheHit != hit || e.Algorithm != "RS256" || e.Issuer != iss.URL() ||
			e.Duration <= 0 || e.Duration > time.Minute || e.Claims == nil || e.Claims.Subject != "alice" {
			t.Fatalf("verification %d: %+v", i, e)
		}
	}
	for _, c := range []struct {
		name, tok string
		why       reason.Code
		alg, iss  string
	}{
		{"expired", mint(t, iss, jwttest.ClaimsSet{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()}),
			reason.TokenExpired, "RS256", iss.URL()},
		{"unknown issuer", mint(t, iss, jwttest.ClaimsSet{"iss": "https://elsewhere.example"}), reason.IssuerInvalid, "", ""},
		// A configured issuer's allowed alg, but a signature that is not
		// base64url: refused without the issuer, so without the alg too.
		{"a malformed signature", strings.Join(strings.Split(tok, ".")[:2], ".") + ".***", reason.TokenMalformed, "", ""},
		{"an alg not allowed", b64.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + b64.EncodeToString([]byte(`{"iss":"`+iss.URL()+`"}`)) + ".c2ln", reason.AlgorithmNotAllowed, "", ""},
	} {
		if _, err := v.Verify(ctx, c.tok); err == nil {
			t.Fatalf("%s: accepted", c.name)
		}
		got := seen.take(middleware.EventRejected)
		if len(got) != 1 {
			t.Fatalf("%s: %d rejected events", c.name, len(got))
		}
		e := got[0]
		if e.Reason != c.why || e.Algorithm != c.alg || e.Issuer != c.iss || e.Context.Value(ctxKey{}) != "request-1" || e.CacheHit {
			t.Fatalf("%s: %+v", c.name, e)
		}
	}
}

// A key-set fetch's events carry the context of the request that started
// it or first waited for it, its URL without the query, the status and size of the answer, the
// keys found, and whether an unknown kid forced it.
func TestKeySetEventsSayWhatTheFetchDid(t *testing.T) {
	iss := newIssuer(t)
	// The verifier's own first fetch is slow: the request joins it.
	iss.SetSlowDelay(300 * time.Millisecond)
	iss.SetFault(jwttest.FaultSlow)
	var seen events
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, JWKSURL: iss.JWKSURL() + "?token=s3cr3t"}},
		middleware.WithHook(seen.hook), quiet,
		// The cold start may itself be a request's demand: the unknown kid's
		// refresh below must not be rate-limited by it.
		middleware.WithRemoteKeys(middleware.RemoteKeys{UnknownKeyRefreshInterval: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	ctx := context.WithValue(context.Background(), ctxKey{}, "cold-start")
	if _, err := v.Verify(ctx, mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})); err != nil {
		t.Fatal(err)
	}
	iss.SetFault(jwttest.FaultNone)
	got := seen.take(middleware.EventKeysRefreshed)
	if len(got) != 1 {
		t.Fatalf("%d refresh events after a cold start", len(got))
	}
	e := got[0]
	if e.Context.Value(ctxKey{}) != "cold-start" || e.URL != iss.JWKSURL() || strings.Contains(e.URL, "s3cr3t") || e.Status != 200 ||
		e.Bytes < 100 || e.Keys != 1 || e.KeysSkipped != 0 || e.Forced || e.Duration <= 0 || e.Issuer != iss.URL() {
		t.Fatalf("the cold start's fetch: %+v", e)
	}
	// A rotation: a token naming the new kid forces a fetch.
	time.Sleep(5 * time.Millisecond)
	kid, err := iss.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	ctx = context.WithValue(context.Background(), ctxKey{}, "new-kid")
	if _, err := v.Verify(ctx, mint(t, iss, jwttest.ClaimsSet{"sub": "bob"}, jwttest.WithKeyID(kid))); err != nil {
		t.Fatal(err)
	}
	if got = seen.take(middleware.EventKeysRefreshed); len(got) != 1 || !got[0].Forced || got[0].Keys != 2 || got[0].Context.Value(ctxKey{}) != "new-kid" {
		t.Fatalf("the unknown kid's fetch: %+v", got)
	}
	// A failing fetch says its status.
	iss.SetFault(jwttest.Fault500)
	if err := v.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh against a failing JWKS succeeded")
	}
	if got = seen.take(middleware.EventKeysRefreshFailed); len(got) != 1 || got[0].Status != 500 || got[0].URL != iss.JWKSURL() ||
		got[0].Context == nil || got[0].Forced {
		t.Fatalf("the failed fetch: %+v", got)
	}
}

// An unknown kid forces one refresh; the next, within the interval, is
// refused without one, and its event says so.
func TestARateLimitedRefreshIsInTheEvent(t *testing.T) {
	iss := newIssuer(t)
	var seen events
	v := warm(t, iss, middleware.WithHook(seen.hook), quiet)
	seen.take(0)
	for i, limited := range []bool{false, true, true} {
		tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithHeader("kid", fmt.Sprintf("unknown-%d", i)))
		if _, err := v.Verify(context.Background(), tok); err == nil {
			t.Fatal("a token with an unknown kid was accepted")
		}
		got := seen.take(middleware.EventRejected)
		if len(got) != 1 || got[0].Reason != reason.KeyNotFound || got[0].RateLimited != limited {
			t.Fatalf("unknown kid %d: %+v", i, got)
		}
	}
}

// A nil context, a caller's mistake, is taken as context.Background: a
// token that makes the verifier fetch keys neither panics nor leaves the
// issuer's fetcher locked for the next request.
func TestANilContextNeitherPanicsNorLocksTheFetcher(t *testing.T) {
	iss := newIssuer(t)
	v := warm(t, iss, quiet)
	var none context.Context
	for _, kid := range []string{"unknown-1", "unknown-2"} {
		if _, err := v.Verify(none, mint(t, iss, jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithHeader("kid", kid))); err == nil {
			t.Fatal("a token with an unknown kid was accepted")
		}
	}
	tok, done := mint(t, iss, jwttest.ClaimsSet{"sub": "bob"}), make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), tok)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the verifier hangs after a nil context")
	}
}

// WithHook given twice (metrics beside traces): each hook sees every
// event, in the order given; a nil hook is no hook.
func TestEveryHookSeesEveryEventInOrder(t *testing.T) {
	iss := newIssuer(t)
	var mu sync.Mutex
	var order []string
	hook := func(name string) func(middleware.Event) {
		return func(e middleware.Event) {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, name+":"+e.Kind.String())
		}
	}
	v := warm(t, iss, middleware.WithHook(hook("a")), middleware.WithHook(nil), middleware.WithHook(hook("b")), quiet)
	mu.Lock()
	order = nil
	mu.Unlock()
	if _, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), "x.y.z"); err == nil {
		t.Fatal("accepted")
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(order, " "); got != "a:accepted b:accepted a:rejected b:rejected" {
		t.Fatalf("hooks saw %s", got)
	}
}
