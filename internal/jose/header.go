package jose

import (
	"fmt"
	"strings"

	"github.com/jwtguard/jwtguard/internal/memo"
)

// Headers remembers decoded, checked headers by their segment (a
// memo.Table): what a header segment decodes to depends on its bytes
// alone. The nil *Headers remembers nothing. Safe for concurrent use.
type Headers memo.Table[string, Header]

// maxRememberedHeader bounds the segments a Headers keeps (with their
// decoded bytes, about twice as much memory per slot): real headers take a
// hundred characters, a few thousand with a certificate chain.
const maxRememberedHeader = 4096

// NewHeaders returns an empty Headers.
func NewHeaders() *Headers { return (*Headers)(memo.New[string, Header]()) }

// read sets *h to the header segment seg decodes to, once checked; the
// strings it holds share memory with no token's payload.
func (hm *Headers) read(h *Header, seg string) error {
	if len(seg) > maxHeaderSegment {
		return fmt.Errorf("%w: the header is longer than %d bytes", ErrMalformed, maxHeaderSegment)
	}
	tab := (*memo.Table[string, Header])(hm)
	if hm != nil {
		if known, ok := tab.Load(seg); ok {
			*h = known
			return nil
		}
	}
	hb, _, err := decodeSegment(make([]byte, b64.DecodedLen(len(seg))), seg, errHeaderB64)
	if err != nil {
		return err
	}
	if err := decodeHeader(hb, h); err != nil {
		return err
	}
	if err := checkHeader(h); err != nil {
		return err
	}
	if hm != nil && len(seg) <= maxRememberedHeader {
		// The key is copied so that the table does not keep the token.
		tab.Store(strings.Clone(seg), *h)
	}
	return nil
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
		// No extension is implemented, so any crit (even empty) must be refused
		// (RFC 7515 §4.1.11).
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

// decodeSegment decodes seg into the front of buf strictly (canonical,
// unpadded, nothing outside the alphabet) and returns the decoded bytes,
// capped, and the rest of buf; bad when seg is not canonical.
func decodeSegment(buf []byte, seg string, bad error) (out, rest []byte, err error) {
	want := b64.DecodedLen(len(seg))
	n, ok := decodeB64(buf, seg)
	// encoding/base64 skips CR and LF even in strict mode: a short count
	// means it did, and the segment was not canonical.
	if !ok || n != want || !canonicalTail(seg) {
		return nil, nil, bad
	}
	return buf[:n:n], buf[n:], nil
}

// decodeHeader reads the members jwtguard uses, exactly by name, without
// the allocations of decoding into a struct. String members must be strings
// (or null, read as absent).
func decodeHeader(hb []byte, h *Header) error {
	var bad string
	s := scanner{header: true}
	err := s.start("header", hb, func(name, value []byte) {
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
		if str == nil || string(value) == "null" || bad != "" {
			return
		}
		if value[0] != '"' {
			bad = string(name)
			return
		}
		*str = Unquote(value)
	})
	if err != nil {
		return err
	}
	if bad != "" {
		return fmt.Errorf("%w: header member %q is not a string", ErrMalformed, clipName(bad))
	}
	return nil
}

func clipName(s string) string {
	if len(s) > 32 {
		return s[:32]
	}
	return s
}
