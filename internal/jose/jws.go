package jose

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Parse errors. ErrMalformed covers anything that is not a well-formed compact
// JWS; ErrUnsupported covers well-formed tokens using JOSE features jwtguard
// deliberately refuses (JWE, crit, b64, zip, nested JWTs).
var (
	ErrMalformed   = errors.New("malformed compact JWS")
	ErrUnsupported = errors.New("unsupported JOSE feature")
)

var b64 = base64.RawURLEncoding.Strict()

// Errors of the compact form, built once: junk is refused without
// formatting.
var (
	errSegments     = fmt.Errorf("%w: not three segments", ErrMalformed)
	errManySegments = fmt.Errorf("%w: more than three segments", ErrMalformed)
	errJWE          = fmt.Errorf("%w: five segments, an encrypted token (JWE) where a signed one (JWS) is required; "+
		"a provider issues one when the token is not meant for an API (Auth0, for one, when the authorization request names no audience)", ErrMalformed)
	errEmptySegment = fmt.Errorf("%w: empty segment", ErrMalformed)
	errHeaderB64    = fmt.Errorf("%w: header is not canonical base64url", ErrMalformed)
	errPayloadB64   = fmt.Errorf("%w: payload is not canonical base64url", ErrMalformed)
	errSignatureB64 = fmt.Errorf("%w: signature is not canonical base64url", ErrMalformed)
)

// Header holds the JOSE header members jwtguard reads. Key-carrying members
// (jwk, jku, x5u, x5c) are deliberately absent: they are never used.
type Header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Cty  string          `json:"cty"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
	Zip  json.RawMessage `json:"zip"`
	Enc  json.RawMessage `json:"enc"`
}

// Token is a parsed, not yet verified, compact JWS. Strings read from its
// decoded header share its memory: never modify it (a remembered header is
// shared between tokens). The payload and the signature share one buffer of
// the token's own.
type Token struct {
	Header       Header
	SigningInput string // "<header>.<payload>" exactly as received
	Payload      []byte // decoded payload bytes, JSON not validated until ScanPayload
	Signature    []byte // decoded signature bytes (by DecodeSignature after ParseDeferred)

	sigSegment string // the signature as received, until DecodeSignature
	sigRoom    []byte // where DecodeSignature decodes it
}

// maxHeaderSegment bounds the encoded header, bounding its cost. A JOSE header
// names an algorithm and a key, in tens of bytes; an x5c chain of two or three
// certificates, which jwtguard does not use but some issuers add, fits.
const maxHeaderSegment = 8 << 10

// Split cuts the compact form into exactly three non-empty segments; the
// strict decoding of each checks its alphabet.
func Split(raw string) (header, payload, sig string, err error) {
	first := strings.IndexByte(raw, '.')
	if first < 0 {
		return "", "", "", errSegments
	}
	second := strings.IndexByte(raw[first+1:], '.')
	if second < 0 {
		return "", "", "", errSegments
	}
	second += first + 1
	if strings.IndexByte(raw[second+1:], '.') >= 0 {
		if strings.Count(raw, ".") == 4 {
			return "", "", "", errJWE
		}
		return "", "", "", errManySegments
	}
	header, payload, sig = raw[:first], raw[first+1:second], raw[second+1:]
	if header == "" || payload == "" || sig == "" {
		return "", "", "", errEmptySegment
	}
	return header, payload, sig, nil
}

// Parse decodes a compact JWS strictly: canonical unpadded base64url, UTF-8
// JSON objects without duplicate member names and within the depth and width
// limits, no JWE, no crit, no b64/zip, no nested JWT.
func Parse(raw string) (*Token, error) {
	t := new(Token)
	if err := ParseChecked(t, raw, nil, nil, nil); err != nil {
		return nil, err
	}
	return t, nil
}

// ParseChecked is Parse into the caller's t, with three hooks: it is
// ParseDeferred and then ScanPayload. accept is called with the header's
// alg as soon as the header is decoded and checked, before any work on the
// payload: a verifier refuses an algorithm it does not allow at the cost
// of the header alone; an error from accept is returned as is. (It takes
// the alg, not the header, so that t can stay on the caller's stack.)
// member, when not nil, is given each top-level member of the payload (its
// name, decoded, and its raw value) during the one pass that validates the
// payload, so a caller reads the claims it needs without a second scan; on
// an error, discard what member was given.
// headers, when not nil, remembers the headers that passed: every token of
// one key carries the same header segment, so most tokens skip its
// decoding and checks.
func ParseChecked(t *Token, raw string, headers *Headers, accept func(alg string) error, member func(name, value []byte)) error {
	if err := ParseDeferred(t, raw, headers, accept); err != nil {
		return err
	}
	if err := t.DecodeSignature(); err != nil {
		return err
	}
	return t.ScanPayload(member)
}

// ParseDeferred is ParseChecked without the signature's decoding and the
// payload's scan: it splits raw, reads the header (headers and accept as
// in ParseChecked) and decodes the payload, leaving the signature to
// DecodeSignature, which must come before Verify, and the payload's JSON
// unchecked until ScanPayload, which must come before anything reads a
// claim: a verifier finds the keys with PeekIssuer and checks the
// signature first, so a forged token's claims are never parsed, and a
// token refused before its signature is checked (for its issuer, its key)
// costs no decoding of the signature.
func ParseDeferred(t *Token, raw string, headers *Headers, accept func(alg string) error) error {
	hs, ps, ss, err := Split(raw)
	if err != nil {
		return err
	}
	t.Header, t.SigningInput, t.Payload, t.Signature = Header{}, raw[:len(hs)+1+len(ps)], nil, nil
	t.sigSegment, t.sigRoom = "", nil
	if err := headers.read(&t.Header, hs); err != nil {
		return err
	}
	if accept != nil {
		if err := accept(t.Header.Alg); err != nil {
			return err
		}
	}
	// The payload and the signature share one buffer.
	buf := make([]byte, b64.DecodedLen(len(ps))+b64.DecodedLen(len(ss)))
	if t.Payload, t.sigRoom, err = decodeSegment(buf, ps, errPayloadB64); err != nil {
		t.Payload, t.sigRoom = nil, nil
		return err
	}
	t.sigSegment = ss
	return nil
}

// DecodeSignature decodes the signature of a token from ParseDeferred into
// Signature. Until it has, Signature is nil and no signature verifies.
func (t *Token) DecodeSignature() error {
	if t.Signature != nil || t.sigRoom == nil {
		return nil
	}
	sig, _, err := decodeSegment(t.sigRoom, t.sigSegment, errSignatureB64)
	if err != nil {
		return err
	}
	t.Signature, t.sigSegment = sig, ""
	return nil
}

// ScanPayload validates the payload of a token from ParseDeferred in the
// one pass of ParseChecked, member included.
func (t *Token) ScanPayload(member func(name, value []byte)) error {
	var s scanner
	return s.start("payload", t.Payload, member)
}
