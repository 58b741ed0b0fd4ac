package revocation

import (
	"context"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
)

// Kind is what a revocation names: ByTokenID, BySubject or BySession,
// written "jti", "sub" and "sid" in text and JSON.
type Kind = revstate.Kind

// Kinds.
const (
	// ByTokenID revokes one token, by its jti, until the token's exp.
	ByTokenID = revstate.ByTokenID
	// BySubject revokes every token of a subject (sub) issued before a
	// cutoff time: "log this user out everywhere".
	BySubject = revstate.BySubject
	// BySession revokes every token of an OpenID Connect session (sid).
	BySession = revstate.BySession
)

// Revocation is one entry: tokens of Issuer whose Kind claim equals Value
// are refused. Values are per issuer: the same sub at two issuers is two
// different users.
type Revocation struct {
	Kind   Kind   `json:"kind"`
	Issuer string `json:"iss"`
	Value  string `json:"value"`
	// Before is, for BySubject, the cutoff: tokens issued (iat) before it
	// are revoked, and a token without iat is treated as issued before.
	// Zero means now (Revoke fills it in).
	Before time.Time `json:"before,omitzero"`
	// Expires is when the entry may be forgotten because every token it
	// covers has expired: the token's exp for ByTokenID; for the others the
	// cutoff plus the longest token lifetime. Zero: Revoke fills it in from
	// the store's MaxTokenLifetime.
	Expires time.Time `json:"expires"`
	// Reason is a free note for the audit trail ("user logged out",
	// "stolen laptop"). Never a token.
	Reason string `json:"reason,omitempty"`
}

// ErrInvalid is wrapped by every error about the entry itself (as opposed
// to the store), so that an API can tell the caller what is wrong.
var ErrInvalid = revstate.ErrInvalid

func (r Revocation) String() string {
	return fmt.Sprintf("%s %q of %s (expires %s)", r.Kind, r.Value, r.Issuer, r.Expires.UTC().Format(time.RFC3339))
}

// Store keeps revocations. Every store answers IsRevoked from memory, so
// the check costs no round trip; the Redis store keeps its memory in sync
// across instances.
//
// What an implementation must hold, as Memory and redisstore do:
//   - IsRevoked answers from memory, without a lock held for long and
//     without I/O: it runs on every request. A token is revoked when an
//     entry of its issuer names its jti (ByTokenID) or its sid
//     (BySession), or names its sub (BySubject) and its iat is before the
//     entry's Before plus the store's leeway, or it has no iat.
//   - IsRevoked returns an error, never false, when the store cannot tell
//     (its copy is older than it allows): the verifier then answers 503.
//   - Revoke validates r (ErrInvalid: a known Kind, an Issuer and a Value,
//     at most 4096 bytes of Issuer, Value and Reason together, not yet
//     expired), fills in a zero Before (now) and
//     Expires (Before plus the longest token lifetime), and never narrows
//     an entry in force: of two entries for one kind, issuer and value,
//     the later Before and the later Expires win. A store that cannot
//     take more refuses (ErrFull) rather than drop an entry; one that
//     cannot tell whether a write landed says so (ErrOutcomeUnknown).
//   - An entry may be forgotten once every token it covers has expired:
//     after its Expires plus twice the leeway.
//   - A store that compares iat with a cutoff reports its leeway with a
//     method Leeway() time.Duration: middleware.New refuses a store whose
//     leeway is shorter than the verifier's.
type Store interface {
	middleware.RevocationChecker
	// Revoke records r (and, for shared stores, tells every instance).
	Revoke(ctx context.Context, r Revocation) error
	// List returns the revocations in force, in no particular order.
	List(ctx context.Context) ([]Revocation, error)
}
