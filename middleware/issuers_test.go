package middleware

import (
	"crypto/ed25519"
	"math/rand/v2"
	"testing"
)

// Issuer selection is an exact, byte-for-byte lookup of the configured
// identifiers, whether the verifier compares its only issuer directly
// (Verifier.only) or looks several up in its map: the same answer as a plain
// scan of the configuration, for random near-misses of every identifier
// (a byte changed, added or dropped, another letter case, a trailing slash).
func TestIssuerSelectionIsAnExactLookup(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{"https://id.example.com/realms/acme", "https://id.example.com/realms/acme2", "https://login.example.org/"}
	issuer := func(u string) Issuer {
		return Issuer{URL: u, Audiences: []string{"api"}, Keys: []Key{{ID: "k", Public: pub}}}
	}
	r := rand.New(rand.NewPCG(9, 10))
	mutate := func(s string) string {
		b := []byte(s)
		switch r.IntN(6) {
		case 0:
			return s
		case 1:
			b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
		case 2:
			b = append(b, byte(r.IntN(256)))
		case 3:
			b = b[:r.IntN(len(b))]
		case 4:
			i := r.IntN(len(b))
			if c := b[i]; c >= 'a' && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		case 5:
			b = append(b, '/')
		}
		return string(b)
	}
	for _, n := range []int{1, len(urls)} {
		var conf []Issuer
		for _, u := range urls[:n] {
			conf = append(conf, issuer(u))
		}
		v, err := New(conf)
		if err != nil {
			t.Fatal(err)
		}
		if (v.only != nil) != (n == 1) {
			t.Fatalf("%d issuers: only is %v", n, v.only)
		}
		for range 5000 {
			iss := mutate(urls[r.IntN(len(urls))])
			var want *issuerState
			for _, c := range conf {
				if c.URL == iss {
					want = v.issuers[c.URL]
				}
			}
			if got := v.issuer([]byte(iss)); got != want {
				t.Fatalf("%d issuers, iss %q: selected %v, want %v", n, iss, got, want)
			}
		}
		_ = v.Close()
	}
}
