package jose

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Parse errors. ErrMalformed covers anything that is not a well-formed compact
// JWS; ErrUnsupported covers well-formed tokens using JOSE features jwtguard
// deliberately refuses (JWE, crit, b64, zip, nested JWTs).
var (
	ErrMalformed   = errors.New("malformed compact JWS")
	ErrUnsupported = errors.New("unsupported JOSE feature")
)

var b64 = base64.RawURLEncoding.Strict()

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

// Token is a parsed, not yet verified, compact JWS. Its decoded bytes share
// one buffer, and strings read from them share its memory: never modify it.
type Token struct {
	Header       Header
	SigningInput string // "<header>.<payload>" exactly as received
	Payload      []byte // decoded payload bytes, valid UTF-8

	sigSeg string // the signature segment, decoded by Signature
	sigBuf []byte // room for it in the token's buffer
	sig    []byte
}

// Split checks the compact form cheaply, without decoding: exactly three
// non-empty segments of [A-Za-z0-9_-] separated by two dots.
func Split(raw string) (header, payload, sig string, err error) {
	dots := 0
	first, second := -1, -1
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			dots++
			if dots == 1 {
				first = i
			} else if dots == 2 {
				second = i
			} else {
				return "", "", "", fmt.Errorf("%w: more than three segments", ErrMalformed)
			}
		default:
			return "", "", "", fmt.Errorf("%w: character outside the base64url alphabet", ErrMalformed)
		}
	}
	if dots != 2 {
		return "", "", "", fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	header, payload, sig = raw[:first], raw[first+1:second], raw[second+1:]
	if header == "" || payload == "" || sig == "" {
		return "", "", "", fmt.Errorf("%w: empty segment", ErrMalformed)
	}
	return header, payload, sig, nil
}

// Parse decodes a compact JWS strictly: canonical unpadded base64url, UTF-8
// JSON objects without duplicate member names and within the depth and width
// limits, no JWE, no crit, no b64/zip, no nested JWT.
func Parse(raw string) (*Token, error) { return ParseChecked(raw, nil) }

// ParseChecked is Parse with accept called on the header as soon as it is
// decoded and checked, before any work on the payload: a verifier refuses
// an algorithm it does not allow at the cost of the header alone. An error
// from accept is returned as is. The signature segment's canonical form is
// checked up front; Signature decodes it, once a key is at hand.
func ParseChecked(raw string, accept func(*Header) error) (*Token, error) {
	hs, ps, ss, err := Split(raw)
	if err != nil {
		return nil, err
	}
	for _, seg := range [...]struct{ name, s string }{{"header", hs}, {"payload", ps}, {"signature", ss}} {
		if !canonicalTail(seg.s) {
			return nil, fmt.Errorf("%w: %s is not canonical base64url", ErrMalformed, seg.name)
		}
	}
	// One buffer for the three decoded segments.
	buf := make([]byte, b64.DecodedLen(len(hs))+b64.DecodedLen(len(ps))+b64.DecodedLen(len(ss)))
	hb, rest, err := decodeSegment(buf, hs)
	if err != nil {
		return nil, fmt.Errorf("%w: header is not canonical base64url", ErrMalformed)
	}
	if !utf8.Valid(hb) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	// Duplicate names, depth and width, before any decoder sees the JSON.
	if err := checkJSON(hb); err != nil {
		return nil, err
	}
	if !isObject(hb) {
		return nil, fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	t := &Token{SigningInput: raw[:len(hs)+1+len(ps)], sigSeg: ss}
	if err := decodeHeader(hb, &t.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if err := checkHeader(&t.Header); err != nil {
		return nil, err
	}
	if accept != nil {
		if err := accept(&t.Header); err != nil {
			return nil, err
		}
	}
	pb, rest, err := decodeSegment(rest, ps)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not canonical base64url", ErrMalformed)
	}
	if !utf8.Valid(pb) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	if err := checkJSON(pb); err != nil {
		return nil, err
	}
	if !isObject(pb) {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	t.Payload, t.sigBuf = pb, rest
	return t, nil
}

// Signature decodes the signature segment (once).
func (t *Token) Signature() ([]byte, error) {
	if t.sig == nil {
		sb, _, err := decodeSegment(t.sigBuf, t.sigSeg)
		if err != nil {
			return nil, fmt.Errorf("%w: signature is not canonical base64url", ErrMalformed)
		}
		t.sig = sb
	}
	return t.sig, nil
}

// canonicalTail checks, without decoding, what makes unpadded base64url
// non-canonical: a length that leaves one character over, or set bits in
// the unused low bits of the last character.
func canonicalTail(seg string) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	switch len(seg) % 4 {
	case 1:
		return false
	case 2:
		return strings.IndexByte(alphabet, seg[len(seg)-1])&0x0F == 0
	case 3:
		return strings.IndexByte(alphabet, seg[len(seg)-1])&0x03 == 0
	}
	return true
}

// checkHeader refuses the JOSE features jwtguard does not implement.
func checkHeader(h *Header) error {
	switch {
	case h.Enc != nil:
		return fmt.Errorf("%w: JWE (enc header)", ErrUnsupported)
	case h.Crit != nil:
		// No extension is implemented, so any crit (even empty) must be refused (RFC 7515 §4.1.11).
		return fmt.Errorf("%w: crit header", ErrUnsupported)
	case h.B64 != nil:
		return fmt.Errorf("%w: b64 header (RFC 7797)", ErrUnsupported)
	case h.Zip != nil:
		return fmt.Errorf("%w: zip header", ErrUnsupported)
	case strings.EqualFold(h.Cty, "JWT"):
		return fmt.Errorf("%w: nested JWT (cty JWT)", ErrUnsupported)
	case h.Alg == "":
		return fmt.Errorf("%w: no alg header", ErrMalformed)
	case len(h.Kid) > MaxKeyIDLen:
		return fmt.Errorf("%w: kid longer than %d bytes", ErrMalformed, MaxKeyIDLen)
	}
	return nil
}

// decodeSegment decodes seg into the front of buf (strictly: canonical,
// unpadded) and returns the decoded bytes, capped, and the rest of buf.
func decodeSegment(buf []byte, seg string) (out, rest []byte, err error) {
	n, err := b64.Decode(buf, unsafe.Slice(unsafe.StringData(seg), len(seg)))
	if err != nil {
		return nil, nil, err
	}
	return buf[:n:n], buf[n:], nil
}

// isObject reports whether b, less surrounding JSON whitespace, starts with
// '{'. json.Unmarshal checks the rest.
func isObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// decodeHeader reads the members jwtguard uses, exactly by name, without
// the allocations of decoding into a struct. String members must be strings
// (or null, read as absent).
func decodeHeader(hb []byte, h *Header) error {
	if !json.Valid(hb) {
		return errors.New("not valid JSON")
	}
	var bad string
	err := EachMember(hb, func(name, value []byte) {
		var str *string
		switch string(name) {
		case "alg":
			str = &h.Alg
		case "kid":
			str = &h.Kid
		case "typ":
			str = &h.Typ
		case "cty":
			str = &h.Cty
		case "crit":
			h.Crit = value
		case "b64":
			h.B64 = value
		case "zip":
			h.Zip = value
		case "enc":
			h.Enc = value
		}
		if str == nil || string(value) == "null" {
			return
		}
		if value[0] != '"' {
			bad = string(name)
			return
		}
		s, err := Unquote(value)
		if err != nil {
			bad = string(name)
			return
		}
		*str = s
	})
	if err != nil {
		return err
	}
	if bad != "" {
		return fmt.Errorf("member %q is not a string", clipName(bad))
	}
	return nil
}

func clipName(s string) string {
	if len(s) > 32 {
		return s[:32]
	}
	return s
}
