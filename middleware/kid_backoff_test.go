package middleware_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// J12: a failed unknown-kid refresh does not use up the window. The next
// one may start after a short, growing backoff, while a flood still makes
// no more than one fetch per backoff step.
func TestAFailedUnknownKIDRefreshDoesNotBurnTheWindow(t *testing.T) {
	t.Parallel()
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	v := warm(t, iss, middleware.WithClock(clk.Now), middleware.WithCacheClock(clk.Now))
	ctx := context.Background()
	if _, err := iss.AddKey("ES256"); err != nil { // published while the provider fails
		t.Fatal(err)
	}
	newKey := mint(t, iss, nil, jwttest.WithAlg("ES256"))
	iss.SetFault(jwttest.Fault500)
	before := iss.JWKSRequests()
	for range 20 {
		_, err := v.Verify(ctx, newKey)
		wantReason(t, err, reason.KeyNotFound)
	}
	if n := iss.JWKSRequests() - before; n != 1 {
		t.Fatalf("%d fetches for a flood during one failure; want 1", n)
	}
	clk.Advance(500 * time.Millisecond) // within the first backoff (1 s ± 20 %)
	_, err := v.Verify(ctx, newKey)
	wantReason(t, err, reason.KeyNotFound)
	if n := iss.JWKSRequests() - before; n != 1 {
		t.Fatalf("%d fetches within the backoff; want 1", n)
	}
	iss.SetFault(jwttest.FaultNone)
	clk.Advance(2 * time.Second) // past the backoff, far within the 30 s window
	if _, err := v.Verify(ctx, newKey); err != nil {
		t.Fatalf("the provider is back, the key is published: %v", err)
	}
	// After a success the window holds again.
	for i := range 10 {
		_, err := v.Verify(ctx, mint(t, iss, nil, jwttest.WithHeader("kid", fmt.Sprint("random-", i))))
		wantReason(t, err, reason.KeyNotFound)
	}
	if n := iss.JWKSRequests() - before; n != 2 {
		t.Fatalf("%d fetches; want 2 (the failed one, the one that recovered; none for the random kids)", n)
	}
}
