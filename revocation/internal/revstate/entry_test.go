package revstate_test

import (
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
)

// The wire form of an entry, which Redis holds and the admin API speaks, is
// fixed: these bytes are what every release writes and reads.
func TestTheWireFormIsFixed(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		e    revstate.Entry
		wire string
	}{
		{revstate.Entry{Kind: revstate.ByTokenID, Issuer: "https://id.example", Value: "t-1", Expires: at},
			`{"kind":"jti","iss":"https://id.example","value":"t-1","expires":"2026-12-04T10:00:00Z"}`},
		{revstate.Entry{Kind: revstate.BySubject, Issuer: "https://id.example", Value: "alice", Before: at, Expires: at.Add(time.Hour), Reason: "password reset"},
			`{"kind":"sub","iss":"https://id.example","value":"alice","before":"2026-12-04T10:00:00Z","expires":"2026-12-04T11:00:00Z","reason":"password reset"}`},
		{revstate.Entry{Kind: revstate.BySession, Issuer: "https://id.example", Value: "s-9", Expires: at},
			`{"kind":"sid","iss":"https://id.example","value":"s-9","expires":"2026-12-04T10:00:00Z"}`},
	} {
		b, err := revstate.Encode(c.e)
		if err != nil || string(b) != c.wire {
			t.Fatalf("Encode(%+v) = %s, %v; want %s", c.e, b, err, c.wire)
		}
		back, err := revstate.Decode([]byte(c.wire))
		if err != nil || back != c.e {
			t.Fatalf("Decode(%s) = %+v, %v; want %+v", c.wire, back, err, c.e)
		}
	}
	for _, bad := range []string{`{"kind":"xyz","iss":"i","value":"v"}`, `{"kind":"jti","value":"v"}`, `{"kind":"jti","iss":"i"}`, `not JSON`} {
		if _, err := revstate.Decode([]byte(bad)); err == nil {
			t.Fatalf("Decode(%s) accepted it", bad)
		}
	}
}
