// Package revstate is what package revocation's stores share: the entry
// and its wire form, its validation, and the in-memory state every store
// answers IsRevoked from. revocation.Revocation converts to and from Entry
// (their fields are the same), and revocation.Kind is Kind.
//
// Package revocation/redisstore, a module of its own, imports it too, so
// it is a contract between modules released apart: change what it exports
// only compatibly (add, never change or remove), or a redisstore release
// stops building against a later core. Its wire form is what Redis holds:
// TestTheWireFormIsFixed pins it.
package revstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
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

// Entry is a revocation.Revocation: see its documentation.
type Entry struct {
	Kind    Kind      `json:"kind"`
	Issuer  string    `json:"iss"`
	Value   string    `json:"value"`
	Before  time.Time `json:"before,omitzero"`
	Expires time.Time `json:"expires"`
	Reason  string    `json:"reason,omitempty"`
}

func (r Entry) key() key { return key{kind: r.Kind, iss: r.Issuer, val: r.Value} }

// ErrInvalid is wrapped by every error about the entry itself (as opposed
// to the store), so that an API can tell the caller what is wrong.
var ErrInvalid = errors.New("invalid revocation")

// Validate checks r and fills in its defaults: Before is now when zero,
// Expires is Before plus maxLifetime when zero. Stores call it in Revoke.
func Validate(r *Entry, now time.Time, maxLifetime time.Duration) error {
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

// Encode is the wire form of a revocation (JSON), for stores.
func Encode(r Entry) ([]byte, error) { return json.Marshal(r) }

// Decode reads the wire form of a revocation, refusing incomplete entries.
func Decode(b []byte) (Entry, error) {
	var r Entry
	if err := json.Unmarshal(b, &r); err != nil {
		return r, err
	}
	if r.Kind < ByTokenID || r.Kind > BySession || r.Issuer == "" || r.Value == "" {
		return r, errors.New("revocation: incomplete entry")
	}
	return r, nil
}
