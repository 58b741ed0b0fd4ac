package statsx

import (
	"testing"
	"time"
)

// A store two verifiers check is counted once; the oldest shared store's
// sync age is the figure, and one stale store makes the sum stale.
func TestRevocationsCountEachStoreOnce(t *testing.T) {
	a, b, c := new(int), new(int), new(int)
	var rs Revocations
	rs.Add(nil)
	if rs.Any {
		t.Fatal("no store, yet some")
	}
	rs.Add(&Revocation{Store: a, Entries: 3, MaxEntries: 10})
	rs.Add(&Revocation{Store: a, Entries: 3, MaxEntries: 10})
	rs.Add(&Revocation{Store: b, Entries: 4, MaxEntries: 20, Shared: true, SyncAge: 2 * time.Second})
	rs.Add(&Revocation{Store: c, Entries: 5, MaxEntries: 30, Shared: true, SyncAge: 9 * time.Second, Stale: true})
	if !rs.Any || !rs.Shared || !rs.Stale || rs.Entries != 12 || rs.MaxEntries != 60 || rs.SyncAge != 9*time.Second {
		t.Fatalf("%+v", rs)
	}
}

func TestSharedIssuer(t *testing.T) {
	a := Verifier{Issuers: []Issuer{{URL: "https://a"}, {URL: "https://b"}}}
	if u, ok := SharedIssuer(a, Verifier{Issuers: []Issuer{{URL: "https://c"}, {URL: "https://b"}}}); !ok || u != "https://b" {
		t.Fatalf("%q %v", u, ok)
	}
	if _, ok := SharedIssuer(a, Verifier{Issuers: []Issuer{{URL: "https://c"}}}); ok {
		t.Fatal("no issuer is shared")
	}
}
