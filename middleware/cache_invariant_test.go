package middleware_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// hookChecker runs a function from inside a verification, after the key
// lookup and before the token is cached: the deterministic form of a
// refresh racing a verification.
type hookChecker struct{ during atomic.Pointer[func()] }

func (h *hookChecker) IsRevoked(*middleware.Claims) (bool, error) {
	if f := h.during.Swap(nil); f != nil {
		(*f)()
	}
	return false, nil
}

// A refresh that removes the key between a verification's key lookup and
// its cache store must not leave the token trusted: the entry records the
// set the key came from, so the first hit looks the key up again (C24, J11).
func TestAKeyRemovedDuringAVerificationIsNotTrustedFromTheCache(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
	hook := &hookChecker{}
	v := warm(t, iss, middleware.WithRevocation(hook))
	ctx := context.Background()
	ecKid := iss.KeyIDs()[1]
	tok := mint(t, iss, jwttest.ClaimsSet{"jti": "raced"}, jwttest.WithKeyID(ecKid))
	remove := func() {
		iss.RemoveKey(ecKid)
		if err := v.Refresh(ctx); err != nil {
			t.Error(err)
		}
	}
	hook.during.Store(&remove)
	if _, err := v.Verify(ctx, tok); err != nil { // verified before the removal was seen
		t.Fatal(err)
	}
	for range 3 {
		_, err := v.Verify(ctx, tok)
		wantReason(t, err, reason.KeyNotFound)
	}
}

// A cached token without kid was accepted because exactly one key fitted
// its algorithm; once a second one is published, a fresh verification
// refuses it (no key choice), and so must the cache.
func TestACachedTokenWithoutKIDIsRefusedOnceASecondKeyFits(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	ctx := context.Background()
	tok := mint(t, iss, jwttest.ClaimsSet{"jti": "no-kid"}, jwttest.WithHeader("kid", nil))
	for range 2 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := iss.AddKey("RS256"); err != nil {
		t.Fatal(err)
	}
	if err := v.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := warm(t, iss, middleware.WithTokenCache(0, 0))
	_, err := fresh.Verify(ctx, tok)
	wantReason(t, err, reason.KeyNotFound)
	for range 2 {
		_, err := v.Verify(ctx, tok)
		wantReason(t, err, reason.KeyNotFound)
	}
}

// Readers verify tokens of a key while it is removed: every verification
// that starts after the refresh that removed it returned is refused,
// whether the token was cached before, during or after the race.
func TestNoVerificationAfterARemovalAcceptsItsKey(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			t.Parallel()
			iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
			v := warm(t, iss)
			ctx := context.Background()
			ecKid := iss.KeyIDs()[1]
			toks := make([]string, 400)
			for i := range toks {
				toks[i] = mint(t, iss, jwttest.ClaimsSet{"jti": fmt.Sprint(i)}, jwttest.WithKeyID(ecKid))
			}
			var removed atomic.Bool
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 3 * len(toks) {
						after := removed.Load()
						_, err := v.Verify(ctx, toks[(i*7+g*13)%len(toks)])
						if after && err == nil {
							t.Error("a token of a removed key was accepted after the refresh that removed it")
							return
						}
					}
				})
			}
			time.Sleep(time.Millisecond)
			iss.RemoveKey(ecKid)
			if err := v.Refresh(ctx); err != nil {
				t.Error(err)
			}
			removed.Store(true)
			wg.Wait()
		})
	}
}

// The cache's invariant as a property: over a random interleaving of
// verifications, key additions, removals and rotations, refreshes,
// revocations and clock moves, the cached verifier's answer to every token
// is the answer of a verifier without a cache at that moment. Concurrent
// readers keep the cache busy meanwhile, so -race sees every path.
func TestTheCacheAnswersAsAFreshVerificationWould(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now), jwttest.WithKeyAlgorithms("RS256", "ES256", "EdDSA"))
	revoked := &revokeList{}
	revoked.jtis.Store(map[string]bool{})
	opts := []middleware.Option{middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now),
		middleware.WithRevocation(revoked), middleware.WithRemoteKeys(middleware.RemoteKeys{MaxStaleness: time.Hour})}
	cached := warm(t, iss, opts...)
	fresh := warm(t, iss, append(opts, middleware.WithTokenCache(0, 0))...)
	ctx := context.Background()

	var mu sync.RWMutex // readers hold it shared; the comparison holds it alone
	var toks []string
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for g := range 3 {
		readers.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(g)+2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.RLock()
				if len(toks) > 0 {
					_, _ = cached.Verify(ctx, toks[r.IntN(len(toks))])
				}
				mu.RUnlock()
			}
		})
	}
	defer func() { close(stop); readers.Wait() }()

	// Refresh joins a fetch in flight, which a reader may have started
	// before the key change: the second one starts after it.
	refresh := func() {
		for _, v := range []*middleware.Verifier{cached, fresh, cached, fresh} {
			if err := v.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	algs := []string{"RS256", "ES256", "EdDSA"}
	for step := range 300 {
		var did string
		switch op := rng.IntN(10); {
		case op < 3:
			claims := jwttest.ClaimsSet{"jti": fmt.Sprint(step), "exp": clk.Now().Add(time.Duration(1+rng.IntN(10)) * time.Minute).Unix()}
			var mo []jwttest.MintOption
			if kids := iss.KeyIDs(); len(kids) > 0 && rng.IntN(3) > 0 {
				mo = append(mo, jwttest.WithKeyID(kids[rng.IntN(len(kids))]))
			} else {
				mo = append(mo, jwttest.WithAlg(algs[rng.IntN(len(algs))]))
			}
			if rng.IntN(4) == 0 {
				mo = append(mo, jwttest.WithHeader("kid", nil))
			}
			tok, err := iss.Mint(claims, mo...)
			if err != nil {
				continue // no key for that algorithm now
			}
			mu.Lock()
			toks = append(toks, tok)
			mu.Unlock()
			did = "mint"
		case op < 5:
			if _, err := iss.AddKey(algs[rng.IntN(len(algs))]); err != nil {
				t.Fatal(err)
			}
			refresh()
			did = "add key"
		case op < 7:
			if kids := iss.KeyIDs(); len(kids) > 1 {
				iss.RemoveKey(kids[rng.IntN(len(kids))])
			}
			refresh()
			did = "remove key"
		case op < 8:
			mu.RLock()
			if len(toks) > 0 {
				m := map[string]bool{}
				for k, v := range revoked.jtis.Load().(map[string]bool) {
					m[k] = v
				}
				m[fmt.Sprint(rng.IntN(step+1))] = true
				revoked.jtis.Store(m)
			}
			mu.RUnlock()
			did = "revoke"
		default:
			clk.Advance(time.Duration(rng.IntN(240)-60) * time.Second)
			did = "clock"
		}
		mu.Lock()
		for i, tok := range toks {
			_, errFresh := fresh.Verify(ctx, tok)
			for range 2 { // the first may fill the cache; the second is a hit
				_, errCached := cached.Verify(ctx, tok)
				if middleware.ReasonOf(errCached) != middleware.ReasonOf(errFresh) {
					mu.Unlock()
					t.Fatalf("step %d (after %s), token %d: cached answer %v, fresh answer %v", step, did, i, errCached, errFresh)
				}
			}
		}
		if len(toks) > 40 {
			toks = toks[len(toks)-40:]
		}
		mu.Unlock()
	}
}

// mutatingChecker changes the claims it is shown the first time.
type mutatingChecker struct{ done atomic.Bool }

func (m *mutatingChecker) IsRevoked(c *middleware.Claims) (bool, error) {
	if !m.done.Swap(true) {
		c.Subject, c.KeyID = "mallory", "other-kid"
	}
	return false, nil
}

// The revocation checker is the caller's code: what it does to the claims
// it is shown reaches neither the cache nor later requests.
func TestARevocationCheckerCannotChangeTheCachedClaims(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss, middleware.WithRevocation(&mutatingChecker{}))
	tok := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	for range 2 { // hits
		c, err := v.Verify(context.Background(), tok)
		if err != nil || c.Subject != "alice" || c.KeyID == "other-kid" {
			t.Fatalf("a hit answered %+v, %v", c, err)
		}
	}
}
