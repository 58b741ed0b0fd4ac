package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// warm returns a verifier whose keys were fetched before it returned, so
// fetch counts start from a known state.
func warm(t testing.TB, iss *jwttest.Issuer, opts ...middleware.Option) *middleware.Verifier {
	t.Helper()
	return remoteVerifier(t, iss, append([]middleware.Option{middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, opts...)...)
}

func TestDiscoveryFindsTheKeysOnceAndCachesThem(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	for range 50 {
		if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if d, j := iss.DiscoveryRequests(), iss.JWKSRequests(); d != 1 || j != 1 {
		t.Fatalf("discovery fetched %d times, JWKS %d times; want 1 and 1", d, j)
	}
}

func TestAConfiguredJWKSURLSkipsDiscovery(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), JWKSURL: iss.JWKSURL(), Audiences: []string{audience}}})
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatal(err)
	}
	if n := iss.DiscoveryRequests(); n != 0 {
		t.Fatalf("discovery fetched %d times", n)
	}
}

func TestDiscoveryIssuerMustMatchExactly(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	err := newErr([]middleware.Issuer{{URL: iss.URL() + "/", Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "trailing slash") {
		t.Fatalf("want a trailing-slash mismatch error, got %v", err)
	}
	// Without a startup fetch, requests fail closed with 503: no keys were ever obtained.
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL() + "/", Audiences: []string{audience}}})
	_, err = v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"iss": iss.URL() + "/"}))
	wantReason(t, err, reason.JWKSUnavailable)
	if iss.JWKSRequests() != 0 {
		t.Fatal("keys were fetched from a discovery document with the wrong issuer")
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	oldKid := iss.KeyIDs()[0]
	oldTok := mint(t, iss, nil)

	newKid, err := iss.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	newTok := mint(t, iss, nil)
	if oldKid == newKid {
		t.Fatal("rotation did not change the signing key")
	}
	for range 20 {
		if _, err := v.Verify(context.Background(), newTok); err != nil {
			t.Fatalf("token signed with the new key: %v", err)
		}
	}
	if n := iss.JWKSRequests(); n != 2 {
		t.Fatalf("JWKS fetched %d times; want 2 (start, and one for the new kid)", n)
	}
	if h := iss.LastJWKSRequestHeader().Get("Cache-Control"); h != "no-cache" {
		t.Fatalf("the refresh for an unknown kid sent Cache-Control %q", h)
	}
	if _, err := v.Verify(context.Background(), oldTok); err != nil {
		t.Fatalf("the old key still published must still verify: %v", err)
	}

	// Retire the old key: after the next refresh its tokens fail at once.
	iss.RemoveKey(oldKid)
	if _, err := v.Verify(context.Background(), oldTok); err != nil {
		t.Fatalf("before the refresh the old key is still cached: %v", err)
	}
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), oldTok)
	wantReason(t, err, reason.KeyNotFound)
	if _, err := v.Verify(context.Background(), newTok); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownKidRefreshIsRateLimited(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now))
	randomKid := func(i int) string { return mint(t, iss, nil, jwttest.WithHeader("kid", fmt.Sprintf("random-%d", i))) }

	// A flood of random kids, sequential and concurrent: one fetch for all.
	for i := range 100 {
		_, err := v.Verify(context.Background(), randomKid(i))
		wantReason(t, err, reason.KeyNotFound)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(context.Background(), randomKid(1000+i))
			if middleware.ReasonOf(err) != reason.KeyNotFound {
				t.Errorf("reason %v", err)
			}
		}()
	}
	wg.Wait()
	if n := iss.JWKSRequests(); n != 2 {
		t.Fatalf("JWKS fetched %d times; want 2 (start, one refresh)", n)
	}

	// Within the interval even a genuinely new key waits for the next window.
	if _, err := iss.AddKey("RS256"); err != nil {
		t.Fatal(err)
	}
	fresh := mint(t, iss, nil)
	_, err := v.Verify(context.Background(), fresh)
	wantReason(t, err, reason.KeyNotFound)
	if n := iss.JWKSRequests(); n != 2 {
		t.Fatalf("JWKS fetched %d times inside the rate-limit window", n)
	}
	clk.Advance(31 * time.Second)
	if _, err := v.Verify(context.Background(), fresh); err != nil {
		t.Fatalf("after the window the new key must be picked up: %v", err)
	}
	if n := iss.JWKSRequests(); n != 3 {
		t.Fatalf("JWKS fetched %d times; want 3", n)
	}
}

func TestUnknownKidsAreRememberedAfterARefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now), middleware.WithRemoteKeys(middleware.RemoteKeys{UnknownKeyRefreshInterval: time.Minute}))
	tok := mint(t, iss, nil, jwttest.WithHeader("kid", "ghost"))
	for range 3 {
		_, err := v.Verify(context.Background(), tok)
		wantReason(t, err, reason.KeyNotFound)
	}
	if n := iss.JWKSRequests(); n != 2 {
		t.Fatalf("JWKS fetched %d times; want 2", n)
	}
	clk.Advance(61 * time.Second)
	_, err := v.Verify(context.Background(), tok)
	wantReason(t, err, reason.KeyNotFound)
	if n := iss.JWKSRequests(); n != 3 {
		t.Fatalf("JWKS fetched %d times after the interval; want 3", n)
	}
}

func TestConcurrentRequestsShareOneFetch(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	if _, err := iss.AddKey("ES256"); err != nil {
		t.Fatal(err)
	}
	iss.SetSlowDelay(200 * time.Millisecond)
	iss.SetFault(jwttest.FaultSlow)
	tok := mint(t, iss, nil, jwttest.WithAlg("ES256"))
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := v.Verify(context.Background(), tok); err != nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d requests failed", n)
	}
	if n := iss.JWKSRequests(); n != 2 {
		t.Fatalf("JWKS fetched %d times; want 2", n)
	}
}

func TestStaleKeysAreServedWhileTheEndpointFails(t *testing.T) {
	t.Parallel()
	for _, f := range []struct {
		name  string
		fault jwttest.Fault
	}{{"500", jwttest.Fault500}, {"429", jwttest.Fault429}, {"garbage", jwttest.FaultGarbage},
		{"empty key set", jwttest.FaultEmpty}, {"connection dropped", jwttest.FaultDown}, {"slow", jwttest.FaultSlow}} {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			iss := newIssuer(t)
			v := warm(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{FetchTimeout: 2 * time.Second}))
			tok := mint(t, iss, nil)
			iss.SetSlowDelay(time.Hour)
			iss.SetFault(f.fault)
			if err := v.Refresh(context.Background()); err == nil {
				t.Fatal("the refresh reported success")
			}
			for range 5 {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					t.Fatalf("the last good keys were not used: %v", err)
				}
			}
			iss.SetFault(jwttest.FaultNone)
			if err := v.Refresh(context.Background()); err != nil {
				t.Fatalf("no recovery on the first good response: %v", err)
			}
		})
	}
}

func TestStaleKeysExpireAfterTheStalenessBound(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now), middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: time.Hour}))
	iss.SetFault(jwttest.Fault500)
	clk.Advance(59 * time.Minute)
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	_, err := v.Verify(context.Background(), mint(t, iss, nil))
	wantReason(t, err, reason.JWKSUnavailable)
	if r := middleware.ResponseFor(err, "api"); r.Status != 503 || r.RetryAfter <= 0 {
		t.Fatalf("%+v", r)
	}
	iss.SetFault(jwttest.FaultNone)
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatalf("no recovery: %v", err)
	}
}

func TestEndpointDownAtStart(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	iss.SetFault(jwttest.FaultDown)
	if err := newErr([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet); err == nil {
		t.Fatal("RemoteKeys.StartupFetch did not fail")
	}
	v := remoteVerifier(t, iss)
	tok := mint(t, iss, nil)
	_, err := v.Verify(context.Background(), tok)
	wantReason(t, err, reason.JWKSUnavailable)
	// Requests fail fast without each causing a fetch.
	before := iss.DiscoveryRequests()
	for range 20 {
		_, err := v.Verify(context.Background(), tok)
		wantReason(t, err, reason.JWKSUnavailable)
	}
	if n := iss.DiscoveryRequests() - before; n > 2 {
		t.Fatalf("20 requests caused %d fetches", n)
	}
	// The background loop keeps retrying and recovers.
	iss.SetFault(jwttest.FaultNone)
	eventually(t, "recovery after the endpoint comes back", func() bool {
		_, err := v.Verify(context.Background(), tok)
		return err == nil
	})
}

func TestRequestsWaitForAFetchOnlyBriefly(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	iss.SetSlowDelay(time.Hour)
	iss.SetFault(jwttest.FaultSlow)
	v := remoteVerifier(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{MaxWait: 50 * time.Millisecond}))
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), mint(t, iss, nil))
		done <- err
	}()
	select {
	case err := <-done:
		wantReason(t, err, reason.JWKSUnavailable)
	case <-time.After(5 * time.Second):
		t.Fatal("a request waited on a hanging fetch")
	}
	// A cancelled request context ends the wait too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := v.Verify(ctx, mint(t, iss, nil))
	wantReason(t, err, reason.JWKSUnavailable)
}

func TestAFetchOutlivesTheRequestThatTriggeredIt(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	iss.SetSlowDelay(300 * time.Millisecond)
	iss.SetFault(jwttest.FaultSlow)
	v := remoteVerifier(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{MaxWait: 10 * time.Millisecond}))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := v.Verify(ctx, mint(t, iss, nil))
	cancel()
	wantReason(t, err, reason.JWKSUnavailable)
	eventually(t, "the fetch to finish in the background", func() bool {
		_, err := v.Verify(context.Background(), mint(t, iss, nil))
		return err == nil
	})
}

// jwksServer serves a fixed body at /jwks and counts requests.
func jwksServer(t testing.TB, body func() string) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body())
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestUnusableKeysAreSkippedNotFatal(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	good := publishedJWK(t, iss)
	set := `{"keys":[
		{"kty":"OKP","crv":"Ed448","kid":"ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"},
		{"kty":"RSA","use":"enc","kid":"enc","n":"` + strings.Repeat("A", 342) + `","e":"AQAB"},
		{"kty":"oct","kid":"secret","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"},
		{"kty":"EC","crv":"P-256","kid":"off-curve","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"kty":"RSA","kid":"short","n":"` + strings.Repeat("A", 171) + `","e":"AQAB"},
		{"kty":"RSA","kid":"private","n":"AQAB","e":"AQAB","d":"AQAB"},
		{"kty":"unknown","kid":"future"},
		{"kty":"RSA","kid":7},
		"not an object",
		` + good + `]}`
	srv, _ := jwksServer(t, func() string { return set })
	var mu sync.Mutex
	events := map[middleware.EventKind]int{}
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithHook(func(e middleware.Event) {
			mu.Lock()
			events[e.Kind]++
			mu.Unlock()
		}))
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatalf("the usable key was lost with the unusable ones: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if events[middleware.EventKeySkipped] != 7 || events[middleware.EventKeyAlarm] != 2 || events[middleware.EventAccepted] != 1 {
		t.Fatalf("events %v", events)
	}
}

// publishedKeys returns the issuer's published JWKs, decoded.
func publishedKeys(t testing.TB, iss *jwttest.Issuer) []map[string]any {
	t.Helper()
	resp, err := http.Get(iss.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || len(doc.Keys) == 0 {
		t.Fatalf("JWKS: %v", err)
	}
	return doc.Keys
}

// publishedJWK returns the issuer's first JWK as JSON.
func publishedJWK(t testing.TB, iss *jwttest.Issuer) string {
	t.Helper()
	b, err := json.Marshal(publishedKeys(t, iss)[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOversizedKeySetIsRefused(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	good := publishedJWK(t, iss)
	padding := strings.Repeat(" ", 2<<20)
	srv, _ := jwksServer(t, func() string { return `{"keys":[` + good + `]}` + padding })
	err := newErr([]middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("want a size error, got %v", err)
	}
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, MaxResponseSize: 4 << 20}))
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatal(err)
	}
}

func TestRedirectsStayOnOneOrigin(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	same := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/jwks", http.StatusFound)
			return
		}
		resp, err := http.Get(iss.JWKSURL())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(same.Close)
	cross := httptest.NewServer(http.RedirectHandler(iss.JWKSURL(), http.StatusFound))
	t.Cleanup(cross.Close)

	if err := newErr([]middleware.Issuer{{URL: iss.URL(), JWKSURL: same.URL + "/moved", Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet); err != nil {
		t.Fatalf("a same-origin redirect was not followed: %v", err)
	}
	err := newErr([]middleware.Issuer{{URL: iss.URL(), JWKSURL: cross.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "cross-origin") {
		t.Fatalf("a cross-origin redirect was followed: %v", err)
	}
	if n := iss.JWKSRequests(); n != 1 {
		t.Fatalf("the redirect target was fetched %d times (want 1, by the same-origin proxy)", n)
	}
}

func TestCacheControlDrivesBackgroundRefresh(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	iss.SetCacheControl("max-age=86400")
	warm(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{MinRefresh: 20 * time.Millisecond, MaxRefresh: 50 * time.Millisecond}))
	eventually(t, "background refreshes at the clamped max-age", func() bool { return iss.JWKSRequests() >= 4 })
}

func TestBackgroundRefreshPicksUpRotation(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{RefreshInterval: 30 * time.Millisecond, UnknownKeyRefreshInterval: time.Hour}))
	// Use up the unknown-kid budget so only the background loop can help.
	_, _ = v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", "ghost")))
	kid, err := iss.AddKey("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, iss, nil, jwttest.WithKeyID(kid))
	eventually(t, "the background refresh to pick up the new key", func() bool {
		_, err := v.Verify(context.Background(), tok)
		return err == nil
	})
}

// J21: claim checks follow the wall clock, the key cache does not. A jump of
// the wall clock (NTP step, VM resume) neither makes good keys stale nor
// lifts the unknown-kid rate limit.
func TestWallClockJumpsLeaveTheKeyCacheAlone(t *testing.T) {
	t.Parallel()
	wall := newClock()
	iss := newIssuer(t, jwttest.WithClock(wall.Now))
	v := warm(t, iss, middleware.WithClock(wall.Now), middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: time.Hour}))
	before := mint(t, iss, nil) // valid for an hour of wall time
	_, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", "ghost-1")))
	wantReason(t, err, reason.KeyNotFound) // one refresh; the rate limit now holds
	fetches := iss.JWKSRequests()

	for _, jump := range []time.Duration{48 * time.Hour, -96 * time.Hour} {
		wall.Advance(jump)
		if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
			t.Fatalf("after a %s jump the cached keys were not used: %v", jump, err)
		}
		_, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", "ghost-"+jump.String())))
		wantReason(t, err, reason.KeyNotFound)
	}
	if n := iss.JWKSRequests(); n != fetches {
		t.Fatalf("the jumps caused %d fetches", n-fetches)
	}
	wall.Advance(72 * time.Hour) // a day after the first token was minted: long expired
	_, err = v.Verify(context.Background(), before)
	wantReason(t, err, reason.TokenExpired)
}
