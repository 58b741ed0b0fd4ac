package middleware

import (
	"encoding/json"
	"errors"
	"strconv"
	"unsafe"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// decodeWire fills w with the raw JSON values of the payload's registered
// claims, as subslices of payload (no copy). It is the first, lenient pass:
// it only needs a well-formed JSON object; each claim's type is checked
// after the signature. Member names match exactly, as RFC 7519 says (Go's
// decoder would also take "ISS" for "iss"); jose.Parse has already refused
// duplicate names.
func decodeWire(payload []byte, w *wirePayload) error {
	if !json.Valid(payload) {
		return errors.New("payload is not valid JSON")
	}
	return jose.EachMember(payload, func(name, value []byte) {
		if field := w.field(name); field != nil {
			*field = value
		}
	})
}

func (w *wirePayload) field(name []byte) *json.RawMessage {
	switch string(name) { // no allocation: the compiler compares in place
	case "iss":
		return &w.Iss
	case "sub":
		return &w.Sub
	case "aud":
		return &w.Aud
	case "exp":
		return &w.Exp
	case "nbf":
		return &w.Nbf
	case "iat":
		return &w.Iat
	case "jti":
		return &w.Jti
	case "scope":
		return &w.Scope
	case "scp":
		return &w.Scp
	case "client_id":
		return &w.ClientID
	case "azp":
		return &w.Azp
	case "cnf":
		return &w.Cnf
	case "sid":
		return &w.Sid
	case "nonce":
		return &w.Nonce
	case "at_hash":
		return &w.AtHash
	case "c_hash":
		return &w.CHash
	case "s_hash":
		return &w.SHash
	case "events":
		return &w.Events
	case "typ":
		return &w.Typ
	}
	return nil
}

// bytesString views b as a string without copying, for parsing functions
// that do not keep it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// parseNumber parses a JSON number (already validated).
func parseNumber(raw []byte) (float64, error) { return strconv.ParseFloat(bytesString(raw), 64) }
