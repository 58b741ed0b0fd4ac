package middleware_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// The redirect policy (J14) holds for a client of the caller's too, and
// the caller's client is not changed.
func TestTheRedirectPolicyHoldsForTheCallersClient(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, iss.JWKSURL(), http.StatusFound) // another port: another origin
	}))
	t.Cleanup(redirector.Close)
	hc := &http.Client{}
	_, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, JWKSURL: redirector.URL + "/jwks"}},
		quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{HTTPClient: hc, StartupFetch: true, InsecureHTTP: true}))
	if err == nil || !strings.Contains(err.Error(), "cross-origin redirect refused") {
		t.Fatalf("New: %v", err)
	}
	if hc.CheckRedirect != nil {
		t.Fatal("the caller's client was changed")
	}
	if n := iss.JWKSRequests(); n != 0 {
		t.Fatalf("the redirect was followed: %d JWKS requests", n)
	}
}

// A transport error names the URL without its query string.
func TestTransportErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: the dial is refused
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	_, err = middleware.New([]middleware.Issuer{{URL: "http://" + addr, Audiences: []string{audience},
		JWKSURL: "http://" + addr + "/jwks?api_key=s3cr3t"}},
		middleware.WithLogger(logger), middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, InsecureHTTP: true}))
	if err == nil {
		t.Fatal("New succeeded without keys")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(logs.String(), "s3cr3t") {
		t.Fatalf("the query string leaked:\n%v\n%s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "/jwks") {
		t.Fatalf("the error does not say which URL failed: %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// An empty aud array is refused and said to be empty, not missing.
func TestAnEmptyAudienceIsNamedAsSuch(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	_, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"aud": []string{}}))
	wantReason(t, err, reason.AudienceInvalid)
	if !strings.Contains(err.Error(), "empty") {
		t.Fatalf("cause: %v", err)
	}
	_, err = v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"aud": nil}))
	if !strings.Contains(err.Error(), "no aud claim") {
		t.Fatalf("cause: %v", err)
	}
}

// Close while the first key fetch is in flight is a shutdown: no
// keys_refresh_failed event.
func TestCloseDuringTheFirstFetchIsNotAFailure(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	iss.SetSlowDelay(time.Minute)
	iss.SetFault(jwttest.FaultSlow)
	var mu sync.Mutex
	var failed []middleware.Event
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, quiet,
		middleware.WithHook(func(e middleware.Event) {
			if e.Kind == middleware.EventKeysRefreshFailed {
				mu.Lock()
				failed = append(failed, e)
				mu.Unlock()
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first fetch to start", func() bool { return iss.DiscoveryRequests() > 0 })
	_ = v.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(failed) != 0 {
		t.Fatalf("Close reported a failed refresh: %v", failed[0].Err)
	}
}

// The signature is decoded after the issuer is known and before any key is
// looked up: a token of a configured issuer whose signature is not
// canonical base64url is malformed (400 without the RFC 6750 syntax), and
// its unknown kid makes no key set fetch; a token of another issuer is
// refused for its issuer without its signature being decoded.
func TestAMalformedSignatureIsRefusedBeforeAnyKeyLookup(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	seg := strings.Split(tok, ".")
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"no-such-key","typ":"at+jwt"}`))
	fetches := iss.JWKSRequests()
	for _, sig := range []string{seg[2] + "=", "A"} { // padded; a length no base64 has
		_, err := v.Verify(t.Context(), hdr+"."+seg[1]+"."+sig)
		wantReason(t, err, reason.TokenMalformed)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+hdr+"."+seg[1]+".a*b")
	if _, err := v.VerifyRequest(r); !errors.Is(err, middleware.ErrInvalidRequest) {
		t.Fatalf("a signature outside the b64token syntax: %v, want an invalid request", err)
	}
	if n := iss.JWKSRequests() - fetches; n != 0 {
		t.Fatalf("malformed signatures made %d key set fetches", n)
	}
}
