package middleware_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// heldJWKS serves an issuer's key set as it stood when each request
// arrived, holding requests while a hold is on, and failing them while fail
// is set.
type heldJWKS struct {
	url     string
	hold    atomic.Pointer[chan struct{}]
	fail    atomic.Bool
	arrived chan struct{}
}

func newHeldJWKS(t *testing.T, iss *jwttest.Issuer) *heldJWKS {
	t.Helper()
	h := &heldJWKS{arrived: make(chan struct{}, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(iss.JWKSURL())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if hold := h.hold.Load(); hold != nil {
			h.arrived <- struct{}{}
			<-*hold
		}
		if h.fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// holdRequests holds the requests that arrive from now until release.
func (h *heldJWKS) holdRequests() (release func()) {
	c := make(chan struct{})
	h.hold.Store(&c)
	return func() { h.hold.Store(nil); close(c) }
}

// Refresh, called after a rotation, does not settle for a fetch that was
// already in flight and carries the set from before the rotation: it waits
// for it and fetches again.
func TestRefreshDoesNotSettleForAFetchThatPredatesIt(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	keys := newHeldJWKS(t, iss)
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, JWKSURL: keys.url}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, UnknownKeyRefreshInterval: time.Hour}))
	// A token with an unknown kid uses up the unknown-kid refresh of the
	// hour: no request can fetch the new key by itself.
	_, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", "ghost")))
	wantReason(t, err, reason.KeyNotFound)
	release := keys.holdRequests()
	// A fetch in flight (a refresh for another reason), which reads the set
	// before the rotation.
	go func() { _ = v.Refresh(context.Background()) }()
	<-keys.arrived
	kid, err := iss.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	refreshed := make(chan error, 1)
	go func() { refreshed <- v.Refresh(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // Refresh finds the fetch in flight
	release()
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithKeyID(kid))); err != nil {
		t.Fatalf("a token of the key added before Refresh: %v", err)
	}
}

// An unknown kid whose refresh fails is answered from the current set only
// while that set is within its staleness bound: past it, the keys are
// unavailable (503), as for any other token.
func TestAnUnknownKIDPastTheStalenessBoundIsUnavailable(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	keys := newHeldJWKS(t, iss)
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, JWKSURL: keys.url}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now),
		middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: time.Hour}))
	clk.Advance(59 * time.Minute)
	keys.fail.Store(true)
	release := keys.holdRequests()
	ghost := mint(t, iss, nil, jwttest.WithHeader("kid", "ghost"))
	answered := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), ghost)
		answered <- err
	}()
	<-keys.arrived
	clk.Advance(2 * time.Minute) // while the refresh is in flight, the set passes its bound
	release()
	wantReason(t, <-answered, reason.JWKSUnavailable)
}
