package revstate_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
)

// reference is the plain reading of a state's rules: per kind, issuer and
// value the widest entry added while unexpired (the latest cutoff, the
// latest expiry), until a sweep after its expiry plus twice the leeway; c
// is revoked by an entry of its issuer that names its jti, its session, or
// its subject with a cutoff after its iat less the leeway (or no iat).
type reference struct {
	leeway  time.Duration
	entries map[string]revstate.Entry
}

func (ref *reference) expired(r revstate.Entry, now time.Time) bool {
	return !now.Before(r.Expires.Add(2 * ref.leeway))
}

func (ref *reference) add(r revstate.Entry, now time.Time) {
	if ref.expired(r, now) {
		return
	}
	k := fmt.Sprint(r.Kind, r.Issuer, "|", r.Value)
	if old, ok := ref.entries[k]; ok {
		if old.Before.After(r.Before) {
			r.Before = old.Before
		}
		if old.Expires.After(r.Expires) {
			r.Expires = old.Expires
		}
	}
	ref.entries[k] = r
}

func (ref *reference) sweep(now time.Time) {
	for k, r := range ref.entries {
		if ref.expired(r, now) {
			delete(ref.entries, k)
		}
	}
}

func (ref *reference) revoked(c *middleware.Claims) bool {
	for _, r := range ref.entries {
		if r.Issuer != c.Issuer {
			continue
		}
		switch {
		case r.Kind == revstate.ByTokenID && r.Value == c.ID && c.ID != "",
			r.Kind == revstate.BySession && r.Value == c.SessionID && c.SessionID != "",
			r.Kind == revstate.BySubject && r.Value == c.Subject && c.Subject != "" &&
				(c.IssuedAt.IsZero() || c.IssuedAt.Before(r.Before.Add(ref.leeway))):
			return true
		}
	}
	return false
}

// A state answers as the plain reading of its rules does, through random
// additions (new, wider and narrower entries), sweeps and clock moves.
func TestTheStateAnswersAsItsRulesRead(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	leeway := time.Duration(1+rng.IntN(120)) * time.Second
	now := time.Unix(1_800_000_000, 0)
	s := revstate.NewState(nil, now, leeway)
	ref := &reference{leeway: leeway, entries: map[string]revstate.Entry{}}
	kinds := []revstate.Kind{revstate.ByTokenID, revstate.BySubject, revstate.BySession}
	issuers := []string{"https://a.example", "https://b.example"}
	for step := range 5000 {
		switch rng.IntN(10) {
		case 0:
			now = now.Add(time.Duration(rng.IntN(600)) * time.Second)
		case 1:
			_, _ = s.Sweep(now)
			ref.sweep(now)
		default:
			r := revstate.Entry{Kind: kinds[rng.IntN(3)], Issuer: issuers[rng.IntN(2)], Value: fmt.Sprint(rng.IntN(20)),
				Before: now.Add(time.Duration(rng.IntN(600)-300) * time.Second)}
			r.Expires = r.Before.Add(time.Duration(rng.IntN(1200)) * time.Second)
			s.Add(r, now)
			ref.add(r, now)
		}
		c := &middleware.Claims{Issuer: issuers[rng.IntN(2)], ID: fmt.Sprint(rng.IntN(25)), Subject: fmt.Sprint(rng.IntN(25)),
			SessionID: fmt.Sprint(rng.IntN(25))}
		if rng.IntN(4) > 0 {
			c.IssuedAt = now.Add(time.Duration(rng.IntN(900)-600) * time.Second)
		}
		for _, unset := range []*string{&c.ID, &c.Subject, &c.SessionID} {
			if rng.IntN(2) == 0 {
				*unset = ""
			}
		}
		if got, want := s.Revoked(c), ref.revoked(c); got != want {
			t.Fatalf("step %d (leeway %v): %+v revoked %v, the reference says %v", step, leeway, c, got, want)
		}
		if s.Len() != len(ref.entries) {
			t.Fatalf("step %d: %d entries, the reference has %d", step, s.Len(), len(ref.entries))
		}
	}
}

func filledState(n int, now time.Time) (*revstate.State, []revstate.Entry) {
	entries := make([]revstate.Entry, n)
	for i := range entries {
		entries[i] = revstate.Entry{Kind: revstate.Kind(i%3 + 1), Issuer: "https://id.example.com", Value: fmt.Sprint("v-", i),
			Before: now.Add(-time.Minute), Expires: now.Add(time.Hour)}
	}
	return revstate.NewState(entries, now, 0), entries
}

var stateSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkStateRevoke adds new entries to a state of n: O(log n) each.
func BenchmarkStateRevoke(b *testing.B) {
	now := time.Now()
	for _, n := range stateSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, _ := filledState(n, now)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.Add(revstate.Entry{Kind: revstate.ByTokenID, Issuer: "https://id.example.com", Value: fmt.Sprint("new-", i),
					Expires: now.Add(time.Hour)}, now)
				i++
			}
		})
	}
}

// BenchmarkStateCheck is the request path: a token none of n entries names.
func BenchmarkStateCheck(b *testing.B) {
	now := time.Now()
	c := &middleware.Claims{Issuer: "https://id.example.com", ID: "j", Subject: "u", SessionID: "s", IssuedAt: now}
	for _, n := range stateSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, _ := filledState(n, now)
			b.ReportAllocs()
			for b.Loop() {
				if s.Revoked(c) {
					b.Fatal("revoked")
				}
			}
		})
	}
}

// BenchmarkStateResync applies a resync's n entries, all held already, to
// a state of n (what the Redis store does every resync interval).
func BenchmarkStateResync(b *testing.B) {
	now := time.Now()
	for _, n := range stateSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, entries := filledState(n, now)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range entries {
					s.Add(r, now)
				}
				_, _ = s.Sweep(now)
			}
		})
	}
}

// Readers check while one writer adds and sweeps (run with -race): an entry
// in force from the start is seen by every check, and entries added later
// are seen once Add has returned.
func TestStateReadersNeedNoLock(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	s := revstate.NewState([]revstate.Entry{{Kind: revstate.BySubject, Issuer: "https://a.example", Value: "mallory",
		Before: now, Expires: now.Add(time.Hour)}}, now, time.Minute)
	mallory := &middleware.Claims{Issuer: "https://a.example", Subject: "mallory", IssuedAt: now.Add(-time.Minute)}
	var added atomic.Int64 // entries j0…j(added-1) are in
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				n := added.Load()
				if !s.Revoked(mallory) {
					t.Error("an entry in force was not seen")
					return
				}
				if n > 0 && !s.Revoked(&middleware.Claims{Issuer: "https://a.example", ID: fmt.Sprint("j", n-1)}) {
					t.Errorf("entry j%d, added before the check, was not seen", n-1)
					return
				}
			}
		}()
	}
	for i := range 5000 {
		s.Add(revstate.Entry{Kind: revstate.ByTokenID, Issuer: "https://a.example", Value: fmt.Sprint("j", i),
			Expires: now.Add(time.Duration(i%3) * time.Minute)}, now)
		added.Store(int64(i + 1))
		if i%500 == 0 {
			_, _ = s.Sweep(now) // nothing has expired yet
		}
	}
	close(done)
	wg.Wait()
}
