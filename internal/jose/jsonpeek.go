package jose

import (
	"errors"
	"fmt"
)

// ErrNoIssuer is PeekIssuer's answer for a payload without a top-level iss
// member of type string.
var ErrNoIssuer = errors.New("no iss claim of type string")

// PeekIssuer returns the value of the payload's top-level iss member, a JSON
// string, decoded, reading the payload up to that member and no further,
// without validating it. A verifier must know the issuer to choose the keys
// that check the signature, and nothing else of the payload: its JSON is
// validated once the signature has verified (ScanPayload), so a forged token's
// claims cost no scan, and a claim error never hides a bad signature.
//
// Nothing PeekIssuer returns may be trusted: the caller must require, after
// the signature has verified and ScanPayload has validated the payload,
// that the payload's own iss is the value returned here. On a payload the
// full scan accepts, the two are always equal: PeekIssuer finds the member
// named exactly "iss", as a map (not Go's case-folding struct decoder)
// reads it (checkPeek, in TestScanObjectAgreesWithEncodingJSON and
// FuzzScanObject, compares them); any other payload the full scan refuses.
// Its cost is linear in the bytes before the member, and it allocates only
// to decode an iss written with escapes.
//
// It fails with ErrMalformed when the bytes before the member are not the
// members of a JSON object, and with ErrNoIssuer when the object ends
// without one or its value is not a string. What follows the member is not
// read: a payload malformed after a valid iss (or after an iss that is not
// a string) is refused later, by the full scan or for its issuer.
func PeekIssuer(payload []byte) ([]byte, error) {
	b := payload
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil, ErrNoIssuer
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, errPeek
		}
		name, end := i, stringEnd(b, i) // len(b) when the name is not closed: no colon follows
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return nil, errPeek
		}
		start := skipSpace(b, i+1)
		if start >= len(b) {
			return nil, errPeek
		}
		if isIss(b[name+1 : end-1]) {
			return peekString(b, start)
		}
		if i = valueEnd(b, start); i == start {
			return nil, errPeek // a delimiter where a value belongs
		}
		switch i = skipSpace(b, i); {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return nil, ErrNoIssuer
		default:
			return nil, errPeek
		}
	}
}

var errPeek = fmt.Errorf("%w: payload: invalid JSON before its iss", ErrMalformed)

// isIss reports whether raw, the body of a member name not yet validated,
// decodes to "iss": each letter written as itself or as its one escape
// (\u0069, \u0073: digits only, so no case to fold).
func isIss(raw []byte) bool {
	for _, l := range issLetters {
		switch {
		case len(raw) > 0 && raw[0] == l.c:
			raw = raw[1:]
		case len(raw) >= len(l.esc) && string(raw[:len(l.esc)]) == l.esc:
			raw = raw[len(l.esc):]
		default:
			return false
		}
	}
	return len(raw) == 0
}

var issLetters = [3]struct {
	c   byte
	esc string
}{{'i', `\u0069`}, {'s', `\u0073`}, {'s', `\u0073`}}

// peekString validates and decodes the JSON string at b[i]; any other value
// is ErrNoIssuer.
func peekString(b []byte, i int) ([]byte, error) {
	if b[i] != '"' {
		return nil, ErrNoIssuer
	}
	end, escaped, f := scanString(b, i)
	if f != 0 {
		return nil, f.error("payload", end, len(b))
	}
	if !escaped {
		return b[i+1 : end-1 : end-1], nil
	}
	return appendUnescaped(nil, b[i+1:end-1]), nil
}
