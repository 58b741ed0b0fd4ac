package middleware

import (
	"bytes"
	"sync"
	"testing"
)

func TestAnIssuersMemberIsFoundWhereverItMoves(t *testing.T) {
	t.Parallel()
	n := newNamedIn("https://a.example/x")
	if got, want := string(n.member), `"iss":"https://a.example/x"`; got != want {
		t.Fatalf("member %s, want %s", got, want)
	}
	for _, c := range []struct {
		payload string
		want    bool
	}{
		{`{"iss":"https://a.example/x"}`, true},
		{`{"iss":"https://a.example/x"}`, true}, // where it was last
		{`{"sub":"bob","iss":"https://a.example/x"}`, true},
		{`{"sub":"bob","iss":"https://a.example/y"}`, false}, // the same place, other bytes
		{`{"sub":"bob","iss":"https://a.example/x2"}`, false},
		{`{"iss":"https://a.example/"}`, false},
		{`{"iss": "https://a.example/x"}`, false},
		{`{}`, false}, // shorter than where it was last
		{`{"aud":"api","exp":1,"iss":"https://a.example/x","sub":"x"}`, true},
	} {
		if got := n.in([]byte(c.payload)); got != c.want {
			t.Errorf("in(%s) = %v, want %v", c.payload, got, c.want)
		}
	}
}

func TestAnIssuersMemberIsWrittenAsEncodersWriteIt(t *testing.T) {
	t.Parallel()
	// No HTML escapes (Go's json.Marshal would write \u0026), one escape
	// for a quote or a backslash.
	for url, want := range map[string]string{
		"https://a.example/?a=1&b=<2>": `"iss":"https://a.example/?a=1&b=<2>"`,
		`https://a.example/"q"`:        `"iss":"https://a.example/\"q\""`,
		"https://例え.jp/":               `"iss":"https://例え.jp/"`,
	} {
		if got := string(newNamedIn(url).member); got != want {
			t.Errorf("member for %q = %s, want %s", url, got, want)
		}
	}
}

func TestAnIssuersMemberIsFoundConcurrently(t *testing.T) {
	t.Parallel()
	n := newNamedIn("https://a.example")
	payloads := [][]byte{[]byte(`{"iss":"https://a.example"}`), []byte(`{"sub":"bob","iss":"https://a.example"}`), []byte(`{"iss":"https://b.example"}`)}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i + g) % len(payloads)
				if got := n.in(payloads[k]); got != (k < 2) {
					t.Errorf("in(%s) = %v", payloads[k], got)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Where its issuer's tokens put iss, the hint settles after a few tokens
// (one search in storeOneIn stores it: missing it 200 times in a row has a
// chance of 3e-12).
func TestTheHintSettlesWhereTheTokensPutIss(t *testing.T) {
	t.Parallel()
	n := newNamedIn("https://a.example")
	payload := []byte(`{"sub":"bob","iss":"https://a.example","exp":1}`)
	for range 200 {
		if !n.in(payload) {
			t.Fatal("the member was not found")
		}
	}
	if got, want := n.last.Load(), int64(bytes.Index(payload, n.member)); got != want {
		t.Fatalf("the hint is at %d, want %d", got, want)
	}
}

// BenchmarkNamedInMoving finds the member on every core in tokens that
// put it at two offsets in turn, so that the hint keeps missing: the cost
// of searching, and of storing the hint as often as it is stored.
func BenchmarkNamedInMoving(b *testing.B) {
	n := newNamedIn("https://a.example")
	payloads := [][]byte{
		[]byte(`{"sub":"bob","iss":"https://a.example","exp":1}`),
		[]byte(`{"sub":"alice","iss":"https://a.example","exp":1}`),
	}
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if !n.in(payloads[i%2]) {
				b.Error("not found")
				return
			}
		}
	})
}
