package revocation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
)

// Kind is what a revocation names.
type Kind uint8

// Kinds.
const (
	// ByTokenID revokes one token, by its jti, until the token's exp.
	ByTokenID Kind = iota + 1
	// BySubject revokes every token of a subject (sub) issued before a
	// cutoff time: "log this user out everywhere".
	BySubject
	// BySession revokes every token of an OpenID Connect session (sid).
	BySession
)

func (k Kind) String() string {
	switch k {
	case ByTokenID:
		return "jti"
	case BySubject:
		return "sub"
	case BySession:
		return "sid"
	}
	return "unknown"
}

// MarshalText writes the kind as "jti", "sub" or "sid".
func (k Kind) MarshalText() ([]byte, error) {
	if k < ByTokenID || k > BySession {
		return nil, fmt.Errorf("revocation: unknown kind %d", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads "jti", "sub" or "sid".
func (k *Kind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "jti":
		*k = ByTokenID
	case "sub":
		*k = BySubject
	case "sid":
		*k = BySession
	default:
		return fmt.Errorf("revocation: unknown kind %q", b)
	}
	return nil
}

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

func (r Revocation) key() key { return key{kind: r.Kind, iss: r.Issuer, val: r.Value} }

// ErrInvalid is wrapped by every error about the entry itself (as opposed
// to the store), so that an API can tell the caller what is wrong.
var ErrInvalid = errors.New("invalid revocation")

// Validate checks r and fills in its defaults: Before is now when zero,
// Expires is Before plus maxLifetime when zero. Stores call it in Revoke.
func (r *Revocation) Validate(now time.Time, maxLifetime time.Duration) error {
	invalid := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalid, why) }
	switch {
	case r.Kind < ByTokenID || r.Kind > BySession:
		return invalid("unknown kind")
	case r.Issuer == "" || r.Value == "":
		return invalid("issuer and value are required")
	case len(r.Issuer)+len(r.Value)+len(r.Reason) > 4096:
		return invalid("entry too large")
	}
	if r.Before.IsZero() {
		r.Before = now
	}
	if r.Expires.IsZero() {
		r.Expires = r.Before.Add(maxLifetime)
	}
	if !r.Expires.After(now) {
		return invalid("the entry has already expired (every token it covers is expired)")
	}
	return nil
}

func (r Revocation) String() string {
	return fmt.Sprintf("%s %q of %s (expires %s)", r.Kind, r.Value, r.Issuer, r.Expires.UTC().Format(time.RFC3339))
}

// Encode is the wire form of a revocation (JSON), for stores.
func Encode(r Revocation) ([]byte, error) { return json.Marshal(r) }

// Decode reads the wire form of a revocation, refusing incomplete entries.
func Decode(b []byte) (Revocation, error) {
	var r Revocation
	if err := json.Unmarshal(b, &r); err != nil {
		return r, err
	}
	if r.Kind < ByTokenID || r.Kind > BySession || r.Issuer == "" || r.Value == "" {
		return r, errors.New("revocation: incomplete entry")
	}
	return r, nil
}

// Store keeps revocations. Every store answers IsRevoked from memory, so
// the check costs no round trip; the Redis store keeps its memory in sync
// across instances.
type Store interface {
	middleware.RevocationChecker
	// Revoke records r (and, for shared stores, tells every instance).
	Revoke(ctx context.Context, r Revocation) error
	// List returns the revocations in force, in no particular order.
	List(ctx context.Context) ([]Revocation, error)
}
