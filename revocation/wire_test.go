package revocation

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
)

// A Revocation's JSON (the admin API's, and what users store) is its
// entry's wire form, byte for byte: the two types' tags are separate copies
// that the conversion between them ignores, so only this holds them equal.
func TestARevocationMarshalsAsItsEntry(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 123456789, time.UTC)
	for _, r := range []Revocation{
		{Kind: ByTokenID, Issuer: "https://id.example", Value: "t-1", Expires: at},
		{Kind: BySubject, Issuer: "https://id.example", Value: "alice", Before: at, Expires: at.Add(time.Hour), Reason: "password reset"},
		{Kind: BySession, Issuer: "https://id.example", Value: "s-9"},
	} {
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := revstate.Encode(revstate.Entry(r))
		if err != nil || string(got) != string(want) {
			t.Fatalf("Revocation %s, its entry %s (%v)", got, want, err)
		}
		var back Revocation
		if err := json.Unmarshal(want, &back); err != nil || back != r {
			t.Fatalf("the entry's form reads back as %+v, %v; want %+v", back, err, r)
		}
	}
}
