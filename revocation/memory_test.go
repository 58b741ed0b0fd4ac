package revocation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testclock"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation"
)

const issuer = "https://id.example.com"

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Unix(1_800_000_000, 0))
	m := revocation.NewMemory(revocation.WithClock(clk.Now), revocation.WithMaxTokenLifetime(time.Hour))
	ctx := context.Background()
	// The leeway is the default 60 s: an issuer's clock may run that far
	// ahead of the store's.
	before, within, after := clk.Now().Add(-time.Minute), clk.Now().Add(59*time.Second), clk.Now().Add(61*time.Second)
	for _, r := range []revocation.Revocation{
		{Kind: revocation.ByTokenID, Issuer: issuer, Value: "j1", Expires: clk.Now().Add(10 * time.Minute)},
		{Kind: revocation.BySubject, Issuer: issuer, Value: "bob"},
		{Kind: revocation.BySession, Issuer: issuer, Value: "s1"},
	} {
		if err := m.Revoke(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		c    middleware.Claims
		want bool
	}{
		{"the revoked jti", middleware.Claims{Issuer: issuer, ID: "j1"}, true},
		{"another jti", middleware.Claims{Issuer: issuer, ID: "j2"}, false},
		{"the jti at another issuer", middleware.Claims{Issuer: "https://other.example", ID: "j1"}, false},
		{"the subject, issued before the cutoff", middleware.Claims{Issuer: issuer, Subject: "bob", IssuedAt: before}, true},
		{"the subject, issued before the cutoff by a clock running ahead", middleware.Claims{Issuer: issuer, Subject: "bob", IssuedAt: within}, true},
		{"the subject, issued after the cutoff and its leeway", middleware.Claims{Issuer: issuer, Subject: "bob", IssuedAt: after}, false},
		{"the subject, without iat", middleware.Claims{Issuer: issuer, Subject: "bob"}, true},
		{"the subject at another issuer", middleware.Claims{Issuer: "https://other.example", Subject: "bob", IssuedAt: before}, false},
		{"the session", middleware.Claims{Issuer: issuer, Subject: "carol", SessionID: "s1", IssuedAt: after}, true},
		{"another session", middleware.Claims{Issuer: issuer, Subject: "carol", SessionID: "s2", IssuedAt: before}, false},
		{"no identifiers at all", middleware.Claims{Issuer: issuer}, false},
	} {
		got, err := m.IsRevoked(&tc.c)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
	list, _ := m.List(ctx)
	if len(list) != 3 {
		t.Fatalf("List: %v", list)
	}
	// Entries leave when no token they cover can be accepted: past its
	// expiry plus twice the leeway (a covered token's exp may be a leeway
	// late, and it is accepted a leeway past it).
	clk.Advance(12*time.Minute - time.Second)
	if list, _ := m.List(ctx); len(list) != 3 {
		t.Fatalf("the jti's entry within twice the leeway after it expired: %v", list)
	}
	clk.Advance(time.Second)
	if list, _ := m.List(ctx); len(list) != 2 {
		t.Fatalf("after the jti expired: %v", list)
	}
	clk.Advance(time.Hour)
	if list, _ := m.List(ctx); len(list) != 0 {
		t.Fatalf("after the token lifetime: %v", list)
	}
}

func TestMemoryStoreRefusesBadEntriesAndNeverDropsOne(t *testing.T) {
	t.Parallel()
	m := revocation.NewMemory(revocation.WithMaxEntries(3))
	ctx := context.Background()
	for _, r := range []revocation.Revocation{
		{Kind: 0, Issuer: issuer, Value: "x"},
		{Kind: revocation.ByTokenID, Value: "x"},
		{Kind: revocation.ByTokenID, Issuer: issuer},
		{Kind: revocation.ByTokenID, Issuer: issuer, Value: "x", Expires: time.Now().Add(-time.Second)},
	} {
		if err := m.Revoke(ctx, r); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	for i := range 3 {
		if err := m.Revoke(ctx, revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	err := m.Revoke(ctx, revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "one too many"})
	if !errors.Is(err, revocation.ErrFull) {
		t.Fatalf("a full store: %v", err)
	}
	for i := range 3 {
		if got, _ := m.IsRevoked(&middleware.Claims{Issuer: issuer, Subject: fmt.Sprint(i)}); !got {
			t.Fatalf("revocation %d was dropped", i)
		}
	}
}

// The check on the hot path allocates nothing, revoked or not.
func TestIsRevokedDoesNotAllocate(t *testing.T) {
	m := bigStore(t)
	for _, c := range []*middleware.Claims{
		{Issuer: issuer, ID: "j-not", Subject: "u-not", SessionID: "s-not", IssuedAt: time.Now()},
		{Issuer: issuer, ID: "j-7", Subject: "u-not", IssuedAt: time.Now()},
	} {
		if n := testing.AllocsPerRun(100, func() { _, _ = m.IsRevoked(c) }); n != 0 {
			t.Fatalf("%v allocations", n)
		}
	}
}

// bigStore holds 3,000 revocations of each kind.
func bigStore(tb testing.TB) *revocation.Memory {
	m := revocation.NewMemory()
	for i := range 3000 {
		for _, k := range []revocation.Kind{revocation.ByTokenID, revocation.BySubject, revocation.BySession} {
			prefix := map[revocation.Kind]string{revocation.ByTokenID: "j-", revocation.BySubject: "u-", revocation.BySession: "s-"}[k]
			if err := m.Revoke(context.Background(), revocation.Revocation{Kind: k, Issuer: issuer, Value: prefix + fmt.Sprint(i),
				Before: time.Now().Add(-time.Hour), Expires: time.Now().Add(time.Hour)}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return m
}

// BenchmarkIsRevoked: the hot-path check for a token that is not revoked,
// against an empty store and one of 9,000 revocations.
func BenchmarkIsRevoked(b *testing.B) {
	c := &middleware.Claims{Issuer: issuer, ID: "j-not", Subject: "u-not", SessionID: "s-not", IssuedAt: time.Now()}
	for name, m := range map[string]*revocation.Memory{"empty": revocation.NewMemory(), "9000 entries": bigStore(b)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r, _ := m.IsRevoked(c); r {
					b.Fatal("revoked")
				}
			}
		})
	}
}

// A second revocation of the same user with an earlier cutoff never
// narrows the first: a store keeps the wider of the two.
func TestARevocationIsNeverNarrowed(t *testing.T) {
	t.Parallel()
	m := revocation.NewMemory()
	now := time.Now()
	for _, before := range []time.Time{now, now.Add(-time.Hour)} {
		if err := m.Revoke(context.Background(), revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "bob",
			Before: before, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := m.IsRevoked(&middleware.Claims{Issuer: issuer, Subject: "bob", IssuedAt: now.Add(-time.Minute)}); !got {
		t.Fatal("the earlier cutoff narrowed the revocation")
	}
}

// A verifier whose leeway is longer than its revocation store's is refused
// at New: the store would let a token minted just before a logout pass.
func TestAVerifierRefusesAStoreWithAShorterLeeway(t *testing.T) {
	t.Parallel()
	issuers := []middleware.Issuer{{URL: issuer, Audiences: []string{"api"},
		Keys: []middleware.Key{{ID: "k", Algorithm: "HS256", Secret: make([]byte, 32)}}}}
	if _, err := middleware.New(issuers, middleware.WithLeeway(5*time.Minute), middleware.WithRevocation(revocation.NewMemory())); err == nil ||
		!strings.Contains(err.Error(), "revocation.WithLeeway") {
		t.Fatalf("a store at the default 60 s under a 5 min verifier: %v", err)
	}
	v, err := middleware.New(issuers, middleware.WithLeeway(5*time.Minute),
		middleware.WithRevocation(revocation.NewMemory(revocation.WithLeeway(5*time.Minute))))
	if err != nil {
		t.Fatalf("a store with the verifier's leeway: %v", err)
	}
	_ = v.Close()
}

// A full store takes a new revocation again once an entry it holds has
// expired (past twice the leeway), and not before.
func TestAFullStoreMakesRoomWhenAnEntryExpires(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Unix(1_800_000_000, 0))
	m := revocation.NewMemory(revocation.WithClock(clk.Now), revocation.WithMaxEntries(2), revocation.WithLeeway(time.Second))
	ctx := context.Background()
	revoke := func(v string, ttl time.Duration) error {
		return m.Revoke(ctx, revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: v, Expires: clk.Now().Add(ttl)})
	}
	if revoke("long", time.Hour) != nil || revoke("short", time.Minute) != nil {
		t.Fatal("filling the store")
	}
	if err := revoke("third", time.Hour); !errors.Is(err, revocation.ErrFull) {
		t.Fatalf("a full store: %v", err)
	}
	clk.Advance(time.Minute + time.Second) // "short" within twice the leeway of its expiry
	if err := revoke("third", time.Hour); !errors.Is(err, revocation.ErrFull) {
		t.Fatalf("before the entry may be forgotten: %v", err)
	}
	clk.Advance(time.Second)
	if err := revoke("third", time.Hour); err != nil {
		t.Fatalf("after an entry expired: %v", err)
	}
	if got, _ := m.IsRevoked(&middleware.Claims{Issuer: issuer, ID: "long"}); !got {
		t.Fatal("the entry in force was dropped")
	}
}
