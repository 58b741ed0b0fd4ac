package memo_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/internal/memo"
)

func TestATableReturnsWhatWasStoredForTheSameKeyOnly(t *testing.T) {
	t.Parallel()
	tab := memo.New[string, int]()
	if _, ok := tab.Load("a"); ok {
		t.Fatal("an empty table has a value")
	}
	tab.Store("a", 1)
	if v, ok := tab.Load("a"); !ok || v != 1 {
		t.Fatalf("Load(a) = %d, %v; want 1, true", v, ok)
	}
	if v, ok := tab.Load("b"); ok {
		t.Fatalf("Load(b) = %d for a key never stored", v)
	}
	tab.Store("a", 2)
	if v, _ := tab.Load("a"); v != 2 {
		t.Fatalf("Load(a) = %d after storing 2", v)
	}
}

// Keys compare as wholes: two struct keys that share a field are different.
func TestStructKeysCompareEveryField(t *testing.T) {
	t.Parallel()
	type key struct{ a, b string }
	tab := memo.New[key, string]()
	tab.Store(key{"x", "y"}, "xy")
	if _, ok := tab.Load(key{"x", "z"}); ok {
		t.Fatal("a key differing in one field found another's value")
	}
	if v, ok := tab.Load(key{"x", "y"}); !ok || v != "xy" {
		t.Fatalf("Load = %q, %v", v, ok)
	}
}

// However many keys are stored, the table holds at most Slots of them, and
// never a wrong value for any.
func TestATableHoldsAtMostSlotsKeysAndNoWrongValue(t *testing.T) {
	t.Parallel()
	tab := memo.New[string, string]()
	const n = 1000
	for i := range n {
		k := fmt.Sprint(i)
		tab.Store(k, "v"+k)
	}
	held := 0
	for i := range n {
		k := fmt.Sprint(i)
		if v, ok := tab.Load(k); ok {
			held++
			if v != "v"+k {
				t.Fatalf("Load(%s) = %q", k, v)
			}
		}
	}
	if held == 0 || held > memo.Slots {
		t.Fatalf("the table holds %d keys; want 1..%d", held, memo.Slots)
	}
}

// Concurrent loads and stores of colliding keys never return another
// key's value (run with -race).
func TestConcurrentUseNeverMixesKeys(t *testing.T) {
	t.Parallel()
	tab := memo.New[int, int]()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20000 {
				k := (i*7 + g) % 64
				if v, ok := tab.Load(k); ok && v != k*k {
					t.Errorf("Load(%d) = %d", k, v)
					return
				}
				tab.Store(k, k*k)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkLoad looks up the key stored last, which Load compares before
// hashing, and another key, which costs the hash.
func BenchmarkLoad(b *testing.B) {
	type key struct{ reason, desc string }
	tab := memo.New[key, int]()
	latest := key{"signature_invalid", "The access token is invalid"}
	var other key
	for i := 0; ; i++ { // one whose slot is not the latest's, whatever the seed
		other = key{"token_expired", fmt.Sprint("The access token expired ", i)}
		tab.Store(other, 1)
		tab.Store(latest, 2)
		if _, ok := tab.Load(other); ok {
			break
		}
	}
	for _, c := range []struct {
		name string
		k    key
	}{{"latest", latest}, {"another", other}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := tab.Load(c.k); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}
