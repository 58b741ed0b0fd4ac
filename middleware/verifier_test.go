package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"go.uber.org/goleak"
)

func TestSeveralIssuersKeepTheirOwnKeysAndAudiences(t *testing.T) {
	t.Parallel()
	a := newIssuer(t, jwttest.WithKeyAlgorithms("RS256"))
	b := newIssuer(t, jwttest.WithKeyAlgorithms("ES256"))
	v := newVerifier(t, []middleware.Issuer{
		{URL: a.URL(), Audiences: []string{"api-a"}},
		{URL: b.URL(), Audiences: []string{"api-b"}},
	}, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	cases := []struct {
		name string
		tok  string
		want reason.Code
	}{
		{"issuer A's token for A's audience", mint(t, a, jwttest.ClaimsSet{"aud": "api-a"}), ""},
		{"issuer B's token for B's audience", mint(t, b, jwttest.ClaimsSet{"aud": "api-b"}, jwttest.WithAlg("ES256")), ""},
		{"issuer A's token for B's audience", mint(t, a, jwttest.ClaimsSet{"aud": "api-b"}), reason.AudienceInvalid},
		// Signed by A (valid signature, A's kid) but claiming to be B: B's keys
		// are the only ones consulted, so A's key never verifies it.
		{"A's key used for a token claiming issuer B", mint(t, a, jwttest.ClaimsSet{"iss": b.URL(), "aud": "api-b"}), reason.KeyNotFound},
		{"A's RS256 kid reused under B with B's alg", mint(t, a, jwttest.ClaimsSet{"iss": b.URL(), "aud": "api-b"},
			jwttest.WithHeader("alg", "ES256")), reason.KeyNotFound},
		{"an issuer nobody configured", mint(t, a, jwttest.ClaimsSet{"iss": "https://c.example", "aud": "api-a"}), reason.IssuerInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tc.tok)
			wantReason(t, err, tc.want)
			if err == nil && c.Issuer == "" {
				t.Fatal("no issuer in the claims")
			}
		})
	}
}

// With several issuers, a verifier finds a token's issuer by reading its
// payload up to iss: every issuer keeps to its own keys.
func TestManyIssuersKeepTheirOwnKeys(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 6} {
		t.Run(fmt.Sprint(n, " issuers"), func(t *testing.T) {
			t.Parallel()
			var all []*jwttest.Issuer
			var conf []middleware.Issuer
			for range n {
				iss := newIssuer(t)
				all = append(all, iss)
				conf = append(conf, middleware.Issuer{URL: iss.URL(), Audiences: []string{audience}})
			}
			v := newVerifier(t, conf, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
			for i, iss := range all {
				c, err := v.Verify(context.Background(), mint(t, iss, nil))
				if err != nil || c.Issuer != iss.URL() {
					t.Fatalf("issuer %d: %+v, %v", i, c, err)
				}
				other := all[(i+1)%n]
				_, err = v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"iss": other.URL()}))
				wantReason(t, err, reason.KeyNotFound)
			}
		})
	}
}

// A token may name another configured issuer inside a claim (an RFC 8693
// actor, say): its own iss still decides whose keys verify it.
func TestAnotherIssuerNamedInsideAClaimDoesNotPickTheKeys(t *testing.T) {
	t.Parallel()
	a, b := newIssuer(t), newIssuer(t)
	v := newVerifier(t, []middleware.Issuer{
		{URL: a.URL(), Audiences: []string{audience}},
		{URL: b.URL(), Audiences: []string{audience}},
	}, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	for _, tc := range []struct {
		name     string
		iss, act *jwttest.Issuer
	}{{"A's actor in B's token", b, a}, {"B's actor in A's token", a, b}} {
		t.Run(tc.name, func(t *testing.T) {
			tok := mint(t, tc.iss, jwttest.ClaimsSet{"act": map[string]any{"iss": tc.act.URL(), "sub": "svc"}})
			if p := string(mustDecode(t, segments(tok)[1])); !strings.Contains(p, `"iss":"`+tc.act.URL()+`"`) {
				t.Fatalf("payload %s does not name the actor's issuer", p)
			}
			c, err := v.Verify(context.Background(), tok)
			if err != nil || c.Issuer != tc.iss.URL() {
				t.Fatalf("Verify = %+v, %v", c, err)
			}
		})
	}
}

// Even when two issuers publish the same kid, a key is only ever looked up
// in the token's own issuer's set.
func TestSameKidAtTwoIssuersNeverCrosses(t *testing.T) {
	t.Parallel()
	a := newIssuer(t)
	b := newIssuer(t)
	kid := "shared-kid"
	v := newVerifier(t, []middleware.Issuer{
		{URL: a.URL(), Audiences: []string{audience}, Keys: []middleware.Key{{ID: kid, Public: a.PublicKey(a.KeyIDs()[0])}}},
		{URL: b.URL(), Audiences: []string{audience}, Keys: []middleware.Key{{ID: kid, Public: b.PublicKey(b.KeyIDs()[0])}}},
	})
	forged := mint(t, a, jwttest.ClaimsSet{"iss": b.URL()}, jwttest.WithHeader("kid", kid))
	_, err := v.Verify(context.Background(), forged)
	wantReason(t, err, reason.SignatureInvalid)
	if _, err := v.Verify(context.Background(), mint(t, a, nil, jwttest.WithHeader("kid", kid))); err != nil {
		t.Fatal(err)
	}
}

func TestNothingIsFetchedBecauseOfATokensIss(t *testing.T) {
	t.Parallel()
	trusted := newIssuer(t)
	stranger := newIssuer(t)
	v := warm(t, trusted)
	_, err := v.Verify(context.Background(), mint(t, stranger, nil))
	wantReason(t, err, reason.IssuerInvalid)
	if n := stranger.DiscoveryRequests() + stranger.JWKSRequests(); n != 0 {
		t.Fatalf("the verifier contacted an issuer named only by a token (%d requests)", n)
	}
}

func TestConcurrentVerificationDuringRotation(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256", "EdDSA"))
	v := warm(t, iss, middleware.WithRemoteKeys(middleware.RemoteKeys{UnknownKeyRefreshInterval: time.Nanosecond}))
	toks := []string{mint(t, iss, nil), mint(t, iss, nil, jwttest.WithAlg("ES256")), mint(t, iss, nil, jwttest.WithAlg("EdDSA"))}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c, err := v.Verify(context.Background(), toks[(g+i)%len(toks)])
				if err != nil {
					t.Errorf("verification failed during rotation: %v", err)
					return
				}
				if c.Issuer != iss.URL() {
					t.Errorf("issuer %q", c.Issuer)
					return
				}
			}
		}()
	}
	for range 10 {
		kid, err := iss.AddKey("ES256")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithKeyID(kid))); err != nil {
			t.Fatal(err)
		}
		if err := v.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// Under concurrency a forged token must never borrow another token's good
// signature, nor a good token lose its own (they were decoded into pooled
// memory once; this holds any such reuse to account).
func TestSignaturesNeverMixUnderConcurrency(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256", "EdDSA"))
	v := warm(t, iss, middleware.WithTokenCache(0, 0))
	type tc struct {
		tok  string
		good bool
	}
	var cases []tc
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		a := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithAlg(alg))
		b := mint(t, iss, jwttest.ClaimsSet{"sub": "mallory"}, jwttest.WithAlg(alg))
		sa, sb := strings.Split(a, "."), strings.Split(b, ".")
		cases = append(cases, tc{a, true}, tc{b, true}, tc{sa[0] + "." + sb[1] + "." + sa[2], false})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				c := cases[(g+i)%len(cases)]
				_, err := v.Verify(context.Background(), c.tok)
				if c.good != (err == nil) {
					t.Errorf("good=%v: %v", c.good, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Close stops every goroutine the verifier started, including fetches in
// flight against a hanging endpoint. Not parallel: it inspects all stacks.
func TestCloseStopsBackgroundWork(t *testing.T) {
	iss := newIssuer(t)
	before := refreshGoroutines()
	// Close waits for the fetch in flight: its failure is reported before
	// Close returns, never after.
	var closed, lateEvent atomic.Bool
	hook := middleware.WithHook(func(middleware.Event) {
		if closed.Load() {
			lateEvent.Store(true)
		}
	})
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, RefreshInterval: 5 * time.Millisecond}), quiet, hook)
	if err != nil {
		t.Fatal(err)
	}
	iss.SetSlowDelay(time.Hour)
	iss.SetFault(jwttest.FaultSlow)
	eventually(t, "a background fetch to hang", func() bool { return iss.JWKSRequests() >= 2 })
	if n := refreshGoroutines(); n <= before {
		t.Fatalf("no background goroutine seen before Close (%d, %d before New)", n, before)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	closed.Store(true)
	// Close has waited for every goroutine to call Done; a goroutine may
	// still be unwinding its frames for a moment after that, so allow it a
	// bounded while to leave (a goroutine stuck on the hanging fetch never
	// would).
	for deadline := time.Now().Add(5 * time.Second); refreshGoroutines() != before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d refresh goroutines after Close, %d before New:\n%s", refreshGoroutines(), before, stacks())
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // room for a late event to show
	if lateEvent.Load() {
		t.Fatal("an event was emitted after Close returned: a fetch outlived it")
	}
	_ = v.Close() // idempotent
	// Keys already obtained keep verifying after Close.
	if _, err := v.Verify(context.Background(), mint(t, iss, nil)); err != nil {
		t.Fatal(err)
	}
}

// refreshGoroutines counts the goroutines of every verifier's key refresh.
func refreshGoroutines() int {
	return strings.Count(stacks(), "middleware.(*keyFetcher)")
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func TestHookAndLogSeeEveryOutcomeWithoutTheToken(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	var events []middleware.Event
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithLogger(logger), middleware.WithHook(func(e middleware.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}))
	good := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	expired := mint(t, iss, jwttest.ClaimsSet{"exp": 1000})
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	_, _ = v.Verify(context.Background(), expired)
	mu.Lock()
	defer mu.Unlock()
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind.String()+":"+string(e.Reason))
	}
	want := []string{"keys_refreshed:", "accepted:", "rejected:token_expired"}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if events[1].Claims == nil || events[1].Claims.Subject != "alice" || events[2].Issuer != iss.URL() {
		t.Fatalf("events lack context: %+v", events)
	}
	out := logs.String()
	if !strings.Contains(out, `"reason":"token_expired"`) || !strings.Contains(out, `"sub":"alice"`) {
		t.Fatalf("logs lack outcomes:\n%s", out)
	}
	for _, tok := range []string{good, expired} {
		for _, seg := range segments(tok) {
			if strings.Contains(out, seg) {
				t.Fatal("a token segment was logged")
			}
		}
	}
}

type syncWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Lifecycle: after Close, no goroutine the verifier started is left, not
// even one whose fetch hung or one a request's unknown kid started (checked
// with goleak, which compares every goroutine's stack). Not parallel.
func TestNoGoroutineOutlivesClose(t *testing.T) {
	iss := newIssuer(t)
	tok := mint(t, iss, nil)
	ignore := goleak.IgnoreCurrent()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true, RefreshInterval: 5 * time.Millisecond, MaxWait: 20 * time.Millisecond}), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	iss.SetSlowDelay(time.Hour)
	iss.SetFault(jwttest.FaultSlow)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = v.Verify(ctx, mint(t, iss, nil, jwttest.WithHeader("kid", "new")))
	cancel() // the request is gone; its fetch must not keep anything alive
	wantReason(t, err, reason.KeyNotFound)
	eventually(t, "a fetch to hang", func() bool { return iss.JWKSRequests() >= 2 })
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	// (goleak.VerifyNone retries while the server side of the cancelled fetch winds down.)
	goleak.VerifyNone(t, ignore)
}
