package middleware_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

const audience = "orders-api"

// newClock is a settable clock for claim and cache timing.
func newClock() *testclock.Clock { return testclock.New(time.Unix(1_800_000_000, 0)) }

func newIssuer(t testing.TB, opts ...jwttest.Option) *jwttest.Issuer {
	t.Helper()
	opts = append([]jwttest.Option{jwttest.WithAudience(audience)}, opts...)
	iss, err := jwttest.NewIssuer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	return iss
}

// quiet discards logs so fault tests do not flood the output.
var quiet = middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// newVerifier builds a verifier whose requests wait up to 10 s for a first
// key fetch (tests that are about the wait set their own): a loaded CI
// machine must not turn a lazy first fetch into a failure.
func newVerifier(t testing.TB, issuers []middleware.Issuer, opts ...middleware.Option) *middleware.Verifier {
	t.Helper()
	v, err := middleware.New(issuers, append([]middleware.Option{quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{MaxWait: 10 * time.Second})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// newErr builds a verifier only to see whether New accepts the
// configuration; one that is built is closed at once.
func newErr(issuers []middleware.Issuer, opts ...middleware.Option) error {
	v, err := middleware.New(issuers, append([]middleware.Option{quiet}, opts...)...)
	if v != nil {
		_ = v.Close()
	}
	return err
}

// remoteVerifier trusts iss through OIDC discovery.
func remoteVerifier(t testing.TB, iss *jwttest.Issuer, opts ...middleware.Option) *middleware.Verifier {
	t.Helper()
	return newVerifier(t, []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, opts...)
}

func mint(t testing.TB, iss *jwttest.Issuer, claims jwttest.ClaimsSet, opts ...jwttest.MintOption) string {
	t.Helper()
	tok, err := iss.Mint(claims, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// wantReason fails unless err carries reason r.
func wantReason(t testing.TB, err error, r reason.Code) {
	t.Helper()
	if r == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want %s, got success", r)
	}
	if got := middleware.ReasonOf(err); got != r {
		t.Fatalf("want reason %s, got %s (%v)", r, got, err)
	}
	if !errors.Is(err, r) {
		t.Fatalf("errors.Is(err, %s) is false", r)
	}
}

// recorder is a loopback server that must not be contacted: it counts hits.
type recorder struct {
	*httptest.Server
	hits atomic.Int64
}

func newRecorder(t testing.TB) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// eventually polls cond until it holds or the deadline passes. It waits for
// background work; it asserts nothing about speed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
