package middleware

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// wirePayload is the first, lenient pass over the payload: it only needs the
// payload to be a JSON object. Each claim's type is checked after the
// signature, so a claim error can never hide a signature failure.
type wirePayload struct {
	Iss      json.RawMessage `json:"iss"`
	Sub      json.RawMessage `json:"sub"`
	Aud      json.RawMessage `json:"aud"`
	Exp      json.RawMessage `json:"exp"`
	Nbf      json.RawMessage `json:"nbf"`
	Iat      json.RawMessage `json:"iat"`
	Jti      json.RawMessage `json:"jti"`
	Scope    json.RawMessage `json:"scope"`
	Scp      json.RawMessage `json:"scp"`
	ClientID json.RawMessage `json:"client_id"`
	Azp      json.RawMessage `json:"azp"`
	Cnf      json.RawMessage `json:"cnf"`
	Sid      json.RawMessage `json:"sid"`

	// Marks of other token kinds, for the strict profile.
	Nonce  json.RawMessage `json:"nonce"`
	AtHash json.RawMessage `json:"at_hash"`
	CHash  json.RawMessage `json:"c_hash"`
	SHash  json.RawMessage `json:"s_hash"`
	Events json.RawMessage `json:"events"`
	Typ    json.RawMessage `json:"typ"`

	// The claims the attached readers read (readers.go).
	readers readerClaims
}

var errWrongType = errors.New("wrong JSON type")

// present reports whether a claim is there and not null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

func stringClaim(name string, raw json.RawMessage) (string, error) {
	if !present(raw) {
		return "", nil
	}
	if raw[0] != '"' {
		return "", fmt.Errorf("claim %s: %w, want a string", name, errWrongType)
	}
	return jose.Unquote(raw), nil
}

// maxNumericDate bounds time claims to years before 10000, so no arithmetic
// on them can overflow.
const maxNumericDate = 253402300799

func timeClaim(name string, raw json.RawMessage) (time.Time, error) {
	if !present(raw) {
		return time.Time{}, nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return time.Time{}, fmt.Errorf("claim %s: %w, want a number", name, errWrongType)
	}
	if sec, ok := smallInteger(raw); ok { // the usual form: whole seconds
		if sec > maxNumericDate {
			return time.Time{}, fmt.Errorf("claim %s: not a sane NumericDate", name)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	f, err := parseNumber(raw)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, fmt.Errorf("claim %s: not a sane NumericDate", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// smallInteger reads a JSON number made of at most 15 digits (no sign,
// fraction or exponent) without strconv; ok is false for any other form.
// It gives exactly what the strconv path of timeClaim gives for those
// (TestTimeClaimsReadAsStrconvReadsThem), at a third of the cost: 0.3% of
// a request, which EdDSA's 1.035× target needs.
func smallInteger(raw []byte) (n int64, ok bool) {
	if len(raw) == 0 || len(raw) > 15 {
		return 0, false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// stringsClaim accepts a string or an array of strings. With split, a string
// is a space-delimited list (the "scope" form). The list is built in room's
// spare capacity when it fits (one allocation serves the whole Claims) and
// is returned with no spare capacity, so an append by a caller copies it.
func stringsClaim(name string, raw json.RawMessage, split bool, room []string) ([]string, error) {
	if !present(raw) {
		return nil, nil
	}
	out := room[:0]
	switch raw[0] {
	case '"':
		s, err := stringClaim(name, raw)
		if err != nil {
			return nil, err
		}
		if !split {
			return append(out, s)[:1:1], nil
		}
		out = appendFields(out, s)
	case '[':
		err := jose.EachElement(raw, func(item []byte) error {
			s, err := stringClaim(name, item)
			if err != nil || !present(item) {
				return fmt.Errorf("claim %s: %w, want an array of strings", name, errWrongType)
			}
			out = append(out, s)
			return nil
		})
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("claim %s: %w, want a string or an array of strings", name, errWrongType)
	}
	if len(out) == 0 {
		return []string{}, nil
	}
	return out[:len(out):len(out)], nil
}

// appendFields appends the fields of s as strings.Fields splits them.
func appendFields(out []string, s string) []string {
	for f := range strings.FieldsSeq(s) {
		out = append(out, f)
	}
	return out
}

// claimsBox is a verification's Claims with room for the few strings its
// Audience and Scopes usually hold: one allocation instead of three. It
// pays on a cache hit, whose copy it is (copyClaims): 16% of a hit.
type claimsBox struct {
	c    Claims
	room [8]string
}

func newClaimsBox(c Claims) *claimsBox { return &claimsBox{c: c} }

// copyClaims returns a copy of c that shares no slice with it (the strings
// are immutable and shared): a cache hit's Claims are the request's own. The
// slices go in the box's room while it lasts, capped, so that an append to
// one never writes into the other: one allocation for most tokens.
func copyClaims(c *Claims) *Claims {
	box := newClaimsBox(*c)
	room := box.room[:]
	box.c.Audience, room = copyInto(c.Audience, room)
	box.c.Scopes, _ = copyInto(c.Scopes, room)
	return &box.c
}

func copyInto(s, room []string) (out, rest []string) {
	if s == nil || len(s) > len(room) {
		return cloneNil(s), room
	}
	n := copy(room, s)
	return room[:n:n], room[n:]
}

// typedClaims checks every registered claim's JSON type and fills c, whose
// Audience and Scopes use room while it lasts.
func typedClaims(w *wirePayload, c *Claims, room []string) error {
	var err error
	if c.Subject, err = stringClaim("sub", w.Sub); err != nil {
		return err
	}
	if c.ID, err = stringClaim("jti", w.Jti); err != nil {
		return err
	}
	if c.SessionID, err = stringClaim("sid", w.Sid); err != nil {
		return err
	}
	if c.Audience, err = stringsClaim("aud", w.Aud, false, room); err != nil {
		return err
	}
	if len(c.Audience) <= len(room) {
		room = room[len(c.Audience):]
	} else {
		room = nil
	}
	if c.ExpiresAt, err = timeClaim("exp", w.Exp); err != nil {
		return err
	}
	if c.NotBefore, err = timeClaim("nbf", w.Nbf); err != nil {
		return err
	}
	if c.IssuedAt, err = timeClaim("iat", w.Iat); err != nil {
		return err
	}
	if c.ClientID, err = stringClaim("client_id", w.ClientID); err != nil {
		return err
	}
	azp, err := stringClaim("azp", w.Azp)
	if err != nil {
		return err
	}
	if c.ClientID == "" {
		c.ClientID = azp
	}
	if present(w.Scope) {
		if w.Scope[0] != '"' {
			return fmt.Errorf("claim scope: %w, want a space-delimited string", errWrongType)
		}
		c.Scopes, err = stringsClaim("scope", w.Scope, true, room)
	} else {
		// scp: an array (Okta) or a space-delimited string (Microsoft Entra ID).
		c.Scopes, err = stringsClaim("scp", w.Scp, true, room)
	}
	return err
}

// cloneNil returns a copy of s with no spare capacity; nil stays nil.
func cloneNil(s []string) []string {
	if s == nil {
		return nil
	}
	return slices.Clip(slices.Clone(s))
}
