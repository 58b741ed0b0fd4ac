package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// forge swaps tok's payload for the one other carries, keeping tok's
// signature: a token whose signature does not verify.
func forge(tok, other string) string {
	a, b := strings.Split(tok, "."), strings.Split(other, ".")
	return a[0] + "." + b[1] + "." + a[2]
}

// Nothing an accepted token's claims hold, and nothing a rejection
// reports, may point into memory another token's verification reuses:
// later tokens must leave them exactly as they were. (The payload's buffer
// was pooled once; this holds any such reuse to account.)
func TestNothingKeptPointsIntoAnotherTokensMemory(t *testing.T) {
	iss := newIssuer(t)
	var events []middleware.Event
	v := warm(t, iss, middleware.WithTokenCache(0, 0), middleware.WithHook(func(e middleware.Event) {
		if e.Kind == middleware.EventRejected || e.Kind == middleware.EventAccepted {
			events = append(events, e)
		}
	}))
	ctx := context.Background()
	good := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "jti": "id-1", "scope": "items:read items:write", "sid": "s-1"})
	claims, err := v.Verify(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	want := *claims
	want.Audience, want.Scopes = append([]string(nil), claims.Audience...), append([]string(nil), claims.Scopes...)
	var wantRaw map[string]any
	if err := claims.Decode(&wantRaw); err != nil {
		t.Fatal(err)
	}
	forged := forge(good, mint(t, iss, jwttest.ClaimsSet{"sub": "mallory", "jti": "id-2", "scope": "items:read items:write", "sid": "s-2"}))
	_, errForged := v.Verify(ctx, forged)
	if !errors.Is(errForged, reason.SignatureInvalid) {
		t.Fatalf("forged: %v", errForged)
	}
	errText, issText := errForged.Error(), events[len(events)-1].Issuer

	// Later tokens of the same shape, which would overwrite reused memory.
	for i := range 50 {
		other := mint(t, iss, jwttest.ClaimsSet{"sub": "zzzzz", "jti": "zz-" + string(rune('a'+i%26)), "scope": "zzzzz:zzzz zzzzz:zzzzz", "sid": "z-9"})
		_, _ = v.Verify(ctx, forge(good, other))
		_, _ = v.Verify(ctx, other)
		// The issuer's place too: a token from an issuer of the same length.
		stranger := mint(t, iss, jwttest.ClaimsSet{"iss": strings.Repeat("z", len(iss.URL())), "sub": "alice", "jti": "id-1",
			"scope": "items:read items:write", "sid": "s-1"})
		_, _ = v.Verify(ctx, stranger)
	}
	if !reflect.DeepEqual(*claims, want) {
		t.Fatalf("the claims changed under later tokens:\n%+v\nwant\n%+v", *claims, want)
	}
	var raw map[string]any
	if err := claims.Decode(&raw); err != nil || !reflect.DeepEqual(raw, wantRaw) {
		t.Fatalf("the raw payload changed under later tokens: %v %v", raw, err)
	}
	if errForged.Error() != errText || events[1].Issuer != issText || issText != iss.URL() {
		t.Fatalf("the rejection changed under later tokens: %q (was %q), issuer %q", errForged.Error(), errText, events[1].Issuer)
	}
	if b, _ := json.Marshal(events[0].Claims); !strings.Contains(string(b), "alice") {
		t.Fatalf("the accepted event's claims changed: %s", b)
	}
}

// A forged token costs what the signature check costs, the buffer its
// payload and signature are decoded into, the signing input's bytes for the
// check, the error that reports it, and for ECDSA the signature's DER form:
// nothing else.
func TestAForgedTokenAllocatesOnlyItsBufferAndItsError(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		iss := newIssuer(t, jwttest.WithKeyAlgorithms(alg))
		v := warm(t, iss, middleware.WithTokenCache(0, 0))
		good := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithAlg(alg))
		forged := forge(good, mint(t, iss, jwttest.ClaimsSet{"sub": "mallory"}, jwttest.WithAlg(alg)))
		reject, err := floor.Rejecting(alg, iss.PublicKey(iss.KeyIDs()[0]), forged)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := testing.AllocsPerRun(50, func() { reject() })
		got := testing.AllocsPerRun(50, func() {
			if _, err := v.Verify(ctx, forged); err == nil {
				t.Fatal("a forged token was accepted")
			}
		})
		want := check + 3
		if alg == "ES256" {
			want++
		}
		if got > want {
			t.Errorf("%s: a forged token allocates %v times; the standard library's check of it alone %v", alg, got, check)
		}
	}
}
