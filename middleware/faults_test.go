package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// faultyJWKS serves the issuer's key set until a fault is switched on, then
// misbehaves in one of the ways of the checklist's J-items.
type faultyJWKS struct {
	*httptest.Server
	fault atomic.Value // string
	hits  atomic.Int64
}

func newFaultyJWKS(t *testing.T, iss *jwttest.Issuer) *faultyJWKS {
	t.Helper()
	good := `{"keys":[` + publishedJWK(t, iss) + `]}`
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(good)) // a valid set, but on another origin
	}))
	t.Cleanup(elsewhere.Close)
	f := &faultyJWKS{}
	f.fault.Store("")
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		switch f.fault.Load().(string) {
		case "500":
			http.Error(w, "oops", http.StatusInternalServerError)
		case "429":
			w.Header().Set("Retry-After", "120")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "timeout":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		case "html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
		case "10 MiB":
			_, _ = w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 10<<20) + `]}`))
		case "empty":
			_, _ = w.Write([]byte(`{"keys":[]}`))
		case "unusable keys":
			var k map[string]any
			_ = json.Unmarshal([]byte(publishedJWK(t, iss)), &k)
			enc, wrongAlg := map[string]any{}, map[string]any{}
			for name, v := range k {
				enc[name], wrongAlg[name] = v, v
			}
			enc["use"], wrongAlg["alg"] = "enc", "ES256"
			b, _ := json.Marshal(map[string]any{"keys": []any{enc, wrongAlg}})
			_, _ = w.Write(b)
		case "redirect elsewhere":
			http.Redirect(w, r, elsewhere.URL+"/jwks", http.StatusFound)
		case "down":
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					_ = c.Close()
				}
			}
		default:
			_, _ = w.Write([]byte(good))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// Every JWKS fault: the last good set keeps serving, nothing replaces it,
// and the outcome hook hears about the failure.
func TestEveryJWKSFaultKeepsTheLastGoodKeysAndIsReported(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"500", "429", "timeout", "html", "10 MiB", "empty", "unusable keys", "redirect elsewhere", "down"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			iss := newIssuer(t)
			srv := newFaultyJWKS(t, iss)
			var mu sync.Mutex
			var failures []error
			v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
				middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, FetchTimeout: 2 * time.Second}),
				middleware.WithHook(func(e middleware.Event) {
					if e.Kind == middleware.EventKeysRefreshFailed {
						mu.Lock()
						failures = append(failures, e.Err)
						mu.Unlock()
					}
				}))
			tok := mint(t, iss, nil)
			srv.fault.Store(fault)
			if err := v.Refresh(context.Background()); err == nil {
				t.Fatal("the refresh reported success")
			}
			for range 3 {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					t.Fatalf("the last good keys were dropped: %v", err)
				}
			}
			mu.Lock()
			n := len(failures)
			var msg string
			if n > 0 {
				msg = failures[0].Error()
			}
			mu.Unlock()
			if n == 0 {
				t.Fatal("the hook heard of no failed refresh")
			}
			if strings.Contains(msg, "Sign in") || len(msg) > 600 {
				t.Fatalf("the failure quotes the body: %.200s", msg)
			}
			srv.fault.Store("")
			if err := v.Refresh(context.Background()); err != nil {
				t.Fatalf("no recovery: %v", err)
			}
		})
	}
}

// J10, J12, J18: 64 goroutines verify valid tokens and floods of unknown
// kids while keys rotate and the endpoint fails and recovers. Valid tokens
// never fail, unknown kids never do anything but fail, and the fetches stay
// within what the rate limit and the explicit refreshes allow.
func TestSixtyFourGoroutinesDuringRotationAndFaults(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
	v := warm(t, iss)
	valid := []string{mint(t, iss, nil), mint(t, iss, nil, jwttest.WithAlg("ES256"))}
	start, began := iss.JWKSRequests(), time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var verified, rejected atomic.Int64
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if g%2 == 0 {
					if _, err := v.Verify(context.Background(), valid[i%2]); err != nil {
						t.Errorf("a valid token failed: %v", err)
						return
					}
					verified.Add(1)
					continue
				}
				tok := mint(t, iss, nil, jwttest.WithHeader("kid", fmt.Sprintf("flood-%d-%d", g, i)))
				if _, err := v.Verify(context.Background(), tok); middleware.ReasonOf(err) != reason.KeyNotFound {
					t.Errorf("an unknown kid gave %v", err)
					return
				}
				rejected.Add(1)
			}
		}()
	}
	refreshes := 0
	for round := range 6 {
		if _, err := iss.AddKey("ES256"); err != nil {
			t.Fatal(err)
		}
		iss.SetFault([]jwttest.Fault{jwttest.Fault500, jwttest.FaultGarbage, jwttest.FaultNone}[round%3])
		_ = v.Refresh(context.Background())
		refreshes++
		time.Sleep(20 * time.Millisecond)
	}
	iss.SetFault(jwttest.FaultNone)
	close(stop)
	wg.Wait()
	if verified.Load() == 0 || rejected.Load() == 0 {
		t.Fatalf("verified %d, rejected %d", verified.Load(), rejected.Load())
	}
	// The explicit refreshes (each its own fetch: one in flight may predate
	// it), plus one for the whole kid flood (the 30 s rate limit) and its
	// retries after failures (J12: 1 s doubling, 20 % jitter), and nothing
	// per request.
	retries := int(time.Since(began) / (800 * time.Millisecond))
	if n := iss.JWKSRequests() - start; n > refreshes+1+retries {
		t.Fatalf("%d JWKS fetches for %d refreshes, %d unknown-kid requests and %d possible retries", n, refreshes, rejected.Load(), retries)
	}
}

// J17: a discovery document naming another issuer is a failed fetch,
// reported through the hook, and no key is taken from the jwks_uri it names.
// (Discovery runs until it succeeds once; later refreshes go to the
// jwks_uri found then.)
func TestDiscoveryNamingAnotherIssuerIsAReportedFault(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	var self string
	var jwksHits atomic.Int64
	disc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://evil.example", "jwks_uri": self + "/jwks"})
			return
		}
		jwksHits.Add(1)
		_, _ = w.Write([]byte(`{"keys":[` + publishedJWK(t, iss) + `]}`))
	}))
	t.Cleanup(disc.Close)
	self = disc.URL
	var failed atomic.Int64
	v := newVerifier(t, []middleware.Issuer{{URL: self, Audiences: []string{audience}}},
		middleware.WithHook(func(e middleware.Event) {
			if e.Kind == middleware.EventKeysRefreshFailed && strings.Contains(e.Err.Error(), "does not equal the configured issuer") {
				failed.Add(1)
			}
		}))
	_, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"iss": self}))
	wantReason(t, err, reason.JWKSUnavailable)
	eventually(t, "the hook to hear of the failure", func() bool { return failed.Load() > 0 })
	if jwksHits.Load() != 0 {
		t.Fatal("keys were fetched from the jwks_uri of a document naming another issuer")
	}
}
