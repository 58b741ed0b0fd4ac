package middleware

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/internal/claimsx"
	"github.com/jwtguard/jwtguard/jwttest"
)

func cacheKey(i int) string { return fmt.Sprintf("eyJ.token-%06d.sig", i) }

func newEntry(raw string) *cacheEntry { return &cacheEntry{claims: &Claims{ID: raw}} }

// checkCache fails unless the cache is within its bounds, its accounting
// matches what is queued, and every entry it holds is the one put for its
// token and still queued.
func checkCache(t *testing.T, c *tokenCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n > c.maxCount || c.bytes > c.maxBytes {
		t.Fatalf("%d entries and %d bytes for bounds of %d and %d", c.n, c.bytes, c.maxCount, c.maxBytes)
	}
	queued, bytes := map[*cacheEntry]bool{}, 0
	for i := range c.n {
		q := c.queue[(c.head+i)%len(c.queue)]
		queued[q.e] = true
		bytes += q.e.size
	}
	if bytes != c.bytes {
		t.Fatalf("%d bytes accounted, %d queued", c.bytes, bytes)
	}
	c.m.Range(func(k, v any) bool {
		e := v.(*cacheEntry)
		if e.claims.ID != k.(string) || !queued[e] {
			t.Fatalf("the cache holds %q for %q (queued: %v)", e.claims.ID, k, queued[e])
		}
		return true
	})
}

// Goroutines putting, reading and dropping the same few tokens leave the
// cache within its bounds, its accounting exact, and every token with its
// own entry (run with -race).
func TestTheCacheHoldsItsBoundsUnderConcurrentUse(t *testing.T) {
	t.Parallel()
	for _, bounds := range [][2]int{{50, 1 << 30}, {1 << 20, 20 * (2*len(cacheKey(0)) + 512)}, {1, 1 << 30}} {
		c := newTokenCache(bounds[0], bounds[1])
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 7))
				for range 5000 {
					raw := cacheKey(r.IntN(200))
					switch e := c.get(raw); {
					case e != nil && e.claims.ID != raw:
						t.Errorf("got %q's entry for %q", e.claims.ID, raw)
						return
					case e != nil && r.IntN(4) == 0:
						c.drop(raw, e)
					case e == nil:
						c.put(raw, newEntry(raw))
					}
				}
			}()
		}
		wg.Wait()
		checkCache(t, c)
	}
}

// The oldest entries leave first, and a dropped or replaced entry still
// leaves in its turn without taking a newer one for its token with it.
func TestTheOldestEntriesLeaveFirst(t *testing.T) {
	t.Parallel()
	c := newTokenCache(10, 1<<30)
	for i := range 25 {
		c.put(cacheKey(i), newEntry(cacheKey(i)))
	}
	for i := range 25 {
		if got, want := c.get(cacheKey(i)) != nil, i >= 15; got != want {
			t.Fatalf("token %d cached: %v, want %v", i, got, want)
		}
	}
	// Token 20 is put again: its first place in the queue comes up after
	// 16..19 and must not take the newer entry along.
	again := newEntry(cacheKey(20))
	c.put(cacheKey(20), again)
	for i := 25; i < 30; i++ {
		c.put(cacheKey(i), newEntry(cacheKey(i)))
	}
	if c.get(cacheKey(20)) != again {
		t.Fatal("the old place of a token put again took its new entry out")
	}
	for i := range 30 {
		if got, want := c.get(cacheKey(i)) != nil, i == 20 || i >= 21; got != want {
			t.Fatalf("token %d cached: %v, want %v", i, got, want)
		}
	}
	// A dropped entry still leaves in its turn, and its token can be put
	// again meanwhile.
	c.drop(cacheKey(21), c.get(cacheKey(21)))
	c.put(cacheKey(21), newEntry(cacheKey(21)))
	if c.get(cacheKey(21)) == nil {
		t.Fatal("a dropped token put again is not cached")
	}
	checkCache(t, c)
}

// Adding an entry to a full cache costs the same as to an empty one: no
// copy of what the cache holds (allocated bytes, not time, so the test
// does not depend on the machine).
func TestAPutCostsTheSameWhateverTheCacheHolds(t *testing.T) {
	perPut := func(size int) float64 {
		c := newTokenCache(size, 1<<30)
		for i := range size {
			c.put(cacheKey(i), newEntry(cacheKey(i)))
		}
		keys := make([]string, 2000)
		entries := make([]*cacheEntry, len(keys))
		for i := range keys {
			keys[i] = cacheKey(size + i)
			entries[i] = newEntry(keys[i])
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range keys {
			c.put(keys[i], entries[i])
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / float64(len(keys))
	}
	small, large := perPut(100), perPut(10_000)
	if large > 2*small+64 {
		t.Fatalf("a put allocates %.0f bytes in a cache of 10,000 entries, %.0f in one of 100", large, small)
	}
	t.Logf("bytes per put: %.0f (100 entries), %.0f (10,000 entries)", small, large)
}

// BenchmarkCachePut adds tokens to a full cache of the default size.
func BenchmarkCachePut(b *testing.B) {
	const size = 10_000
	c := newTokenCache(size, 1<<30)
	for i := range size {
		c.put(cacheKey(i), newEntry(cacheKey(i)))
	}
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = cacheKey(size + i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.put(keys[i%len(keys)], &cacheEntry{})
		i++
	}
}

// An entry counts its claims' own slices against the byte bound: a token
// with many scopes costs more of it than one with none.
func TestAnEntryCountsItsClaimsSlices(t *testing.T) {
	t.Parallel()
	c := newTokenCache(10, 1<<20)
	plain, wide := newEntry(cacheKey(1)), newEntry(cacheKey(2))
	wide.claims.Audience = []string{"a", "b"}
	wide.claims.Scopes = make([]string, 98)
	c.put(cacheKey(1), plain)
	c.put(cacheKey(2), wide)
	if d := wide.size - plain.size; d != 100*16 {
		t.Fatalf("100 strings of claims add %d bytes, want %d", d, 100*16)
	}
	checkCache(t, c)
}

// What the attached readers read counts against the cache's bound in
// bytes, as each reader counts it: a reading larger than the bound keeps
// its token out of the cache, so the next request verifies (and reads)
// again.
func TestTheCacheCountsWhatTheReadersRead(t *testing.T) {
	t.Parallel()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	for _, tc := range []struct {
		size  int
		reads int
	}{{100, 1}, {1 << 20, 2}} {
		v, err := New([]Issuer{{URL: iss.URL(), Audiences: []string{"api"}}}, WithRemoteKeys(RemoteKeys{StartupFetch: true}),
			WithTokenCache(100, 64<<10), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		r := &claimsx.Reader{Names: []string{"sub"}, Read: func(claimsx.Values) (any, int) { reads++; return nil, tc.size }}
		if !v.attach(r) {
			t.Fatal("the reader was not attached")
		}
		tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
		for range 2 {
			if _, err := v.Verify(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		if reads != tc.reads {
			t.Errorf("a reading of %d bytes: read %d times in two requests, want %d", tc.size, reads, tc.reads)
		}
		_ = v.Close()
	}
}
